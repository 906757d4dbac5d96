//! The job loop: a poll cycle at startup and every `POLL_INTERVAL_SECS`,
//! one at a time, only on the leader. Followers (other replicas on the same
//! PostgreSQL) refresh their published snapshot from the database instead,
//! so every replica serves the same boards. Shutdown stops the loop between
//! cycles: a running cycle finishes first.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::poll;
use super::runtime::Jobs;
use crate::published::published_from_store;
use crate::telemetry::ErrorChain;

/// Runs jobs until `stop` turns true.
pub async fn run(jobs: Arc<Jobs>, mut stop: watch::Receiver<bool>) {
    let state = &jobs.state;
    if !state.polling_enabled() {
        tracing::info!("background jobs are off: polling is not configured");
        return;
    }
    let interval = Duration::from_secs(state.config.poll_interval_secs.max(1));
    // The month-history backfill (jobs::history): started after a good
    // cycle on the leader, again after the next one while it is not done.
    let mut history: Option<tokio::task::JoinHandle<bool>> = None;
    let mut history_done = false;
    loop {
        if *stop.borrow() {
            break;
        }
        match jobs.leadership.check().await {
            Ok(true) => {
                if poll::run_and_record(&jobs).await.is_ok() {
                    super::after_cycle(state).await;
                    if let Some(task) = history.take_if(|task| task.is_finished()) {
                        history_done = task.await.unwrap_or(false);
                    }
                    if !history_done && history.is_none() {
                        history = Some(super::history::spawn(state.clone()));
                    }
                }
            }
            Ok(false) => refresh_follower(&jobs).await,
            Err(e) => {
                tracing::warn!(error = %ErrorChain(&e), "cannot check the job lock; retrying next interval")
            }
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.changed() => break,
        }
    }
    if let Some(task) = history {
        task.abort();
    }
    jobs.leadership.release().await;
    tracing::info!("background jobs stopped");
}

async fn refresh_follower(jobs: &Jobs) {
    let state = &jobs.state;
    let now = state.clock.now();
    let refreshed = async {
        let mut conn = state.store.pool().acquire().await?;
        published_from_store(&mut conn, &state.rewards, now, state.tips_listing()).await
    };
    match refreshed.await {
        Ok(published) => {
            if let Some(at) = published.updated_at {
                jobs.update_poll_status(|status| status.last_success = Some(at));
            }
            state.board.publish(published);
        }
        Err(e) => tracing::warn!(error = %ErrorChain(&e), "follower could not refresh the boards"),
    }
}
