//! The HTTP surface other than `/interactions`: operations endpoints now,
//! public pages and JSON as they land.

pub mod health;
pub mod metrics;

use std::sync::Arc;

use axum::Router;

use crate::app::AppState;

/// The public pages and JSON documents.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
}
