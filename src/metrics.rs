//! Prometheus metrics: what `/metrics` exposes and what every part records.
//!
//! One registry per [`Metrics`] (not a global), so each test's app counts
//! only its own traffic.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Labels of an HTTP request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The matched route pattern (never the raw path, to bound cardinality).
    pub route: String,
    /// HTTP status code.
    pub status: u16,
}

/// Labels of a request-duration observation: the route only (a status
/// label would multiply the histogram's buckets for little gain; the
/// counter above has the status).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteOnlyLabels {
    /// The matched route pattern.
    pub route: String,
}

/// A single `kind` label (interaction kind, poll outcome, rejection reason…).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    /// The label value.
    pub kind: String,
}

/// Labels of a payout outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PayoutLabels {
    /// milestone, challenge, leaderboard, multiplier, manual.
    pub kind: String,
    /// sent, failed, unknown, dry_run.
    pub status: String,
}

/// Labels of a call to Discord or Roobet.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// discord, roobet_affiliate, roobet_tipping.
    pub service: String,
    /// ok, rate_limited, client_error, server_error, timeout, transport_error.
    pub outcome: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

fn latency_histogram() -> Histogram {
    // 100 µs … ~6.5 s
    Histogram::new(exponential_buckets(0.0001, 2.0, 17))
}

/// Every metric the service records.
pub struct Metrics {
    registry: Registry,
    /// Requests by route and status.
    pub http_requests: Family<RouteLabels, Counter>,
    /// Time to answer a request, by route (latency SLOs per route).
    pub http_request_duration: HistogramFamily<RouteOnlyLabels>,
    /// Time to answer a verified interaction, by kind (ping, command name…).
    pub interaction_latency: HistogramFamily<KindLabels>,
    /// Interactions refused before any handler ran, by reason.
    pub interactions_rejected: Family<KindLabels, Counter>,
    /// Poll cycles by outcome.
    pub poll_cycles: Family<KindLabels, Counter>,
    /// Poll cycle duration.
    pub poll_duration: Histogram,
    /// Payout outcomes.
    pub payouts: Family<PayoutLabels, Counter>,
    /// Calls to Discord and Roobet by outcome.
    pub external_calls: Family<CallLabels, Counter>,
    /// Payouts waiting for an admin (unknown or failed).
    pub payouts_needing_admin: Gauge,
    /// Live streams refused, by reason: `cap` (`SSE_MAX_STREAMS` open) or
    /// `per_client` (`MAX_SSE_PER_CLIENT`).
    pub sse_refused: Family<KindLabels, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("fts");
        let http_requests = Family::<RouteLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            http_requests.clone(),
        );
        let http_request_duration: HistogramFamily<RouteOnlyLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by route",
            http_request_duration.clone(),
        );
        let interaction_latency: HistogramFamily<KindLabels> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "interaction_duration_seconds",
            "Time to answer a verified interaction",
            interaction_latency.clone(),
        );
        let interactions_rejected = Family::<KindLabels, Counter>::default();
        registry.register(
            "interactions_rejected",
            "Interactions refused before any handler ran",
            interactions_rejected.clone(),
        );
        let poll_cycles = Family::<KindLabels, Counter>::default();
        registry.register("poll_cycles", "Poll cycles by outcome", poll_cycles.clone());
        let poll_duration = Histogram::new(exponential_buckets(0.01, 2.0, 14));
        registry.register(
            "poll_cycle_duration_seconds",
            "Poll cycle duration",
            poll_duration.clone(),
        );
        let payouts = Family::<PayoutLabels, Counter>::default();
        registry.register("payouts", "Payouts by kind and outcome", payouts.clone());
        let external_calls = Family::<CallLabels, Counter>::default();
        registry.register(
            "external_calls",
            "Calls to Discord and Roobet by outcome",
            external_calls.clone(),
        );
        let payouts_needing_admin = Gauge::default();
        registry.register(
            "payouts_needing_admin",
            "Payouts whose outcome is unknown or failed",
            payouts_needing_admin.clone(),
        );
        let sse_refused = Family::<KindLabels, Counter>::default();
        registry.register(
            "sse_refused",
            "Live streams refused at a cap, by reason (cap, per_client)",
            sse_refused.clone(),
        );
        Self {
            registry,
            http_requests,
            http_request_duration,
            interaction_latency,
            interactions_rejected,
            poll_cycles,
            poll_duration,
            payouts,
            external_calls,
            payouts_needing_admin,
            sse_refused,
        }
    }

    /// Counts one call to an external service.
    pub fn external_call(&self, service: &str, outcome: &str) {
        self.external_calls
            .get_or_create(&CallLabels {
                service: service.into(),
                outcome: outcome.into(),
            })
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_text_carries_recorded_values() {
        let m = Metrics::new();
        m.http_requests
            .get_or_create(&RouteLabels {
                route: "/healthz".into(),
                status: 200,
            })
            .inc();
        m.http_request_duration
            .get_or_create(&RouteOnlyLabels {
                route: "/healthz".into(),
            })
            .observe(0.002);
        m.external_call("discord", "ok");
        let text = m.render();
        assert!(
            text.contains(r#"fts_http_request_duration_seconds_count{route="/healthz"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"fts_http_requests_total{route="/healthz",status="200"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"fts_external_calls_total{service="discord",outcome="ok"} 1"#));
        assert!(text.ends_with("# EOF\n"));
    }
}
