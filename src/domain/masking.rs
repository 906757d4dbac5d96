//! Placeholder until the domain layer lands.

/// Masks a username for public views.
pub fn mask_username(name: &str) -> String {
    let n = name.chars().count();
    if n <= 3 {
        return "***".into();
    }
    let kept: String = name.chars().take(n - 3).collect();
    format!("{kept}***")
}
