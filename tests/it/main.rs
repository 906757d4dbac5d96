//! The integration tests, in one binary: every module links the crate once
//! (one `tests/*.rs` file per area would link it once each) and shares
//! [`common`], the harness that runs the real application on a random
//! loopback port against a fresh database.
//!
//! Run one area with `cargo test --test it <module>::`, e.g.
//! `cargo test --test it payouts::`.

#[macro_use]
mod common;

mod admin_tips;
mod analytics;
mod binary;
mod browser;
mod challenges;
mod cutover;
mod data_path;
mod demo;
mod discord_rest;
mod end_to_end;
mod endpoint_fuzz;
mod held_tiers;
mod interactions;
mod layering;
mod ledger_invariant;
mod live;
mod migrations;
mod payout_faults;
mod payouts;
mod publisher;
mod replica_failover;
mod roobet_caps;
mod server_limits;
mod soak;
mod web_api;
mod web_pages;
mod web_tips;
mod write_transactions;
