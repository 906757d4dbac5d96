//! Persistence on SQLite (the embedded default) or PostgreSQL.
//!
//! One copy of each query: everything goes through sqlx's `Any` driver with
//! SQL both databases accept (`$n` parameters, `ON CONFLICT` upserts, integer
//! cents, Unix-millisecond times). The few real differences — migrations'
//! identity columns and the job lock — live in this module and `leader.rs`.
//!
//! SQL assembled at run time is wrapped in `AssertSqlSafe`: it only ever
//! splices our own constants (column lists, status literals, `'static`
//! clauses) and `$n` placeholders; every value travels as a bind parameter.

pub mod audit;
pub mod challenges;
pub mod cutover;
pub mod cycles;
pub mod error;
pub mod games;
pub mod goals;
pub mod interactions;
pub mod job_lock;
pub mod legacy;
pub mod milestones;
pub mod payouts;
pub mod periods;
pub mod players;
pub mod public_tips;
pub mod settings;
pub mod snapshots;
pub mod standings;
pub mod tip_stats;
pub mod totals;
pub mod wagers;

use std::time::{Duration, Instant};

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use error::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("migrations/postgres");

/// The `VALUES` list of a multi-row insert: `(…), (…)` with `rows` tuples of
/// `columns` placeholders. PostgreSQL takes `$n`; SQLite gets plain `?`,
/// because it treats `$n` as *named* parameters and resolving thousands of
/// names makes a large batch quadratic. Both bind positionally, so the rest
/// of the statement — one copy for both — is unaffected.
pub(crate) fn values_rows(conn: &sqlx::AnyConnection, rows: usize, columns: usize) -> String {
    let positional = is_sqlite(conn);
    let mut sql = String::with_capacity(rows * columns * 5);
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            if positional {
                sql.push('?');
            } else {
                sql.push_str(&format!("${}", row * columns + column + 1));
            }
        }
        sql.push(')');
    }
    sql
}

/// The `n`th (1-based) bind parameter in a statement built with
/// [`values_rows`]: `$n` on PostgreSQL, `?` on SQLite (binds are positional
/// there, so the statement must bind in the order the placeholders appear).
pub(crate) fn placeholder(conn: &sqlx::AnyConnection, n: usize) -> String {
    if is_sqlite(conn) {
        "?".into()
    } else {
        format!("${n}")
    }
}

fn is_sqlite(conn: &sqlx::AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("sqlite")
}

/// Splits `rows` into batches for multi-row statements (inserts, `IN`
/// lists) whose sizes are powers of two no larger than `max`, largest first.
///
/// Every distinct batch size is a distinct SQL text, and each connection keeps
/// its prepared statements (on SQLite in this process's memory: a few hundred
/// placeholders compile to a large program). Arbitrary sizes would fill every
/// connection's statement cache with one-off shapes and grow the process for
/// hours; powers of two keep it to about ten shapes per statement, all reused.
pub(crate) fn batches<T>(rows: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let top = largest_power_of_two_at_most(max.max(1));
    let mut rest = rows;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let size = top.min(largest_power_of_two_at_most(rest.len()));
        let (head, tail) = rest.split_at(size);
        rest = tail;
        Some(head)
    })
}

fn largest_power_of_two_at_most(n: usize) -> usize {
    debug_assert!(n > 0);
    1 << (usize::BITS - 1 - n.leading_zeros())
}

/// Which database engine a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    /// Embedded, one process.
    Sqlite,
    /// Shared, several replicas possible.
    Postgres,
}

impl DbKind {
    /// The engine a `DATABASE_URL` names.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl)
        }
    }

    /// Human name for `/status` and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// The database handle every part of the service shares. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    kind: DbKind,
}

impl Store {
    /// Connects to `url` (the SQLite file is created if missing). Does not migrate.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let kind = DbKind::of_url(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match kind {
            DbKind::Sqlite => {
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA cache_size = -1024;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(url)
                    .await?
            }
            DbKind::Postgres => options.max_connections(16).connect(url).await?,
        };
        Ok(Self { pool, kind })
    }

    /// Applies the migrations of this engine that are not applied yet.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        let migrator = match self.kind {
            DbKind::Sqlite => &SQLITE_MIGRATIONS,
            DbKind::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await?;
        // Name keys follow the code's identity rule, not a migration's SQL
        // (SQL has no NFKC): refresh the ones an older release wrote.
        let mut tx = self.begin_write().await?;
        let rekeyed = players::rekey_identities(&mut tx).await?;
        tx.commit().await?;
        if rekeyed > 0 {
            tracing::info!(rekeyed, "player name keys refreshed to the identity rule");
        }
        Ok(())
    }

    /// Connects and migrates: what `serve` and the tests do at startup.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// The engine behind this store.
    pub fn kind(&self) -> DbKind {
        self.kind
    }

    /// Begins a transaction that will write. On SQLite it is `BEGIN
    /// IMMEDIATE`, taking the write lock up front: a deferred transaction
    /// that reads first and writes later fails at once with
    /// `SQLITE_BUSY_SNAPSHOT` (no busy timeout helps) when another
    /// connection committed in between — a challenge check reading the
    /// exclusions while the payout worker marks a tip sent. Writers now queue
    /// on the lock for up to the busy timeout instead. PostgreSQL's
    /// row-level locking needs nothing special.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.kind {
            DbKind::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            DbKind::Postgres => self.pool.begin().await?,
        })
    }

    /// The connection pool, for the query modules of this crate.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Round-trips a trivial query; `/readyz` and `/status` use the latency.
    pub async fn ping(&self) -> Result<Duration, StoreError> {
        let started = Instant::now();
        let _: Option<AnyRow> = sqlx::query("SELECT 1").fetch_optional(&self.pool).await?;
        Ok(started.elapsed())
    }

    /// Closes every connection; waits for queries in flight.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::batches;

    fn sizes(n: usize, max: usize) -> Vec<usize> {
        let rows: Vec<usize> = (0..n).collect();
        let parts: Vec<&[usize]> = batches(&rows, max).collect();
        let joined: Vec<usize> = parts.iter().flat_map(|p| p.iter().copied()).collect();
        assert_eq!(joined, rows, "every row once, in order");
        parts.iter().map(|p| p.len()).collect()
    }

    #[test]
    fn batches_are_powers_of_two_up_to_the_cap() {
        assert_eq!(sizes(0, 512), Vec::<usize>::new());
        assert_eq!(sizes(1, 512), vec![1]);
        assert_eq!(sizes(40, 512), vec![32, 8]);
        assert_eq!(sizes(255, 512), vec![128, 64, 32, 16, 8, 4, 2, 1]);
        assert_eq!(sizes(1_300, 512), vec![512, 512, 256, 16, 4]);
        assert_eq!(
            sizes(2_500, 1_000),
            vec![512, 512, 512, 512, 256, 128, 64, 4]
        );
        assert_eq!(sizes(3, 0), vec![1, 1, 1]);
    }

    #[test]
    fn a_long_run_of_cycles_uses_few_statement_shapes() {
        let mut shapes = std::collections::BTreeSet::new();
        for n in 0..5_000 {
            shapes.extend(sizes(n, 512));
        }
        assert_eq!(shapes.len(), 10, "{shapes:?}");
    }
}
