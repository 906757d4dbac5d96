//! The subcommands behind `main.rs`: each is a function that returns
//! `anyhow::Result`, because at this level an error is reported, not handled.

pub mod backfill;
pub mod cutover;
pub mod demo_discord;
pub mod interact;
pub mod legacy;
pub mod register;
pub mod serve;
