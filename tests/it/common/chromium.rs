//! Headless Chromium for the page tests: one place that knows where it is,
//! whether a run without it may skip, and how it is started.

use std::path::Path;
use std::process::Command;

/// Debian's Chromium, which `.ci/run` installs.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Whether Chromium is installed. Without it the caller skips, unless
/// `FTS_REQUIRE_CHROMIUM=1` (CI), where a missing browser must fail.
pub fn available() -> bool {
    if Path::new(CHROMIUM).exists() {
        return true;
    }
    if std::env::var("FTS_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
        panic!("FTS_REQUIRE_CHROMIUM=1 but {CHROMIUM} is missing");
    }
    eprintln!("skipping: {CHROMIUM} is not installed");
    false
}

/// Runs Chromium headless with `args` (at most 90 s) and returns its
/// stdout; panics with its stderr when it fails.
pub fn run(args: &[String]) -> String {
    run_within(90, args)
}

/// [`run`] with its own limit of `secs` seconds.
pub fn run_within(secs: u64, args: &[String]) -> String {
    let output = Command::new("timeout")
        .arg(secs.to_string())
        .arg(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
        ])
        .args(args)
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Keeps `url` open for `secs` seconds in a fresh `profile` (no dump, no
/// reload: `timeout` ends Chromium) and returns what it wrote to stderr,
/// the page's console included: the live-update tests read the renders
/// their scripts log there.
pub fn console_of(url: &str, profile: &Path, secs: u64) -> String {
    let output = Command::new("timeout")
        .arg(secs.to_string())
        .args([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(url)
        .output()
        .expect("chromium runs");
    String::from_utf8_lossy(&output.stderr).into_owned()
}
