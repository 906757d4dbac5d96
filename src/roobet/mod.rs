//! Everything that talks to Roobet: the affiliate stats API that feeds the
//! leaderboards, the tipping API that pays rewards, and a fake casino that
//! speaks both so tests and the `demo` mode never need the real one.
//!
//! Money crosses the boundary exactly once: [`wire`] turns USD floats into
//! [`crate::domain::money::Cents`] and rejects anything it cannot trust.

pub mod affiliate;
pub mod body;
pub mod error;
pub mod fake;
mod loose;
pub mod simulation;
pub mod tipping;
pub mod wire;

#[cfg(test)]
mod end_to_end_tests;

pub use affiliate::{AffiliateClient, RetryPolicy, StatsFilter, StatsQuery};
pub use error::AffiliateError;
pub use fake::{
    FakeCallKind, FakeCasino, FakeMode, FakeRow, RecordedQuery, RecordedTip, TipBehaviour,
    DEMO_AFFILIATE_TOKEN, DEMO_TIPPING_TOKEN, DEMO_USER_ID,
};
pub use tipping::{TipOutcome, TipRequest, TippingClient};
pub use wire::StatsRow;
