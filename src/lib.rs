//! FTS Assistant: a Discord bot (HTTP interactions, no gateway) and public
//! leaderboard service for a Roobet affiliate community.
//!
//! The binary (`main.rs`) only parses the command line; everything else lives
//! here so the black-box tests build exactly the application that runs.

#![forbid(unsafe_code)]

pub mod app;
pub mod budgets;
pub mod cache;
pub mod chart;
pub mod cli;
pub mod clients;
pub mod clock;
pub mod config;
pub mod discord;
pub mod domain;
pub mod events;
pub mod jobs;
pub mod metrics;
pub mod payments;
pub mod peers;
pub mod published;
pub mod roobet;
pub mod server;
pub mod store;
pub mod telemetry;
pub mod web;
