//! Who runs the jobs. On SQLite the process is the leader. On PostgreSQL
//! several replicas may serve requests, but only the one holding a session
//! advisory lock polls and pays: the lock lives on a connection kept out of
//! the pool, so it is released when that connection (or the process) dies.

use sqlx::{AnyConnection, Connection};
use tokio::sync::Mutex;

use crate::store::{job_lock, DbKind, Store, StoreError};
use crate::telemetry::ErrorChain;

/// This process's claim on the job lock.
pub struct Leadership {
    store: Store,
    held: Mutex<Option<AnyConnection>>,
}

impl Leadership {
    /// Not yet leader (SQLite always becomes one on the first check).
    pub fn new(store: Store) -> Self {
        Self {
            store,
            held: Mutex::new(None),
        }
    }

    /// Whether this process may run jobs now: keeps the lock if held (and
    /// its connection still answers), else tries to take it.
    pub async fn check(&self) -> Result<bool, StoreError> {
        if self.store.kind() == DbKind::Sqlite {
            return Ok(true);
        }
        let mut held = self.held.lock().await;
        if let Some(conn) = held.as_mut() {
            if conn.ping().await.is_ok() {
                return Ok(true);
            }
            tracing::warn!("lost the job lock's connection: leadership dropped");
            *held = None;
        }
        let mut conn = self.store.pool().acquire().await?.detach();
        let acquired = job_lock::try_lock(&mut conn).await?;
        if acquired {
            tracing::info!("took the job lock: this replica polls and pays");
            *held = Some(conn);
        } else {
            conn.close().await.ok();
        }
        Ok(acquired)
    }

    /// Gives the lock up (graceful shutdown), so another replica takes over
    /// at its next check.
    pub async fn release(&self) {
        if let Some(mut conn) = self.held.lock().await.take() {
            // Unlock explicitly: closing alone frees the lock only when the
            // server's backend has exited, a moment after `close` returns.
            if let Err(e) = job_lock::unlock(&mut conn).await {
                tracing::warn!(error = %ErrorChain(&e), "job lock not unlocked explicitly; closing its connection");
            }
            conn.close().await.ok();
        }
    }
}
