//! The HTTP server's limits over real sockets: slow and silent clients are
//! cut off, the connection cap holds, shutdown ends within its grace period
//! whatever the clients do, `/metrics` is private, and HTML carries the
//! security headers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::common::{base_config, fresh_database, test_start, Db, TestApp, TEST_METRICS_TOKEN};
use fts_assistant::app::Application;
use fts_assistant::clock::ManualClock;
use fts_assistant::config::Config;
use fts_assistant::discord::dev_keys::DevKeypair;

on_both_databases!(
    half_header_connection_is_closed_within_the_header_timeout,
    silent_connection_is_closed_after_the_idle_timeout,
    trickled_interaction_body_gets_408_within_the_body_timeout,
    connections_past_the_cap_wait_for_a_free_slot,
    shutdown_ends_within_its_grace_period_despite_stalled_clients,
    metrics_need_the_token_on_the_public_port,
    metrics_listener_serves_metrics_only,
    html_pages_carry_security_headers,
    static_folder_without_slash_does_not_redirect_off_static,
    connection_that_sends_nothing_is_closed_after_the_header_timeout,
    idle_flood_from_one_address_does_not_slow_other_clients,
    live_streams_are_capped_per_client_and_refusals_counted,
    find_budget_ignores_proxy_headers_unless_one_is_trusted,
    hsts_is_sent_only_when_the_public_url_is_https,
);

/// Reads until the server closes the connection (EOF or reset); returns
/// what arrived and how long it took, or `None` if it stayed open past `limit`.
async fn wait_for_close(stream: &mut TcpStream, limit: Duration) -> Option<(Vec<u8>, Duration)> {
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout_at(
            tokio::time::Instant::from_std(started + limit),
            stream.read(&mut buf),
        )
        .await
        {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some((seen, started.elapsed())),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

fn addr_of(app: &TestApp) -> String {
    app.base_url.trim_start_matches("http://").to_string()
}

async fn half_header_connection_is_closed_within_the_header_timeout(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.server.header_read_timeout = Duration::from_millis(400);
    })
    .await
    else {
        return;
    };
    let mut stream = TcpStream::connect(addr_of(&app)).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nUser-Ag")
        .await
        .unwrap();
    let (_, took) = wait_for_close(&mut stream, Duration::from_secs(5))
        .await
        .expect("a half-sent header is cut off");
    assert!(
        took >= Duration::from_millis(300),
        "closed too early: {took:?}"
    );
    assert!(took < Duration::from_secs(2), "closed too late: {took:?}");
    // The server still serves everyone else.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

async fn silent_connection_is_closed_after_the_idle_timeout(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.server.header_read_timeout = Duration::from_secs(30);
        c.server.idle_timeout = Duration::from_millis(400);
    })
    .await
    else {
        return;
    };
    // Silent from the start.
    let mut silent = TcpStream::connect(addr_of(&app)).await.unwrap();
    let (_, took) = wait_for_close(&mut silent, Duration::from_secs(5))
        .await
        .expect("a silent connection is closed");
    assert!(took < Duration::from_secs(2), "closed too late: {took:?}");
    // Silent after one request on a kept-alive connection.
    let mut kept = TcpStream::connect(addr_of(&app)).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, took) = wait_for_close(&mut kept, Duration::from_secs(5))
        .await
        .expect("an idle kept-alive connection is closed");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
    assert!(took < Duration::from_secs(2), "closed too late: {took:?}");
}

async fn trickled_interaction_body_gets_408_within_the_body_timeout(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.server.body_timeout = Duration::from_millis(400);
        c.server.idle_timeout = Duration::from_secs(30);
    })
    .await
    else {
        return;
    };
    let mut stream = TcpStream::connect(addr_of(&app)).await.unwrap();
    stream
        .write_all(
            b"POST /interactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"ty",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf))
        .await
        .expect("an answer before the test gives up")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(app.count("SELECT COUNT(*) FROM payouts").await, 0);
}

async fn connections_past_the_cap_wait_for_a_free_slot(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.server.max_connections = 2;
        c.server.header_read_timeout = Duration::from_secs(30);
        c.server.idle_timeout = Duration::from_secs(30);
    })
    .await
    else {
        return;
    };
    let first = TcpStream::connect(addr_of(&app)).await.unwrap();
    let _second = TcpStream::connect(addr_of(&app)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = format!("{}/healthz", app.base_url);
    let fresh = reqwest::Client::new();
    let blocked = fresh
        .get(&url)
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(
        blocked.is_err(),
        "a third connection is not served: {blocked:?}"
    );
    drop(first);
    let served = reqwest::Client::new()
        .get(&url)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect("served once a slot is free");
    assert_eq!(served.status(), 200);
}

fn stalled_shutdown_config(url: &str, key: &DevKeypair) -> Config {
    let mut config = base_config(url, key);
    config.server.shutdown_grace = Duration::from_millis(500);
    config.server.header_read_timeout = Duration::from_secs(60);
    config.server.idle_timeout = Duration::from_secs(60);
    config.server.body_timeout = Duration::from_secs(60);
    config
}

async fn shutdown_ends_within_its_grace_period_despite_stalled_clients(db: Db) {
    let Some(test_db) = fresh_database(db).await else {
        return;
    };
    let key = DevKeypair::from_seed([42; 32]);
    let config = stalled_shutdown_config(&test_db.url, &key);
    let app = Application::build(config, Arc::new(ManualClock::new(test_start())))
        .await
        .expect("application builds");
    let addr = app.local_addr();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async {
        let _ = stopped.await;
    }));
    // One client sent a single byte; another sent headers and a sliver of
    // the body it announced, so its request is in flight.
    let mut one_byte = TcpStream::connect(addr).await.unwrap();
    one_byte.write_all(b"P").await.unwrap();
    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    in_flight
        .write_all(b"POST /interactions HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let asked = Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("shutdown finishes despite the stalled clients")
        .unwrap()
        .unwrap();
    let took = asked.elapsed();
    assert!(
        took >= Duration::from_millis(400),
        "did not wait for the grace: {took:?}"
    );
    assert!(
        took < Duration::from_millis(2000),
        "overran the grace: {took:?}"
    );
    for stream in [&mut one_byte, &mut in_flight] {
        assert!(
            wait_for_close(stream, Duration::from_secs(2))
                .await
                .is_some(),
            "a stalled connection is closed at shutdown"
        );
    }
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
}

async fn metrics_need_the_token_on_the_public_port(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let url = format!("{}/metrics", app.base_url);
    assert_eq!(app.get("/metrics").await.status(), 404);
    let wrong = app
        .http
        .get(&url)
        .bearer_auth("guess")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let basic = app
        .http
        .get(&url)
        .basic_auth("x", Some(TEST_METRICS_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 404);
    assert!(app.metrics_text().await.contains("fts_http_requests_total"));
    app.stop().await;

    let Some(app) = TestApp::spawn_with(db, |c| c.metrics_token = None).await else {
        return;
    };
    let right = app
        .http
        .get(format!("{}/metrics", app.base_url))
        .bearer_auth(TEST_METRICS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 404, "no token configured: never public");
}

async fn metrics_listener_serves_metrics_only(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.metrics_addr = Some("127.0.0.1:0".parse().unwrap());
        c.metrics_token = None;
    })
    .await
    else {
        return;
    };
    let internal = app.metrics_url.clone().expect("the listener is bound");
    assert_ne!(internal, app.base_url);
    app.get("/healthz").await;
    let metrics = app
        .http
        .get(format!("{internal}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(text.contains("route=\"/healthz\""), "{text}");
    let other = app.http.get(format!("{internal}/")).send().await.unwrap();
    assert_eq!(other.status(), 404);
    assert_eq!(app.get("/metrics").await.status(), 404);
}

async fn html_pages_carry_security_headers(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    for path in [
        "/",
        "/multipliers",
        "/challenges",
        "/tips",
        "/history",
        "/nowhere",
    ] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers
            .get("content-security-policy")
            .unwrap_or_else(|| panic!("{path}: no CSP"))
            .to_str()
            .unwrap();
        for directive in [
            "default-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
    }
    let json = app.get("/api/leaderboard").await;
    assert_eq!(json.headers()["x-content-type-options"], "nosniff");
}

async fn static_folder_without_slash_does_not_redirect_off_static(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/static/fonts", "/static/fonts/", "/static"] {
        let response = no_redirects
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers().get("location").is_none(), "{path}");
    }
    assert_eq!(app.get("/static/style.css").await.status(), 200);
}

async fn connection_that_sends_nothing_is_closed_after_the_header_timeout(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.server.header_read_timeout = Duration::from_millis(400);
        c.server.idle_timeout = Duration::from_secs(30);
    })
    .await
    else {
        return;
    };
    let mut silent = TcpStream::connect(addr_of(&app)).await.unwrap();
    let (_, took) = wait_for_close(&mut silent, Duration::from_secs(5))
        .await
        .expect("a connection that never sends a byte is closed");
    assert!(
        took >= Duration::from_millis(300),
        "closed too early: {took:?}"
    );
    assert!(took < Duration::from_secs(2), "closed too late: {took:?}");
    // A kept-alive connection past its first request is not cut by the
    // first-head deadline while it is busy being used.
    let mut kept = TcpStream::connect(addr_of(&app)).await.unwrap();
    for _ in 0..3 {
        kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::time::timeout(Duration::from_secs(2), kept.read(&mut buf))
            .await
            .expect("answered")
            .unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A TCP connection from `local` (any 127.0.0.0/8 address on Linux).
async fn connect_from(local: &str, to: std::net::SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(format!("{local}:0").parse().unwrap())?;
    socket.connect(to).await
}

async fn idle_flood_from_one_address_does_not_slow_other_clients(db: Db) {
    // Header timeout 5 s: without a per-client cap, 600 silent connections
    // take all 512 slots and /healthz waits for that timeout.
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.server.header_read_timeout = Duration::from_secs(5);
        c.server.idle_timeout = Duration::from_secs(30);
    })
    .await
    else {
        return;
    };
    assert_eq!(app.state.config.server.max_connections, 512);
    let addr: std::net::SocketAddr = addr_of(&app).parse().unwrap();
    let mut flood = Vec::new();
    for _ in 0..600 {
        match tokio::time::timeout(Duration::from_secs(5), connect_from("127.0.0.2", addr)).await {
            Ok(Ok(stream)) => flood.push(stream),
            Ok(Err(e)) => panic!("connect from 127.0.0.2: {e}"),
            Err(_) => panic!("connect from 127.0.0.2 timed out"),
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let url = format!("{}/healthz", app.base_url);
    for _ in 0..3 {
        let started = Instant::now();
        let answer = reqwest::Client::new()
            .get(&url)
            .timeout(Duration::from_secs(4))
            .send()
            .await
            .expect("/healthz answers another client during the flood");
        let took = started.elapsed();
        assert_eq!(answer.status(), 200);
        assert!(took < Duration::from_secs(1), "/healthz took {took:?}");
    }
    // The flood's connections over the cap were closed at once.
    let mut closed = 0;
    for stream in flood.iter_mut().rev().take(50) {
        if wait_for_close(stream, Duration::from_millis(50))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    assert!(closed >= 40, "only {closed} of the last 50 were closed");
}

async fn live_streams_are_capped_per_client_and_refusals_counted(db: Db) {
    let Some(app) = TestApp::spawn_with(db, |c| c.sse_max_per_client = 2).await else {
        return;
    };
    let url = format!("{}/api/events", app.base_url);
    let mut open = Vec::new();
    for _ in 0..2 {
        let r = app.http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        open.push(r);
    }
    let third = app.http.get(&url).send().await.unwrap();
    assert_eq!(third.status(), 503, "a third stream from one client");
    let elsewhere = reqwest::Client::builder()
        .local_address(Some("127.0.0.2".parse().unwrap()))
        .build()
        .unwrap();
    let other = elsewhere.get(&url).send().await.unwrap();
    assert_eq!(other.status(), 200, "another client still gets a stream");
    let text = app.metrics_text().await;
    assert!(
        text.contains(r#"fts_sse_refused_total{kind="per_client"} 1"#),
        "{text}"
    );
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(app.http.get(&url).send().await.unwrap().status(), 200);
}

async fn find_budget_ignores_proxy_headers_unless_one_is_trusted(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let find = |n: u32| {
        app.http
            .get(format!("{}/api/find?username=nobody", app.base_url))
            .header("fly-client-ip", format!("198.51.100.{n}"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .send()
    };
    let mut statuses = Vec::new();
    for n in 0..15 {
        statuses.push(find(n).await.unwrap().status().as_u16());
    }
    assert!(
        statuses[10..].iter().all(|s| *s == 429),
        "rotating headers must not reset the budget: {statuses:?}"
    );
    app.stop().await;

    let Some(app) = TestApp::spawn_with(db, |c| {
        c.trusted_proxy_header = Some("fly-client-ip".into());
    })
    .await
    else {
        return;
    };
    let find = |n: u32| {
        app.http
            .get(format!("{}/api/find?username=nobody", app.base_url))
            .header("fly-client-ip", format!("198.51.100.{n}"))
            .send()
    };
    for n in 0..15 {
        let status = find(n).await.unwrap().status();
        assert_ne!(status, 429, "each trusted address has its own budget");
    }
    for _ in 0..10 {
        find(200).await.unwrap();
    }
    assert_eq!(find(200).await.unwrap().status(), 429);
}

async fn hsts_is_sent_only_when_the_public_url_is_https(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    assert!(app
        .get("/healthz")
        .await
        .headers()
        .get("strict-transport-security")
        .is_none());
    app.stop().await;
    let Some(app) = TestApp::spawn_with(db, |c| {
        c.public_base_url = "https://leaderboard.example".into();
    })
    .await
    else {
        return;
    };
    for path in ["/", "/healthz", "/api/leaderboard", "/overlay/leaderboard"] {
        let response = app.get(path).await;
        assert_eq!(
            response.headers()["strict-transport-security"],
            "max-age=31536000",
            "{path}"
        );
    }
}
