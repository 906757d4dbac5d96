//! Ed25519 verification of Discord interaction requests.
//!
//! Discord signs `timestamp ‖ raw body`. We verify the raw bytes before any
//! parsing: Discord probes the endpoint with bad signatures on purpose and
//! drops an endpoint that accepts one.

use chrono::{DateTime, Utc};
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};

/// Largest distance between the signed timestamp and our clock, in seconds.
pub const MAX_TIMESTAMP_SKEW_SECS: i64 = 300;

/// Why a request was not accepted. Every variant maps to a 401; the variants
/// exist for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// `X-Signature-Ed25519` or `X-Signature-Timestamp` is absent.
    #[error("signature headers missing")]
    MissingHeader,
    /// The signature is not 128 hex characters.
    #[error("signature is not 64 bytes of hex")]
    MalformedSignature,
    /// The timestamp is not a Unix time in seconds.
    #[error("timestamp is not a Unix time")]
    MalformedTimestamp,
    /// The timestamp is more than five minutes from now.
    #[error("timestamp outside the accepted window")]
    StaleTimestamp,
    /// The signature does not match the key, timestamp and body.
    #[error("signature does not verify")]
    BadSignature,
}

impl SignatureError {
    /// A short label for metrics.
    pub fn label(self) -> &'static str {
        match self {
            Self::MissingHeader => "missing_header",
            Self::MalformedSignature => "malformed_signature",
            Self::MalformedTimestamp => "malformed_timestamp",
            Self::StaleTimestamp => "stale_timestamp",
            Self::BadSignature => "bad_signature",
        }
    }
}

/// Checks interaction signatures against the application's public key.
#[derive(Debug, Clone)]
pub struct InteractionVerifier {
    key: VerifyingKey,
    check_age: bool,
}

/// The configured public key is not a valid Ed25519 key.
#[derive(Debug, thiserror::Error)]
#[error("not a valid Ed25519 public key: {0}")]
pub struct InvalidPublicKey(String);

impl InteractionVerifier {
    /// A verifier for the given key that also enforces the timestamp window.
    pub fn new(key: VerifyingKey) -> Self {
        Self {
            key,
            check_age: true,
        }
    }

    /// Parses the hex key from the developer portal.
    pub fn from_hex(hex_key: &str) -> Result<Self, InvalidPublicKey> {
        let bytes: [u8; 32] = hex::decode(hex_key)
            .map_err(|e| InvalidPublicKey(e.to_string()))?
            .try_into()
            .map_err(|_| InvalidPublicKey("expected 32 bytes".into()))?;
        let key = VerifyingKey::from_bytes(&bytes).map_err(|e| InvalidPublicKey(e.to_string()))?;
        Ok(Self::new(key))
    }

    /// Turns the timestamp window off; only for checking published fixtures
    /// whose timestamps are years old.
    #[cfg(test)]
    fn without_age_check(mut self) -> Self {
        self.check_age = false;
        self
    }

    /// Verifies one request. `signature` and `timestamp` are the raw header
    /// values; `body` is the raw request body, exactly as received.
    pub fn verify(
        &self,
        signature: Option<&[u8]>,
        timestamp: Option<&[u8]>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), SignatureError> {
        let (Some(signature), Some(timestamp)) = (signature, timestamp) else {
            return Err(SignatureError::MissingHeader);
        };
        let mut sig_bytes = [0u8; 64];
        hex::decode_to_slice(signature, &mut sig_bytes)
            .map_err(|_| SignatureError::MalformedSignature)?;
        let signature = Signature::from_bytes(&sig_bytes);
        if self.check_age {
            let seconds: i64 = std::str::from_utf8(timestamp)
                .ok()
                .and_then(|t| t.parse().ok())
                .ok_or(SignatureError::MalformedTimestamp)?;
            if now.timestamp().abs_diff(seconds) > MAX_TIMESTAMP_SKEW_SECS.unsigned_abs() {
                return Err(SignatureError::StaleTimestamp);
            }
        }
        let mut message = Vec::with_capacity(timestamp.len() + body.len());
        message.extend_from_slice(timestamp);
        message.extend_from_slice(body);
        self.key
            .verify(&message, &signature)
            .map_err(|_| SignatureError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use ed25519_dalek::{Signer, SigningKey};

    // Discord's published PING fixture (ssMMiles/discord-interactions,
    // packages/verify-node/tests/data.json): a real request and its invalidly
    // signed twin one second later.
    const PUBLIC_KEY: &str = "c5568d0facd66bddee281dcb9c8ac02e169c5c20741b215b2539a96bb183c5d6";
    const BODY_VALID: &str = r#"{"application_id":"827290144020496384","id":"995105663481028770","token":"aW50ZXJhY3Rpb246OTk1MTA1NjYzNDgxMDI4NzcwOmlReEtWOXNxMTJWYXF4UlRkc2RyVEp0MDdDMlVyem1na0FTT21xNTZQNHR0MUlORDU1bmNCUTZZdTI5akJkb3FycjBuUDltNVp3VVVJbnA0UUkzMG13cVBGWE5qZFQyb1dkZEpqVVFEdmZEcGE2UHV5dFAyTE5rS2c2a2lZNDlx","type":1,"user":{"avatar":"27aeb42cc902f7d8712aa64ff15bfb7d","avatar_decoration":null,"discriminator":"6969","id":"170531778354741248","public_flags":576,"username":"miles"},"version":1}"#;
    const SIGNATURE_VALID: &str = "28b4ab5f09cce30c7f7f4ab4b47c311f0ce83dd8fec06d34e402c44d64223be5016f95339e64bdabcbd395e9147afe3f8cd024868330ab41014ae51b5573a009";
    const TIMESTAMP_VALID: &str = "1657322078";
    const BODY_INVALID: &str = r#"{"application_id":"827290144020496384","id":"995105663481028771","token":"aW50ZXJhY3Rpb246OTk1MTA1NjYzNDgxMDI4NzcxOmhRWEJ1SWlIRWNHTTVaYmFUc2pGRzR5SlZxM1hCSW9wMkxhald2anZ1ZDhaSWhQY3ZIM1d1NGJTNWRZbWs1SzQ4YzdpajEzd2ZkQVRDWEJuamxVN1A1TFhWRVoxWDVIMGV4MkhKSTRyN0ZyQ3JtWEYyem83UXZEV001VENiVUhJ","type":1,"user":{"avatar":"27aeb42cc902f7d8712aa64ff15bfb7d","avatar_decoration":null,"discriminator":"6969","id":"170531778354741248","public_flags":576,"username":"miles"},"version":1}"#;
    const SIGNATURE_INVALID: &str = "f740b665fd82b37a379626543cb10f9f1cd36b910be2bf3210bb70b5de11e096878c7e2b60a92931269ed49d58f249f32558853049a38fc6d66a831574ab7408";
    const TIMESTAMP_INVALID: &str = "1657322079";

    fn fixture_verifier() -> InteractionVerifier {
        InteractionVerifier::from_hex(PUBLIC_KEY)
            .unwrap()
            .without_age_check()
    }

    fn verify(
        v: &InteractionVerifier,
        sig: &str,
        ts: &str,
        body: &str,
    ) -> Result<(), SignatureError> {
        v.verify(
            Some(sig.as_bytes()),
            Some(ts.as_bytes()),
            body.as_bytes(),
            Utc::now(),
        )
    }

    #[test]
    fn discords_published_ping_verifies() {
        assert_eq!(
            verify(
                &fixture_verifier(),
                SIGNATURE_VALID,
                TIMESTAMP_VALID,
                BODY_VALID
            ),
            Ok(())
        );
    }

    #[test]
    fn discords_invalid_twin_is_rejected() {
        assert_eq!(
            verify(
                &fixture_verifier(),
                SIGNATURE_INVALID,
                TIMESTAMP_INVALID,
                BODY_INVALID
            ),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn a_valid_signature_over_another_timestamp_or_body_is_rejected() {
        let v = fixture_verifier();
        assert_eq!(
            verify(&v, SIGNATURE_VALID, TIMESTAMP_INVALID, BODY_VALID),
            Err(SignatureError::BadSignature)
        );
        let tampered = BODY_VALID.replace("miles", "niles");
        assert_eq!(
            verify(&v, SIGNATURE_VALID, TIMESTAMP_VALID, &tampered),
            Err(SignatureError::BadSignature)
        );
    }

    #[test]
    fn malformed_and_missing_headers_are_rejected() {
        let v = fixture_verifier();
        assert_eq!(
            verify(&v, "zz", TIMESTAMP_VALID, BODY_VALID),
            Err(SignatureError::MalformedSignature)
        );
        assert_eq!(
            verify(&v, &SIGNATURE_VALID[..126], TIMESTAMP_VALID, BODY_VALID),
            Err(SignatureError::MalformedSignature)
        );
        assert_eq!(
            v.verify(None, Some(b"1"), BODY_VALID.as_bytes(), Utc::now()),
            Err(SignatureError::MissingHeader)
        );
        assert_eq!(
            v.verify(
                Some(SIGNATURE_VALID.as_bytes()),
                None,
                BODY_VALID.as_bytes(),
                Utc::now()
            ),
            Err(SignatureError::MissingHeader)
        );
    }

    #[test]
    fn the_fixture_is_stale_when_the_age_check_is_on() {
        let v = InteractionVerifier::from_hex(PUBLIC_KEY).unwrap();
        assert_eq!(
            verify(&v, SIGNATURE_VALID, TIMESTAMP_VALID, BODY_VALID),
            Err(SignatureError::StaleTimestamp)
        );
        let at_fixture_time = Utc.timestamp_opt(1_657_322_078 + 299, 0).unwrap();
        assert_eq!(
            v.verify(
                Some(SIGNATURE_VALID.as_bytes()),
                Some(TIMESTAMP_VALID.as_bytes()),
                BODY_VALID.as_bytes(),
                at_fixture_time
            ),
            Ok(())
        );
    }

    #[test]
    fn an_extreme_timestamp_is_refused_not_overflowed() {
        let verifier = InteractionVerifier::new(
            crate::discord::dev_keys::DevKeypair::from_seed([3; 32]).verifying_key(),
        );
        let now = chrono::Utc::now();
        for ts in ["-9223372036854775808", "9223372036854775807"] {
            let result = verifier.verify(
                Some("ab".repeat(64).as_bytes()),
                Some(ts.as_bytes()),
                b"{}",
                now,
            );
            assert!(result.is_err(), "{ts}");
        }
    }

    #[test]
    fn timestamps_outside_five_minutes_either_way_are_rejected() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let v = InteractionVerifier::new(key.verifying_key());
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        for (offset, expected) in [
            (0, Ok(())),
            (-300, Ok(())),
            (300, Ok(())),
            (-301, Err(SignatureError::StaleTimestamp)),
            (301, Err(SignatureError::StaleTimestamp)),
        ] {
            let ts = (now.timestamp() + offset).to_string();
            let body = br#"{"type":1}"#;
            let mut msg = ts.as_bytes().to_vec();
            msg.extend_from_slice(body);
            let sig = hex::encode(key.sign(&msg).to_bytes());
            assert_eq!(
                v.verify(Some(sig.as_bytes()), Some(ts.as_bytes()), body, now),
                expected,
                "offset {offset}"
            );
        }
    }
}
