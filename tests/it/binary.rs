//! The real binary: the README's run command starts with no environment at
//! all, answers `/healthz`, and `interact` talks to it.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_healthy(base: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(response) = reqwest::blocking_get(&format!("{base}/healthz")) {
            if response == 200 {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

mod reqwest {
    /// A tiny blocking GET that returns the status, so this test needs no
    /// async runtime.
    pub fn blocking_get(url: &str) -> std::io::Result<u16> {
        use std::io::{Read, Write};
        let rest = url.trim_start_matches("http://");
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let mut stream = std::net::TcpStream::connect(host)?;
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        answer
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other("no status"))
    }
}

#[test]
fn demo_starts_with_no_environment_and_answers_interactions() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let binary = env!("CARGO_BIN_EXE_fts-assistant");
    let child = Command::new(binary)
        .arg("demo")
        .current_dir(dir.path())
        .env_clear()
        .env("PORT", port.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _running = Running(child);
    let base = format!("http://127.0.0.1:{port}");
    assert!(wait_healthy(&base), "demo did not answer /healthz");

    let output = Command::new(binary)
        .args(["interact", "ping", "--url", &base])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("HTTP 200") && stdout.contains("\"type\": 1"),
        "{stdout}"
    );

    let output = Command::new(binary)
        .args(["interact", "/dance", "--url", &base])
        .current_dir(dir.path())
        .env_clear()
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "an unknown command is refused locally"
    );
}
