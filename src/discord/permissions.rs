//! Who may run admin commands. Checked on every call from the interaction
//! itself: a guild can override a command's default permissions, so the
//! registration's `default_member_permissions` is a convenience, not a guard.

use twilight_model::application::interaction::Interaction;
use twilight_model::guild::Permissions;

/// Whether the caller may use admin commands: Manage Server, Administrator,
/// or the configured admin role. Direct messages (no member) never are.
pub fn is_admin(interaction: &Interaction, admin_role_id: Option<u64>) -> bool {
    let Some(member) = interaction.member.as_ref() else {
        return false;
    };
    let by_permission = member.permissions.is_some_and(|p| {
        p.contains(Permissions::ADMINISTRATOR) || p.contains(Permissions::MANAGE_GUILD)
    });
    let by_role = admin_role_id.is_some_and(|role| member.roles.iter().any(|r| r.get() == role));
    by_permission || by_role
}
