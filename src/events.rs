//! Live events for `/api/events` (issue 16): one bounded broadcast channel
//! that the places changing public data publish into (the board swap, the
//! challenge commands and the cycle, the payout sender after a tip left), and
//! that every open stream reads.
//!
//! Bounds, so viewers can never make the process grow without limit:
//! - the channel keeps the last [`CHANNEL_CAPACITY`] events, shared by every
//!   stream (one copy of each payload, behind an `Arc`);
//! - a stream that falls further behind than that is closed, not buffered
//!   for (the browser's `EventSource` reconnects and starts fresh);
//! - at most `SSE_MAX_STREAMS` streams are open at once.
//!
//! Payloads are rendered once, at publish time, from the same public
//! documents the JSON endpoints serve (masked names, opaque ids only).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::{broadcast, watch, OwnedSemaphorePermit, Semaphore};

use crate::peers::{ClientSlot, ClientSlots};

/// Events retained for streams that are momentarily behind; a stream
/// further behind than this is dropped.
pub const CHANNEL_CAPACITY: usize = 64;

/// What changed; the SSE `event:` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// This month's board (`/api/leaderboard` document).
    Leaderboard,
    /// This week's multiplier board (`/api/multipliers` document).
    Multipliers,
    /// Active challenges (`/api/challenges` document).
    Challenges,
    /// Sent payouts (`/api/tips` document).
    Tips,
    /// A milestone tip was sent (masked payload).
    Milestone,
    /// A challenge prize was sent (masked payload).
    ChallengeWon,
}

impl EventKind {
    /// The SSE event name, a contract with the pages, overlays and any
    /// third-party listener.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Leaderboard => "leaderboard",
            Self::Multipliers => "multipliers",
            Self::Challenges => "challenges",
            Self::Tips => "tips",
            Self::Milestone => "milestone",
            Self::ChallengeWon => "challenge_won",
        }
    }

    /// Whether the payload is a whole document (a newcomer gets the latest
    /// one on connect) rather than a one-off alert (never replayed: an
    /// overlay opened later must not celebrate an old tip).
    pub fn is_document(self) -> bool {
        !matches!(self, Self::Milestone | Self::ChallengeWon)
    }
}

/// One published change: the kind and its JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEvent {
    /// What changed.
    pub kind: EventKind,
    /// The JSON payload, shared by every stream.
    pub data: Arc<str>,
}

/// The hub: held in `AppState`, published into from anywhere that changes
/// public data.
#[derive(Debug)]
pub struct Events {
    tx: broadcast::Sender<LiveEvent>,
    latest: Mutex<HashMap<EventKind, Arc<str>>>,
    streams: Arc<Semaphore>,
    max_streams: usize,
    per_client: ClientSlots,
    closing: watch::Sender<bool>,
}

/// Why [`Events::subscribe_from`] refused a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// `SSE_MAX_STREAMS` are open.
    Full,
    /// This client already holds `MAX_SSE_PER_CLIENT` streams.
    PerClient,
}

impl Refused {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Full => "cap",
            Self::PerClient => "per_client",
        }
    }
}

/// An open stream's share of the hub: the latest documents to send first,
/// the receiver, and the slot it occupies until dropped.
#[derive(Debug)]
pub struct Subscription {
    /// The latest document of each kind, sent before live events.
    pub snapshot: Vec<LiveEvent>,
    /// Live events from now on.
    pub receiver: broadcast::Receiver<LiveEvent>,
    /// Turns true when the process stops, so streams end and shutdown is
    /// not held up by viewers.
    pub closing: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
    _client: Option<ClientSlot>,
}

impl Events {
    /// A hub allowing `max_streams` concurrent streams.
    pub fn new(max_streams: usize) -> Self {
        Self::with_per_client(max_streams, 0)
    }

    /// A hub allowing `max_streams` concurrent streams, at most
    /// `per_client` of them per client (`0` = no per-client cap).
    pub fn with_per_client(max_streams: usize, per_client: usize) -> Self {
        let (tx, _) = broadcast::channel(CHANNEL_CAPACITY);
        Self {
            tx,
            latest: Mutex::new(HashMap::new()),
            streams: Arc::new(Semaphore::new(max_streams)),
            max_streams,
            per_client: ClientSlots::new(per_client),
            closing: watch::channel(false).0,
        }
    }

    /// Publishes `payload` as `kind`. A document identical to the last one
    /// of its kind is not sent again (cycles republish unchanged boards).
    pub fn publish(&self, kind: EventKind, payload: String) {
        let data: Arc<str> = payload.into();
        if kind.is_document() {
            let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            if latest.get(&kind).is_some_and(|last| *last == data) {
                return;
            }
            latest.insert(kind, data.clone());
        }
        // No receiver is not an error: nobody is watching.
        let _ = self.tx.send(LiveEvent { kind, data });
    }

    /// Serialises `value` and publishes it; a value that cannot be
    /// serialised is logged and skipped (it never is in practice).
    pub fn publish_json<T: Serialize>(&self, kind: EventKind, value: &T) {
        match serde_json::to_string(value) {
            Ok(text) => self.publish(kind, text),
            Err(e) => {
                tracing::error!(event = kind.as_str(), error = %e, "live event not serialisable")
            }
        }
    }

    /// A new stream, or `None` when `SSE_MAX_STREAMS` are already open.
    pub fn subscribe(&self) -> Option<Subscription> {
        self.subscribe_from(None).ok()
    }

    /// A new stream for `client` (when known), refused when
    /// `SSE_MAX_STREAMS` are open or the client holds its share.
    pub fn subscribe_from(&self, client: Option<IpAddr>) -> Result<Subscription, Refused> {
        let client_slot = match client {
            Some(ip) => Some(self.per_client.try_take(ip).ok_or(Refused::PerClient)?),
            None => None,
        };
        let slot = self
            .streams
            .clone()
            .try_acquire_owned()
            .map_err(|_| Refused::Full)?;
        // Subscribe before reading the snapshot: an event published in
        // between is then seen twice rather than missed.
        let receiver = self.tx.subscribe();
        let snapshot = {
            let latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            [
                EventKind::Leaderboard,
                EventKind::Multipliers,
                EventKind::Challenges,
                EventKind::Tips,
            ]
            .into_iter()
            .filter_map(|kind| {
                latest.get(&kind).map(|data| LiveEvent {
                    kind,
                    data: data.clone(),
                })
            })
            .collect()
        };
        Ok(Subscription {
            snapshot,
            receiver,
            closing: self.closing.subscribe(),
            _slot: slot,
            _client: client_slot,
        })
    }

    /// Streams open now.
    pub fn open_streams(&self) -> usize {
        self.max_streams - self.streams.available_permits()
    }

    /// Ends every stream (shutdown); new ones still connect but end at once.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_documents_are_not_resent_but_alerts_always_are() {
        let events = Events::new(2);
        let mut sub = events.subscribe().unwrap();
        events.publish(EventKind::Leaderboard, "{\"a\":1}".into());
        events.publish(EventKind::Leaderboard, "{\"a\":1}".into());
        events.publish(EventKind::Milestone, "{}".into());
        events.publish(EventKind::Milestone, "{}".into());
        let kinds: Vec<_> = std::iter::from_fn(|| sub.receiver.try_recv().ok())
            .map(|e| e.kind)
            .collect();
        assert_eq!(
            kinds,
            [
                EventKind::Leaderboard,
                EventKind::Milestone,
                EventKind::Milestone
            ]
        );
    }

    #[test]
    fn newcomers_get_the_latest_documents_but_no_old_alerts() {
        let events = Events::new(2);
        events.publish(EventKind::Leaderboard, "1".into());
        events.publish(EventKind::Leaderboard, "2".into());
        events.publish(EventKind::ChallengeWon, "{}".into());
        let sub = events.subscribe().unwrap();
        assert_eq!(sub.snapshot.len(), 1);
        assert_eq!(&*sub.snapshot[0].data, "2");
    }

    #[test]
    fn streams_past_the_cap_are_refused_until_one_closes() {
        let events = Events::new(2);
        let a = events.subscribe().unwrap();
        let _b = events.subscribe().unwrap();
        assert!(events.subscribe().is_none());
        assert_eq!(events.open_streams(), 2);
        drop(a);
        assert!(events.subscribe().is_some());
    }

    #[test]
    fn one_client_gets_its_share_of_streams_only() {
        let events = Events::with_per_client(10, 2);
        let me: IpAddr = "203.0.113.9".parse().unwrap();
        let a = events.subscribe_from(Some(me)).unwrap();
        let _b = events.subscribe_from(Some(me)).unwrap();
        assert_eq!(
            events.subscribe_from(Some(me)).unwrap_err(),
            Refused::PerClient
        );
        let other: IpAddr = "203.0.113.10".parse().unwrap();
        assert!(events.subscribe_from(Some(other)).is_ok());
        drop(a);
        assert!(events.subscribe_from(Some(me)).is_ok());
        let full = Events::with_per_client(1, 2);
        let _only = full.subscribe_from(Some(me)).unwrap();
        assert_eq!(full.subscribe_from(Some(other)).unwrap_err(), Refused::Full);
    }

    #[test]
    fn a_reader_further_behind_than_the_capacity_lags() {
        let events = Events::new(1);
        let mut sub = events.subscribe().unwrap();
        for i in 0..(CHANNEL_CAPACITY + 5) {
            events.publish(EventKind::Milestone, i.to_string());
        }
        assert!(matches!(
            sub.receiver.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
    }
}
