//! Everything Discord: the signed interactions endpoint and its router, the
//! slash commands, the REST client for channel messages, and the dev tools
//! that let anyone try commands without Discord.

pub mod branding;
pub mod commands;
pub mod dev_keys;
pub mod embeds;
pub mod endpoint;
pub mod permissions;
pub mod posts;
pub mod respond;
pub mod rest;
pub mod router;
pub mod signature;
pub mod synth;
