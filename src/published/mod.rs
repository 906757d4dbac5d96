//! The published snapshot: what every read endpoint (pages, JSON, slash
//! commands) serves. A poll cycle builds a new one from what it persisted and
//! swaps it in whole, so readers never touch the database and never see half
//! a cycle. At startup it is rebuilt from the database, so a restart serves
//! the same boards before the first poll finishes.

mod rebuild;

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use std::collections::HashMap;

use crate::domain::leaderboard::MonthlyEntry;
use crate::domain::milestones::{current_tier, Tier};
use crate::domain::money::Cents;
use crate::domain::multiplier::MultiplierEntry;
use crate::domain::names::identity_key;
use crate::domain::period::{MonthPeriod, WeekPeriod};
use crate::domain::players::{MonthTotals, PlayerFigures};

pub use rebuild::{assemble, attach_month_tips, excluded_uids, published_from_store};

/// Rows every view of a board shows (Discord embed, page, JSON): the top 10.
pub const BOARD_ROWS: usize = 10;

/// This month's weighted-wager board.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthBoard {
    /// The calendar month shown.
    pub period: MonthPeriod,
    /// Every ranked player in rank order (usernames unmasked: mask at the edge).
    pub entries: Vec<MonthlyEntry>,
    /// Prize per rank, rank 1 first.
    pub prizes: Vec<Cents>,
    /// The month's community totals.
    pub totals: MonthTotals,
    /// The milestone tiers, lowest first: each row shows the tier badge its
    /// weighted wager has reached (as the original board did).
    pub tiers: Vec<Tier>,
    /// Public tips each shown player received this month, by uid (the
    /// original board's "tips earned"); absent means none.
    pub tips: HashMap<String, Cents>,
    /// Whether `tips` counts dry runs (the demo only): every view then
    /// labels them as test data.
    pub tips_test_data: bool,
}

impl MonthBoard {
    /// The highest tier `weighted` has reached, if any.
    pub fn tier_of(&self, weighted: Cents) -> Option<&Tier> {
        current_tier(&self.tiers, weighted)
    }

    /// Tips `uid` received this month.
    pub fn tips_of(&self, uid: &str) -> Cents {
        self.tips.get(uid).copied().unwrap_or(Cents::ZERO)
    }
}

/// This week's highest-multiplier board.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekBoard {
    /// The ISO week shown.
    pub period: WeekPeriod,
    /// Every ranked player in rank order (usernames unmasked).
    pub entries: Vec<MultiplierEntry>,
    /// Prize per rank, rank 1 first.
    pub prizes: Vec<Cents>,
    /// The minimum bet a hit needs, if the rewards file sets one.
    pub min_bet: Option<Cents>,
}

/// Everything the read side serves, as of one successful poll cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The monthly board.
    pub month: MonthBoard,
    /// The weekly board.
    pub week: WeekBoard,
    /// This month's figures of every player seen (for `/mywager`), excluded
    /// players included (they may still look themselves up).
    pub month_players: Vec<PlayerFigures>,
    /// When the data was fetched (the last successful cycle); `None` before
    /// the first one.
    pub updated_at: Option<DateTime<Utc>>,
    /// This snapshot's JSON documents, rendered by the first request that
    /// needs them and then served as bytes until the next snapshot.
    pub rendered: RenderedDocs,
}

/// JSON documents of one snapshot, rendered at most once each. A copy of a
/// snapshot starts empty (it may be changed before it is published), and
/// the cache never makes two snapshots differ.
#[derive(Debug, Default)]
pub struct RenderedDocs {
    /// `/api/leaderboard`.
    pub leaderboard: std::sync::OnceLock<Rendered>,
    /// `/api/multipliers`.
    pub multipliers: std::sync::OnceLock<Rendered>,
}

impl Clone for RenderedDocs {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl PartialEq for RenderedDocs {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Published {
    /// Empty boards for the periods containing `now`, before any data.
    pub fn empty(
        now: DateTime<Utc>,
        monthly_prizes: Vec<Cents>,
        weekly_prizes: Vec<Cents>,
    ) -> Self {
        Self {
            month: MonthBoard {
                period: MonthPeriod::containing(now),
                entries: Vec::new(),
                prizes: monthly_prizes,
                totals: MonthTotals::default(),
                tiers: Vec::new(),
                tips: HashMap::new(),
                tips_test_data: false,
            },
            week: WeekBoard {
                period: WeekPeriod::containing(now),
                entries: Vec::new(),
                prizes: weekly_prizes,
                min_bet: None,
            },
            month_players: Vec::new(),
            updated_at: None,
            rendered: RenderedDocs::default(),
        }
    }

    /// This month's players whose name is `username` by the one identity
    /// rule ([`identity_key`]: case, width, hidden and blank characters
    /// ignored). More than one means the name is ambiguous and must not be
    /// resolved to a guess.
    pub fn month_players_named(&self, username: &str) -> Vec<&PlayerFigures> {
        let wanted = identity_key(username);
        if wanted.is_empty() {
            return Vec::new();
        }
        self.month_players
            .iter()
            .filter(|p| identity_key(&p.username) == wanted)
            .collect()
    }
}

/// Called with every snapshot swapped in (the live events of issue 16).
pub type PublishListener = Box<dyn Fn(&Published) + Send + Sync>;

/// The slot holding the current [`Published`] snapshot.
pub struct Board {
    current: RwLock<Arc<Published>>,
    listener: std::sync::OnceLock<PublishListener>,
}

impl std::fmt::Debug for Board {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Board")
            .field("current", &self.current)
            .field("listener", &self.listener.get().is_some())
            .finish()
    }
}

impl Board {
    /// A board serving `initial`.
    pub fn new(initial: Published) -> Self {
        Self {
            current: RwLock::new(Arc::new(initial)),
            listener: std::sync::OnceLock::new(),
        }
    }

    /// The snapshot to serve now; cheap (an `Arc` clone).
    pub fn current(&self) -> Arc<Published> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Swaps in a new snapshot, then tells the listener (if any) about it.
    pub fn publish(&self, next: Published) {
        let next = Arc::new(next);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = next.clone();
        if let Some(listener) = self.listener.get() {
            listener(&next);
        }
    }

    /// Sets the one listener told of every publish (the live events); a
    /// second call is ignored. Kept as a callback so this module stays free
    /// of the web layer that renders the documents.
    pub fn on_publish(&self, listener: PublishListener) {
        let _ = self.listener.set(listener);
    }
}

/// A JSON document rendered once per change of its data and served as is:
/// no request builds, serialises or hashes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The exact bytes sent.
    pub body: axum::body::Bytes,
    /// Strong ETag: the quoted SHA-256 hex of `body`, so equal bytes (and
    /// only they) keep the tag across rebuilds and restarts.
    pub etag: String,
}

impl Rendered {
    /// Wraps rendered bytes and computes their tag.
    pub fn new(body: Vec<u8>) -> Self {
        use sha2::{Digest, Sha256};
        let etag = format!("\"{}\"", hex::encode(Sha256::digest(&body)));
        Self {
            body: body.into(),
            etag,
        }
    }
}

/// What the tips documents were built from: a digest of the public part of
/// the ledger (count, sum, newest id and time of confirmed payouts, and the
/// dry-run count and sum). When it has not moved, nothing is rebuilt.
pub type TipsMarker = [i64; 6];

/// The tips documents as of one state of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipsDocs {
    /// The ledger state they show; `None` before the first build.
    pub marker: Option<TipsMarker>,
    /// `/api/tips` pages, page 1 (newest payouts) first; never empty.
    pub api_pages: Vec<Rendered>,
    /// `/allTimeTips.json`.
    pub all_time: Rendered,
}

/// The slot holding the current [`TipsDocs`], and the lock that keeps two
/// rebuilds from publishing out of order.
#[derive(Debug)]
pub struct TipsBoard {
    current: RwLock<Arc<TipsDocs>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl TipsBoard {
    /// A board serving `initial`.
    pub fn new(initial: TipsDocs) -> Self {
        Self {
            current: RwLock::new(Arc::new(initial)),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }

    /// The documents to serve now; cheap (an `Arc` clone).
    pub fn current(&self) -> Arc<TipsDocs> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Held by whoever rebuilds, from reading the marker to publishing.
    pub async fn rebuild_guard(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.rebuilding.lock().await
    }

    /// Swaps in new documents.
    pub fn publish(&self, next: TipsDocs) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
    }
}
