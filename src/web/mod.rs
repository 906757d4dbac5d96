//! The HTTP surface other than `/interactions`: operations endpoints now,
//! public pages and JSON as they land.

pub mod health;
pub mod metrics;
