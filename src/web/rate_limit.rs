//! Per-client budgets for lookups that must not be run in bulk ("find me",
//! issue 16): token buckets in memory, keyed by the client's address (an
//! IPv6 client per /64), in a map that never grows past [`MAX_CLIENTS`].
//!
//! The address is the TCP peer's, unless `TRUSTED_PROXY_HEADER` names the
//! header a proxy in front of us sets (issue 22: trusting `Fly-Client-IP`
//! from any private peer let a client pick its own key).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;

use crate::budgets::Budgets;
use crate::peers::ClientKey;

/// Lookups a client may make in a burst.
pub const BURST: u32 = 10;
/// One lookup comes back every this many milliseconds (10 a minute).
pub const REFILL_MS: i64 = 6_000;
/// Clients remembered at once; past it, the least recently seen is
/// forgotten, so a flood of new addresses never locks a new client out.
pub const MAX_CLIENTS: usize = 10_000;

/// "Find me" budgets by client address (an IPv6 client per /64).
#[derive(Debug)]
pub struct RateLimiter {
    budgets: Budgets<ClientKey>,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self {
            budgets: Budgets::new(BURST, 1, REFILL_MS, MAX_CLIENTS),
        }
    }
}

impl RateLimiter {
    /// Takes one lookup from `client`'s budget; `false` when it is spent.
    /// A new client always gets a full budget (see [`Budgets`]).
    pub fn allow(&self, client: IpAddr, now_ms: i64) -> bool {
        self.budgets.allow(ClientKey::of(client), now_ms)
    }

    /// Clients remembered now (tests check the bound).
    #[cfg(test)]
    fn clients(&self) -> usize {
        self.budgets.len()
    }
}

/// The address a client is keyed by: the value of `trusted_header`
/// (`TRUSTED_PROXY_HEADER`, set by the proxy in front; for a list such as
/// `X-Forwarded-For`, the last hop, the one the proxy added) when it is
/// configured and present, else the TCP peer. No header is read unless
/// configured: a client reaching us directly could set any value.
pub fn client_ip(
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
    trusted_header: Option<&str>,
) -> IpAddr {
    let from_header = trusted_header.and_then(|name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    });
    from_header
        .or(peer.map(|p| p.ip()))
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
    fn the_header_is_read_only_when_configured() {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "1.2.3.4, 198.51.100.9".parse().unwrap());
        headers.insert("fly-client-ip", "198.51.100.7".parse().unwrap());
        let proxy: SocketAddr = "172.16.0.2:5000".parse().unwrap();
        let loopback: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(client_ip(Some(proxy), &headers, None), proxy.ip());
        assert_eq!(client_ip(Some(loopback), &headers, None), loopback.ip());
        assert_eq!(
            client_ip(Some(proxy), &headers, Some("x-forwarded-for")),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(Some(proxy), &headers, Some("fly-client-ip")),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client_ip(Some(proxy), &HeaderMap::new(), Some("fly-client-ip")),
            proxy.ip()
        );
    }

    #[test]
    fn two_ipv6_addresses_in_one_64_share_a_bucket() {
        let limiter = RateLimiter::default();
        let a: IpAddr = "2001:db8:7:7::1".parse().unwrap();
        let b: IpAddr = "2001:db8:7:7:ffff::2".parse().unwrap();
        for _ in 0..BURST {
            assert!(limiter.allow(a, 0));
        }
        assert!(!limiter.allow(b, 0), "the same /64 is the same client");
        let other: IpAddr = "2001:db8:7:8::1".parse().unwrap();
        assert!(limiter.allow(other, 0));
    }

    #[test]
    fn a_full_table_never_refuses_a_new_client() {
        let limiter = RateLimiter::default();
        // Every remembered client has spent a token, so none is forgettable
        // as "full": the oldest must make room.
        for i in 0..MAX_CLIENTS as u32 {
            assert!(limiter.allow(IpAddr::from(i.to_be_bytes()), i64::from(i.min(1))));
        }
        assert_eq!(limiter.clients(), MAX_CLIENTS);
        let newcomer: IpAddr = "203.0.113.200".parse().unwrap();
        assert!(limiter.allow(newcomer, 2));
        assert!(limiter.clients() <= MAX_CLIENTS);
        // The one forgotten was the least recently seen.
        let budgets = &limiter.budgets;
        assert!(!budgets.remembers(&ClientKey::of(IpAddr::from(0u32.to_be_bytes()))));
        assert!(budgets.remembers(&ClientKey::of(IpAddr::from(9_999u32.to_be_bytes()))));
    }
}
