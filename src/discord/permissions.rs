//! Who may run admin commands and press admin buttons. Checked on every call
//! from the interaction itself: a guild can override a command's default
//! permissions, so the registration's `default_member_permissions` is a
//! convenience, not a guard.
//!
//! Admin rights only exist inside the community's guild (`GUILD_ID`): a bot
//! registered globally can be added to anyone's server, and that server's
//! owner holds Manage Server there. Without `GUILD_ID` nobody is an admin.

use twilight_model::application::interaction::Interaction;
use twilight_model::guild::Permissions;

/// Why an admin action was refused; `Display` is shown to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AdminDenied {
    /// `GUILD_ID` is not configured, so no guild's admins can be trusted.
    #[error("admin actions are switched off: the operator has not set GUILD_ID")]
    NoGuildConfigured,
    /// The interaction came from a direct message or from another server.
    #[error("admin actions only work in the community's own Discord server")]
    ForeignGuild,
    /// The caller lacks Manage Server, Administrator and the admin role.
    #[error("this is for admins only (Manage Server or the admin role)")]
    NotAdmin,
}

/// Who counts as an admin, from the configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminPolicy {
    /// The community's guild; `None` refuses every admin action.
    pub guild_id: Option<u64>,
    /// Members with this role are admins besides Manage Server holders.
    pub admin_role_id: Option<u64>,
    /// One extra Discord user who is always an admin inside the guild (the
    /// original bot's `BOT_OWNER_ID`).
    pub owner_user_id: Option<u64>,
}

impl AdminPolicy {
    /// Whether the caller may take admin actions here: the interaction comes
    /// from the configured guild, and the member holds Manage Server,
    /// Administrator, the admin role, or is the configured owner.
    pub fn check(&self, interaction: &Interaction) -> Result<(), AdminDenied> {
        let guild = self.guild_id.ok_or(AdminDenied::NoGuildConfigured)?;
        if interaction.guild_id.map(|g| g.get()) != Some(guild) {
            return Err(AdminDenied::ForeignGuild);
        }
        let Some(member) = interaction.member.as_ref() else {
            return Err(AdminDenied::ForeignGuild);
        };
        let by_permission = member.permissions.is_some_and(|p| {
            p.contains(Permissions::ADMINISTRATOR) || p.contains(Permissions::MANAGE_GUILD)
        });
        let by_role = self
            .admin_role_id
            .is_some_and(|role| member.roles.iter().any(|r| r.get() == role));
        let by_owner = self
            .owner_user_id
            .is_some_and(|owner| interaction.author_id().is_some_and(|id| id.get() == owner));
        if by_permission || by_role || by_owner {
            Ok(())
        } else {
            Err(AdminDenied::NotAdmin)
        }
    }
}
