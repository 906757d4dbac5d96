//! The real `fts-assistant serve` binary as a child process, for the tests
//! that must kill it (SIGKILL mid-tip, a replica dying) or stop it the way
//! an orchestrator does (SIGTERM). It talks to the fake casino with the demo
//! credentials, writes its output to `<dir>/<name>.log`, and is killed when
//! dropped, so a failing assertion never leaves a server behind.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use fts_assistant::domain::milestones::default_tiers;
use fts_assistant::domain::money::Cents;
use fts_assistant::roobet::fake::{
    FakeCasino, DEMO_AFFILIATE_TOKEN, DEMO_TIPPING_TOKEN, DEMO_USER_ID,
};

/// The milestone payouts (key → cents) the ledger must hold, each once,
/// when player `uid-{i}` ended this month at `final_wagers[i]` weighted
/// dollars under the default tiers: what a served binary paid is checked
/// against this.
pub fn earned_milestones(final_wagers: &[u64]) -> BTreeMap<String, i64> {
    let month = chrono::Utc::now().format("%Y-%m").to_string();
    let tiers = default_tiers();
    let mut earned = BTreeMap::new();
    for (i, usd) in final_wagers.iter().enumerate() {
        for tier in tiers
            .iter()
            .filter(|t| t.threshold <= Cents::new(*usd as i64 * 100))
        {
            earned.insert(
                format!("milestone:{month}:uid-{i}:{}", tier.number),
                tier.tip.cents(),
            );
        }
    }
    earned
}

/// A port nothing listens on right now (the OS picked it).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One running `serve` process.
pub struct Served {
    /// Names the log file and failure messages.
    pub name: &'static str,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    child: Option<Child>,
    log: PathBuf,
}

impl Served {
    /// Starts `serve` on a free loopback port against `casino` and
    /// `database_url`, tips back to back, the first cycle paying the tiers
    /// it finds (a fresh database); `customize` adds or overrides
    /// environment variables. The log is appended to, so a restart under
    /// the same name keeps the earlier run's lines.
    pub fn start(
        name: &'static str,
        casino: &FakeCasino,
        database_url: &str,
        dir: &Path,
        customize: impl FnOnce(&mut Command),
    ) -> Self {
        let port = free_port();
        let base = casino.base_url().to_string();
        let log = dir.join(format!("{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_fts-assistant"));
        command
            .arg("serve")
            .current_dir(dir)
            .env_clear()
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("DATABASE_URL", database_url)
            .env("ROOBET_API_BASE", &base)
            .env("ROOBET_API_TOKEN", DEMO_AFFILIATE_TOKEN)
            .env("ROOBET_USER_ID", DEMO_USER_ID)
            .env("TIPPING_API_BASE", &base)
            .env("TIPPING_API_TOKEN", DEMO_TIPPING_TOKEN)
            .env("TIP_INTERVAL_SECS", "0")
            // A fresh database: pay the tiers the first cycle finds (see jobs::first_run).
            .env("FIRST_RUN_PAYS_EXISTING", "true")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(file.try_clone().unwrap())
            .stderr(file);
        customize(&mut command);
        Self {
            name,
            base_url: format!("http://127.0.0.1:{port}"),
            child: Some(command.spawn().unwrap()),
            log,
        }
    }

    /// Everything the process wrote so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The last lines of the log, for failure messages.
    pub fn tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        format!(
            "--- last lines of {} ---\n{}",
            self.name,
            lines[lines.len().saturating_sub(30)..].join("\n")
        )
    }

    /// The process id (memory sampling).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// SIGKILL: no graceful shutdown, no lock released, no outcome recorded.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Whether the process has not exited.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// SIGTERM, then waits up to `limit` for a clean exit; whether it had one
    /// (killed otherwise).
    pub async fn stop_gracefully(&mut self, limit: Duration) -> bool {
        let Some(mut child) = self.child.take() else {
            return false;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + limit;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status.success();
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}
