//! The community's branding on the board messages (issue 16): every embed
//! of a board message gets an author line with `COMMUNITY_NAME`, the logo
//! and "Sign up with code …" linked to `SIGNUP_URL`. Applied to the
//! rendered message body, so the embeds' own rows and footers stay the
//! business of `embeds.rs`.

use serde_json::{json, Value};

use crate::config::Branding;

use super::embeds::limits;

/// Longest community name or code put in the author line; the author name
/// is capped at 256 characters by Discord.
const MAX_PART_CHARS: usize = 64;

fn clip(text: &str) -> String {
    text.chars().take(MAX_PART_CHARS).collect()
}

/// The author line of a board embed.
pub fn author(brand: &Branding) -> Value {
    let mut name = clip(&brand.community_name);
    if let Some(code) = &brand.affiliate_code {
        name.push_str(&format!(" · Sign up with code {}", clip(code)));
    }
    let mut author = json!({ "name": name });
    if let Some(url) = &brand.signup_url {
        author["url"] = json!(url);
    }
    if let Some(logo) = &brand.logo_url {
        author["icon_url"] = json!(logo);
    }
    author
}

fn chars(value: &Value) -> usize {
    value.as_str().map_or(0, |s| s.chars().count())
}

/// Characters Discord counts towards an embed's 6,000 total.
fn counted(embed: &Value) -> usize {
    let fields = embed["fields"].as_array().map_or(0, |fields| {
        fields
            .iter()
            .map(|f| chars(&f["name"]) + chars(&f["value"]))
            .sum()
    });
    chars(&embed["title"])
        + chars(&embed["description"])
        + chars(&embed["footer"]["text"])
        + chars(&embed["author"]["name"])
        + fields
}

/// Adds the author line to every embed of `body` that has room for it
/// (an embed already at Discord's total limit is left as it is).
pub fn brand_message(mut body: Value, brand: &Branding) -> Value {
    let author = author(brand);
    let extra = chars(&author["name"]);
    if let Some(embeds) = body["embeds"].as_array_mut() {
        for embed in embeds {
            if embed.get("author").is_none() && counted(embed) + extra <= limits::TOTAL {
                embed["author"] = author.clone();
            }
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_embeds_carry_the_community_and_its_code() {
        let brand = Branding {
            community_name: "Spin Club".into(),
            logo_url: Some("https://cdn.example/logo.png".into()),
            affiliate_code: Some("SPIN".into()),
            signup_url: Some("https://roobet.com/?ref=spin".into()),
        };
        let body = json!({ "embeds": [{ "title": "Board", "description": "rows" }] });
        let branded = brand_message(body, &brand);
        let author = &branded["embeds"][0]["author"];
        assert_eq!(author["name"], "Spin Club · Sign up with code SPIN");
        assert_eq!(author["url"], "https://roobet.com/?ref=spin");
        assert_eq!(author["icon_url"], "https://cdn.example/logo.png");
    }

    #[test]
    fn the_default_brand_is_fts_and_a_full_embed_is_left_alone() {
        let body = json!({ "embeds": [{ "description": "x".repeat(limits::TOTAL) }] });
        let branded = brand_message(body, &Branding::default());
        assert!(branded["embeds"][0].get("author").is_none());
        assert_eq!(author(&Branding::default())["name"], "FTS");
    }
}
