//! Who a client is, for the per-client limits: the key an address is counted
//! under (an IPv6 client usually holds a whole /64, so it is keyed per /64),
//! and a bounded count of what each key holds open (connections, streams).

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// The key of one client: an IPv4 address, or the /64 of an IPv6 one
/// (IPv4-mapped IPv6 addresses count as their IPv4 address).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl ClientKey {
    /// The key `ip` is counted under.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    Self(IpAddr::V6(Ipv6Addr::from(bits)))
                }
            },
        }
    }
}

/// How many slots each client holds, capped per client (`0` = no cap).
#[derive(Debug, Clone, Default)]
pub struct ClientSlots {
    cap: usize,
    held: Arc<Mutex<HashMap<ClientKey, usize>>>,
}

/// One slot held by a client; given back when dropped. `held` is `None`
/// when the cap is off and nothing is counted.
#[derive(Debug)]
pub struct ClientSlot {
    key: ClientKey,
    held: Option<Arc<Mutex<HashMap<ClientKey, usize>>>>,
}

impl ClientSlots {
    /// At most `cap` slots per client; `0` switches the cap off.
    pub fn new(cap: usize) -> Self {
        Self {
            cap,
            held: Arc::default(),
        }
    }

    /// A slot for `ip`, or `None` when it already holds `cap`. The map only
    /// holds clients with a slot open, so it is bounded by what the global
    /// caps let in.
    pub fn try_take(&self, ip: IpAddr) -> Option<ClientSlot> {
        let key = ClientKey::of(ip);
        if self.cap == 0 {
            return Some(ClientSlot { key, held: None });
        }
        let mut held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        let count = held.entry(key).or_insert(0);
        if *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(ClientSlot {
            key,
            held: Some(self.held.clone()),
        })
    }

    /// Slots `ip`'s client holds now.
    pub fn held_by(&self, ip: IpAddr) -> usize {
        let held = self.held.lock().unwrap_or_else(|e| e.into_inner());
        held.get(&ClientKey::of(ip)).copied().unwrap_or(0)
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let Some(held) = &self.held else {
            return;
        };
        let mut held = held.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = held.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                held.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_is_keyed_per_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(ClientKey::of(a), ClientKey::of(b));
        assert_ne!(ClientKey::of(a), ClientKey::of(c));
        let mapped: IpAddr = "::ffff:203.0.113.5".parse().unwrap();
        let v4: IpAddr = "203.0.113.5".parse().unwrap();
        assert_eq!(ClientKey::of(mapped), ClientKey::of(v4));
    }

    #[test]
    fn slots_are_capped_per_client_and_given_back_on_drop() {
        let slots = ClientSlots::new(2);
        let ip: IpAddr = "203.0.113.5".parse().unwrap();
        let other: IpAddr = "203.0.113.6".parse().unwrap();
        let first = slots.try_take(ip).unwrap();
        let _second = slots.try_take(ip).unwrap();
        assert!(slots.try_take(ip).is_none());
        assert!(slots.try_take(other).is_some(), "the cap is per client");
        drop(first);
        assert!(slots.try_take(ip).is_some());
        assert_eq!(ClientSlots::new(0).try_take(ip).map(|_| ()), Some(()));
    }
}
