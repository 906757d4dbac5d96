//! Per-client budgets for lookups that must not be run in bulk ("find me",
//! issue 16): token buckets in memory, keyed by the client's address, in a
//! map that never grows past [`MAX_CLIENTS`].

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

/// Lookups a client may make in a burst.
pub const BURST: u32 = 10;
/// One lookup comes back every this many milliseconds (10 a minute).
pub const REFILL_MS: i64 = 6_000;
/// Clients remembered at once; past it, idle ones are forgotten first and a
/// flood of new addresses is refused rather than grown for.
pub const MAX_CLIENTS: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: u32,
    last_ms: i64,
}

impl Bucket {
    fn refilled(self, now_ms: i64) -> Self {
        let earned = ((now_ms - self.last_ms).max(0) / REFILL_MS) as u32;
        if earned == 0 {
            return self;
        }
        Self {
            tokens: (self.tokens + earned).min(BURST),
            last_ms: if self.tokens + earned >= BURST {
                now_ms
            } else {
                self.last_ms + i64::from(earned) * REFILL_MS
            },
        }
    }
}

/// Token buckets by client address, in memory and bounded.
#[derive(Debug, Default)]
pub struct RateLimiter {
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl RateLimiter {
    /// Takes one lookup from `client`'s budget; `false` when it is spent
    /// (or when too many clients are remembered to admit a new one).
    pub fn allow(&self, client: IpAddr, now_ms: i64) -> bool {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if !buckets.contains_key(&client) && buckets.len() >= MAX_CLIENTS {
            buckets.retain(|_, b| b.refilled(now_ms).tokens < BURST);
            if buckets.len() >= MAX_CLIENTS {
                return false;
            }
        }
        let bucket = buckets.entry(client).or_insert(Bucket {
            tokens: BURST,
            last_ms: now_ms,
        });
        *bucket = bucket.refilled(now_ms);
        if bucket.tokens == 0 {
            return false;
        }
        bucket.tokens -= 1;
        true
    }

    /// Clients remembered now (tests check the bound).
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.buckets.lock().unwrap_or_else(|e| e.into_inner()).len()
    }
}

/// Whether an address is one a proxy in front of us would connect from
/// (loopback or private): then the client's address comes from the proxy's
/// header. A public peer is the client itself and cannot spoof its key.
fn behind_proxy(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || (v6.segments()[0] & 0xfe00) == 0xfc00 // unique local (fdaa:: on Fly)
        }
    }
}

/// The address a client's budget is keyed by: the peer, or when the peer is
/// a proxy, `Fly-Client-IP` or the last `X-Forwarded-For` hop it added.
pub fn client_ip(peer: Option<SocketAddr>, headers: &HeaderMap) -> IpAddr {
    let peer_ip = peer.map(|p| p.ip());
    if let Some(ip) = peer_ip.filter(|ip| !behind_proxy(*ip)) {
        return ip;
    }
    let header_ip = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    };
    header_ip("fly-client-ip")
        .or_else(|| header_ip("x-forwarded-for"))
        .or(peer_ip)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The connection's peer address when the server recorded one (it always
/// does; a router driven without a socket, as in benches, has none).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub Option<SocketAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_refused_after_ten_and_refills_at_ten_a_minute() {
        let limiter = RateLimiter::default();
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for _ in 0..BURST {
            assert!(limiter.allow(ip, 0));
        }
        assert!(!limiter.allow(ip, 1_000));
        assert!(limiter.allow(ip, REFILL_MS));
        assert!(!limiter.allow(ip, REFILL_MS + 1));
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        assert!(limiter.allow(other, 1_000), "budgets are per client");
    }

    #[test]
    fn the_client_map_stays_bounded() {
        let limiter = RateLimiter::default();
        for i in 0..(MAX_CLIENTS as u32 + 50) {
            let ip = IpAddr::from(i.to_be_bytes());
            limiter.allow(ip, 0);
        }
        assert!(limiter.clients() <= MAX_CLIENTS);
    }

    #[test]
    fn a_public_peer_is_its_own_key_and_a_proxy_forwards_it() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 198.51.100.9".parse().unwrap());
        let public: SocketAddr = "198.51.100.1:5000".parse().unwrap();
        assert_eq!(client_ip(Some(public), &headers), public.ip());
        let proxy: SocketAddr = "172.16.0.2:5000".parse().unwrap();
        assert_eq!(
            client_ip(Some(proxy), &headers),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(Some(proxy), &HeaderMap::new()), proxy.ip());
    }
}
