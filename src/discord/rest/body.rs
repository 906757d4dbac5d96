//! Reading Discord's answers with a size cap: a broken proxy or a hostile
//! peer on the API address must not make the bot hold an endless body.

use super::RestError;

/// The most of one answer we read. Discord's largest answers we ask for (a
/// bulk command overwrite echoing 13 commands, a message object) are tens of
/// KiB, so 1 MiB is far above anything real.
pub(super) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The body of `response` as text, refused with [`RestError::BodyTooLarge`]
/// as soon as it is known to pass `limit`: up front from `Content-Length`,
/// otherwise while streaming, before the chunk that would pass it is kept.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<String, RestError> {
    let declared = response.content_length();
    if declared.is_some_and(|length| length > limit as u64) {
        return Err(RestError::BodyTooLarge { limit });
    }
    let mut body = Vec::with_capacity(declared.map_or(0, |length| length as usize));
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(RestError::BodyTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}
