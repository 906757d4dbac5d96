//! Emoji as the web shows them. Discord custom emoji text
//! (`<:rank1:1389367229417656543>`, `<a:spin:…>` when animated) means
//! nothing outside Discord: on a page it becomes the emoji's image from
//! Discord's CDN with its name as alt text. Anything else is shown as text
//! (askama escapes it).

/// One emoji ready for a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmojiView {
    /// A Discord custom emoji: its CDN image and name.
    Image {
        /// `https://cdn.discordapp.com/emojis/{id}.png` (`.gif` if animated).
        url: String,
        /// The emoji's name, for `alt` and `title`.
        name: String,
    },
    /// A Unicode emoji (or any other short text), shown as is.
    Text(String),
}

impl EmojiView {
    /// Parses emoji text as configured by staff (tier emojis, challenge
    /// emojis). Only a well-formed custom emoji (`<:name:digits>` or
    /// `<a:name:digits>`) becomes an image; the URL is built from the digits
    /// alone, so nothing typed can point the page elsewhere.
    pub fn of(text: &str) -> Self {
        let text = text.trim();
        let custom = text
            .strip_prefix('<')
            .and_then(|t| t.strip_suffix('>'))
            .and_then(|inner| {
                let (animated, rest) = match inner.strip_prefix("a:") {
                    Some(rest) => (true, rest),
                    None => (false, inner.strip_prefix(':')?),
                };
                let (name, id) = rest.rsplit_once(':')?;
                let name_ok = !name.is_empty()
                    && name.len() <= 32
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                let id_ok = (15..=21).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_digit());
                (name_ok && id_ok).then(|| (animated, name.to_owned(), id.to_owned()))
            });
        match custom {
            Some((animated, name, id)) => Self::Image {
                url: format!(
                    "https://cdn.discordapp.com/emojis/{id}.{}",
                    if animated { "gif" } else { "png" }
                ),
                name,
            },
            None => Self::Text(text.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::EmojiView;

    #[test]
    fn custom_emoji_become_cdn_images_and_the_rest_stays_text() {
        assert_eq!(
            EmojiView::of("<:rank1:1389367229417656543>"),
            EmojiView::Image {
                url: "https://cdn.discordapp.com/emojis/1389367229417656543.png".into(),
                name: "rank1".into()
            }
        );
        assert_eq!(
            EmojiView::of("<a:spin:1389367229417656544>"),
            EmojiView::Image {
                url: "https://cdn.discordapp.com/emojis/1389367229417656544.gif".into(),
                name: "spin".into()
            }
        );
        assert_eq!(EmojiView::of("🥇"), EmojiView::Text("🥇".into()));
        // Malformed or hostile text is never turned into a URL.
        for odd in [
            "<:x:12>",
            "<:bad name:1389367229417656543>",
            "<:x:1389367229417656543/../../evil>",
            "<b:x:1389367229417656543>",
        ] {
            assert!(matches!(EmojiView::of(odd), EmojiView::Text(_)), "{odd}");
        }
    }
}
