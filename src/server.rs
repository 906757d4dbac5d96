//! The HTTP server loop: axum's router served through hyper with the limits
//! `axum::serve` lacks.
//!
//! Every connection is bounded: its request headers must arrive within the
//! header timeout (the first request's too, counted from the accept, so a
//! connection that never sends a byte is closed then), a connection with no
//! byte moving either way for the idle timeout is closed (this also catches
//! a client that stops reading a response), at most `max_connections` are
//! served at once — further ones wait in the kernel's backlog instead of
//! exhausting file descriptors — and at most `max_connections_per_client`
//! per client address (IPv6 per /64): one more is accepted and closed at
//! once, so one address cannot take the global slots from everyone else.
//! On shutdown the listener closes, every connection is asked to finish its
//! request in flight, and after the grace period whatever is still open is
//! dropped, so one stalled client cannot keep the process alive.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::config::ServerLimits;
use crate::peers::{ClientSlot, ClientSlots};
use crate::telemetry::ErrorChain;

/// Serves `router` on `listener` under `limits` until `shutdown` resolves,
/// then drains connections for at most `limits.shutdown_grace`.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let builder = connection_builder(&limits);
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let per_client = ClientSlots::new(limits.max_connections_per_client);
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => {
                permit.expect("the connection semaphore is never closed")
            }
        };
        let (stream, client_slot) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => match per_client.try_take(peer.ip()) {
                    Some(slot) => (stream, slot),
                    None => {
                        // Over the client's cap: closed at once (the drop),
                        // and the global permit is taken again next turn.
                        tracing::debug!(client = %peer.ip(), "connection over the per-client cap closed");
                        continue;
                    }
                },
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
        };
        let connection = serve_connection(
            stream,
            builder.clone(),
            router.clone(),
            limits,
            stopping.clone(),
        );
        connections.spawn(async move {
            connection.await;
            drop::<ClientSlot>(client_slot);
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop.send(true);
    let open = connections.len();
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open_at_shutdown = open,
            still_open = connections.len(),
            grace_ms = limits.shutdown_grace.as_millis() as u64,
            "shutdown grace period over: dropping the connections still open"
        );
        connections.shutdown().await;
    }
    Ok(())
}

/// HTTP/1 and HTTP/2 (prior knowledge) with the header timeout and
/// keep-alive pings; hyper needs a timer for both.
fn connection_builder(limits: &ServerLimits) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(64)
        .keep_alive_interval(Some(limits.idle_timeout / 2))
        .keep_alive_timeout(limits.header_read_timeout);
    builder
}

/// An accept error other than a peer that gave up (EMFILE, ENFILE, ENOBUFS):
/// logged once per occurrence and followed by a pause, so a full descriptor
/// table does not turn into a hot loop that floods the log.
async fn accept_failed(e: &io::Error) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::error!(error = %ErrorChain(&e), "accept failed; pausing 1 s");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

/// One connection: served until it ends, is idle too long, sends no
/// complete request head within the header timeout of its accept, or
/// shutdown asks it to finish (then it finishes the request in flight and
/// closes). Hyper's own header timeout only starts once a first byte
/// arrived; after the first request it guards every later head.
async fn serve_connection(
    stream: TcpStream,
    builder: auto::Builder<TokioExecutor>,
    router: Router,
    limits: ServerLimits,
    mut stopping: watch::Receiver<bool>,
) {
    let idle_timeout = limits.idle_timeout;
    let first_head_by = tokio::time::sleep(limits.header_read_timeout);
    tokio::pin!(first_head_by);
    let mut first_head_checked = false;
    let got_a_request = Arc::new(AtomicBool::new(false));
    let seen = got_a_request.clone();
    let _ = stream.set_nodelay(true);
    // The peer's address, for handlers that key by client (`/api/find`).
    let peer = stream.peer_addr().ok();
    let activity = Activity::new();
    let io = TokioIo::new(Tracked {
        inner: stream,
        activity: activity.clone(),
    });
    let service = hyper::service::service_fn(move |mut request: Request<hyper::body::Incoming>| {
        seen.store(true, Ordering::Relaxed);
        if let Some(peer) = peer {
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(peer));
        }
        // A Router is always ready (axum documents it), so no `poll_ready`.
        tower_service::Service::call(&mut router.clone(), request)
    });
    let connection = builder.serve_connection_with_upgrades(io, service);
    tokio::pin!(connection);
    let mut asked_to_stop = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %ErrorChain(&*e), "connection ended with an error");
                }
                return;
            }
            changed = stopping.changed(), if !asked_to_stop => {
                asked_to_stop = true;
                if changed.is_ok() {
                    connection.as_mut().graceful_shutdown();
                }
            }
            () = activity.idle_for(idle_timeout) => {
                tracing::debug!("closing a connection idle for too long");
                return;
            }
            () = &mut first_head_by, if !first_head_checked => {
                if !got_a_request.load(Ordering::Relaxed) {
                    tracing::debug!("closing a connection that sent no request head in time");
                    return;
                }
                first_head_checked = true;
            }
        }
    }
}

/// When a connection last moved a byte, shared between its I/O and its
/// watchdog.
#[derive(Clone)]
struct Activity {
    origin: Instant,
    last_ms: Arc<AtomicU64>,
}

impl Activity {
    fn new() -> Self {
        Self {
            origin: Instant::now(),
            last_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    fn touch(&self) {
        let now = self.origin.elapsed().as_millis() as u64;
        self.last_ms.store(now, Ordering::Relaxed);
    }

    /// Resolves once no byte has moved for `limit`.
    async fn idle_for(&self, limit: Duration) {
        loop {
            let last = self.origin + Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let deadline = last + limit;
            if Instant::now() >= deadline {
                return;
            }
            tokio::time::sleep_until(deadline).await;
        }
    }
}

/// A stream that records every successful read or write in [`Activity`].
struct Tracked {
    inner: TcpStream,
    activity: Activity,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// What [`read_body_within`] needs: the deadline and the size cap.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimits {
    /// The whole body must arrive within this.
    pub timeout: Duration,
    /// Largest accepted body, in bytes.
    pub max_bytes: usize,
}

/// Middleware that reads a request's whole body before the handler runs:
/// `408` when it does not arrive within the deadline (a client trickling a
/// body cannot hold a handler), `413` when it is larger than the cap.
pub async fn read_body_within(
    State(limits): State<BodyLimits>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(limits.timeout, to_bytes(body, limits.max_bytes)).await {
        Err(_) => (
            StatusCode::REQUEST_TIMEOUT,
            "the request body did not arrive in time",
        )
            .into_response(),
        Ok(Err(e)) => {
            let too_large = e.into_inner().is::<http_body_util::LengthLimitError>();
            if too_large {
                StatusCode::PAYLOAD_TOO_LARGE.into_response()
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    "the request body could not be read",
                )
                    .into_response()
            }
        }
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}
