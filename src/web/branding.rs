//! Branding and link previews on every page (issue 16): the community's
//! name, logo, affiliate code and sign-up link, and the Open Graph /
//! Twitter card tags a link pasted in Discord is previewed from.
//!
//! The templates carry markers (`<!--brand:name-->`, `<!--brand:logo-->`,
//! `<!--brand:join-->`, `<!--brand:head-->`) that [`brand`] fills in on the
//! way out. One middleware instead of a field on every page struct: each page
//! (and the error page, rendered without the state) gets the same header,
//! footer and card, and a page added later cannot forget them.

use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Uri};
use axum::middleware::Next;
use axum::response::Response;

use crate::app::AppState;
use crate::config::Branding;
use crate::domain::masking::mask_username;
use crate::domain::money::Cents;
use crate::published::Published;
use crate::telemetry::ErrorChain;

/// Largest page the middleware rewrites; ours are a few tens of KiB, so a
/// bigger body is passed through untouched rather than buffered.
const MAX_PAGE: usize = 4 * 1024 * 1024;

/// The bundled card image used when `COMMUNITY_LOGO_URL` is unset.
pub const DEFAULT_CARD_IMAGE: &str = "/static/og-card.png";

/// Escapes text for HTML content and double-quoted attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "Sign up with code X", linked to `SIGNUP_URL` when set; empty without a
/// code (a bare sign-up link with no code would pay no one).
pub fn join_html(brand: &Branding) -> String {
    let Some(code) = &brand.affiliate_code else {
        return String::new();
    };
    let text = format!(
        "Sign up with code <strong class=\"code\">{}</strong>",
        escape(code)
    );
    match &brand.signup_url {
        Some(url) => format!(
            "<a class=\"join\" href=\"{}\" rel=\"noopener\">{text}</a>",
            escape(url)
        ),
        None => format!("<span class=\"join\">{text}</span>"),
    }
}

/// The logo: the image when configured, else the name on a badge.
pub fn logo_html(brand: &Branding) -> String {
    match &brand.logo_url {
        Some(url) => format!(
            "<img class=\"logo-img\" src=\"{}\" alt=\"{}\" width=\"28\" height=\"28\">",
            escape(url),
            escape(&brand.community_name)
        ),
        None => format!(
            "<span class=\"logo\" aria-hidden=\"true\">{}</span>",
            escape(&brand.community_name)
        ),
    }
}

/// The card's description: the month's prize pool and its (masked) leader.
pub fn card_description(brand: &Branding, published: &Published) -> String {
    let pool: Cents = published.month.prizes.iter().sum();
    let month = published.month.period;
    let leader = published.month.entries.first().map_or_else(
        || "no leader yet".to_string(),
        |e| {
            format!(
                "leader {} with {} weighted",
                mask_username(&e.username),
                e.weighted_wagered
            )
        },
    );
    let code = brand
        .affiliate_code
        .as_ref()
        .map(|c| format!(" Sign up with code {c}."))
        .unwrap_or_default();
    format!(
        "{} {month} leaderboard: {pool} prize pool, {leader}.{code}",
        brand.community_name
    )
}

/// The Open Graph and Twitter card tags of a page titled `title` at `uri`.
pub fn card_tags(state: &AppState, title: &str, uri: &Uri) -> String {
    let brand = &state.config.branding;
    let base = &state.config.public_base_url;
    let description = card_description(brand, &state.board.current());
    let (image, large) = match &brand.logo_url {
        Some(url) => (url.clone(), false),
        None => (format!("{base}{DEFAULT_CARD_IMAGE}"), true),
    };
    let url = format!("{base}{}", uri.path());
    let tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", brand.community_name.as_str()),
        ("property", "og:title", title),
        ("property", "og:description", description.as_str()),
        ("property", "og:url", url.as_str()),
        ("property", "og:image", image.as_str()),
        (
            "name",
            "twitter:card",
            if large {
                "summary_large_image"
            } else {
                "summary"
            },
        ),
        ("name", "twitter:title", title),
        ("name", "twitter:description", description.as_str()),
        ("name", "twitter:image", image.as_str()),
        ("name", "description", description.as_str()),
    ];
    tags.iter()
        .map(|(attr, name, content)| {
            format!("<meta {attr}=\"{name}\" content=\"{}\">", escape(content))
        })
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// The `<title>` text of a page (already escaped HTML: unescaped for the card).
fn title_of(html: &str) -> String {
    let Some(start) = html.find("<title>") else {
        return String::new();
    };
    let rest = &html[start + "<title>".len()..];
    let text = rest.find("</title>").map_or("", |end| &rest[..end]);
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// Fills the brand markers of an HTML page.
pub fn fill(state: &AppState, html: &str, uri: &Uri) -> String {
    let brand = &state.config.branding;
    let named = html
        .replace("<!--brand:name-->", &escape(&brand.community_name))
        .replace("<!--brand:logo-->", &logo_html(brand))
        .replace("<!--brand:join-->", &join_html(brand));
    if !named.contains("<!--brand:head-->") {
        return named;
    }
    let title = title_of(&named);
    named.replace("<!--brand:head-->", &card_tags(state, &title, uri))
}

/// Middleware: brands every HTML answer of the routes it wraps.
pub async fn brand(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let uri = request.uri().clone();
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match to_bytes(body, MAX_PAGE).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %ErrorChain(&e), "page body not readable for branding");
            return Response::from_parts(parts, Body::empty());
        }
    };
    let html = String::from_utf8_lossy(&bytes);
    let filled = fill(&state, &html, &uri);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_text_needs_a_code_and_escapes_it() {
        let mut brand = Branding::default();
        assert_eq!(join_html(&brand), "");
        brand.affiliate_code = Some("<b>".into());
        brand.signup_url = Some("https://roobet.com/?ref=a&b".into());
        let html = join_html(&brand);
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(
            html.contains("href=\"https://roobet.com/?ref=a&amp;b\""),
            "{html}"
        );
    }

    #[test]
    fn titles_are_read_back_unescaped() {
        assert_eq!(
            title_of("<head><title>A &amp; B · FTS</title></head>"),
            "A & B · FTS"
        );
        assert_eq!(title_of("<p>none</p>"), "");
    }
}
