//! Metrics without agents: each call writes one CloudWatch Embedded Metric
//! Format line (a JSON log line CloudWatch turns into a metric; in Lambda
//! and in the sender's awslogs stream nothing else is needed) and adds the
//! value to this process's registry, which the sender serves as Prometheus
//! text ([`prometheus_text`]).
//!
//! Call sites are one line: `metrics::count("sends", 1, &[("outcome", "sent")])`.
//! Dimensions must be few-valued (a route, an outcome), never an id: each
//! value is a CloudWatch metric of its own, billed as one.
//!
//! `METRICS_EMF=off` silences the lines (the registry still counts).

use std::{
    collections::BTreeMap,
    fmt::Write as _,
    io::Write as _,
    sync::{Mutex, OnceLock},
};

/// The CloudWatch namespace of every metric (the alarms in `template.yaml`
/// name it).
pub const NAMESPACE: &str = "WaCampaigns";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    Bytes,
}

impl Unit {
    fn cloudwatch(self) -> &'static str {
        match self {
            Unit::Count => "Count",
            Unit::Milliseconds => "Milliseconds",
            Unit::Bytes => "Bytes",
        }
    }
}

/// How a metric adds up in the registry (CloudWatch aggregates the lines
/// itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Events: the registry keeps the running total.
    Counter,
    /// A level now (sessions open, memory): the registry keeps the last.
    Gauge,
    /// Durations: the registry keeps the sum and the count.
    Summary,
}

type Key = (&'static str, Vec<(&'static str, String)>);

#[derive(Debug, Clone, Copy)]
struct Value {
    kind: Kind,
    sum: f64,
    count: u64,
}

fn registry() -> &'static Mutex<BTreeMap<Key, Value>> {
    static REGISTRY: OnceLock<Mutex<BTreeMap<Key, Value>>> = OnceLock::new();
    REGISTRY.get_or_init(Mutex::default)
}

/// `value` more events of `name` (requests, sends, failures).
pub fn count(name: &'static str, value: u64, dimensions: &[(&'static str, &str)]) {
    record(name, Kind::Counter, Unit::Count, value as f64, dimensions);
}

/// The current level of `name` (sessions open, memory of a session).
pub fn gauge(name: &'static str, value: f64, unit: Unit, dimensions: &[(&'static str, &str)]) {
    record(name, Kind::Gauge, unit, value, dimensions);
}

/// One duration of `name`, in milliseconds.
pub fn duration(name: &'static str, elapsed: std::time::Duration, dimensions: &[(&'static str, &str)]) {
    record(name, Kind::Summary, Unit::Milliseconds, elapsed.as_secs_f64() * 1000.0, dimensions);
}

fn record(name: &'static str, kind: Kind, unit: Unit, value: f64, dimensions: &[(&'static str, &str)]) {
    let key: Key = (name, dimensions.iter().map(|(k, v)| (*k, (*v).to_owned())).collect());
    if let Ok(mut registry) = registry().lock() {
        let entry = registry.entry(key).or_insert(Value { kind, sum: 0.0, count: 0 });
        match kind {
            Kind::Gauge => entry.sum = value,
            Kind::Counter | Kind::Summary => entry.sum += value,
        }
        entry.count += 1;
    }
    if emf_enabled() {
        let line = emf_line(name, unit, value, dimensions, chrono::Utc::now().timestamp_millis());
        // One write per line, so lines of concurrent tasks never interleave.
        let _ = std::io::stdout().lock().write_all(format!("{line}\n").as_bytes());
    }
}

fn emf_enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| !std::env::var("METRICS_EMF").is_ok_and(|v| v.eq_ignore_ascii_case("off")))
}

/// The EMF document for one value. Each metric is published twice: with
/// its dimensions and without any (the total an alarm watches).
pub fn emf_line(
    name: &str,
    unit: Unit,
    value: f64,
    dimensions: &[(&'static str, &str)],
    timestamp_ms: i64,
) -> serde_json::Value {
    let keys: Vec<&str> = dimensions.iter().map(|(k, _)| *k).collect();
    let sets = if keys.is_empty() { vec![keys] } else { vec![keys, Vec::new()] };
    let mut line = serde_json::json!({
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": sets,
                "Metrics": [{ "Name": name, "Unit": unit.cloudwatch() }],
            }],
        },
    });
    line[name] = serde_json::Value::from(value);
    for (key, value) in dimensions {
        line[*key] = serde_json::Value::from(*value);
    }
    line
}

/// Everything recorded so far, in Prometheus' text exposition format:
/// counters as `wa_<name>_total`, gauges as `wa_<name>`, durations as
/// `wa_<name>_milliseconds_sum` and `_count`.
pub fn prometheus_text() -> String {
    let registry = registry().lock().map(|r| r.clone()).unwrap_or_default();
    let mut out = String::new();
    let mut typed = std::collections::HashSet::new();
    for ((name, dimensions), value) in &registry {
        let labels = labels(dimensions);
        let metric = snake(name);
        match value.kind {
            Kind::Counter => {
                if typed.insert(*name) {
                    let _ = writeln!(out, "# TYPE wa_{metric}_total counter");
                }
                let _ = writeln!(out, "wa_{metric}_total{labels} {}", value.sum);
            }
            Kind::Gauge => {
                if typed.insert(*name) {
                    let _ = writeln!(out, "# TYPE wa_{metric} gauge");
                }
                let _ = writeln!(out, "wa_{metric}{labels} {}", value.sum);
            }
            Kind::Summary => {
                if typed.insert(*name) {
                    let _ = writeln!(out, "# TYPE wa_{metric}_milliseconds summary");
                }
                let _ = writeln!(out, "wa_{metric}_milliseconds_sum{labels} {}", value.sum);
                let _ = writeln!(out, "wa_{metric}_milliseconds_count{labels} {}", value.count);
            }
        }
    }
    out
}

fn labels(dimensions: &[(&'static str, String)]) -> String {
    if dimensions.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = dimensions
        .iter()
        .map(|(k, v)| format!("{}=\"{}\"", snake(k), v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")))
        .collect();
    format!("{{{}}}", pairs.join(","))
}

/// `SendsByOutcome` → `sends_by_outcome`; names are ours, so ASCII.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else {
            out.push('_');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_emf_line_names_the_namespace_the_metric_and_both_dimension_sets() {
        let line = emf_line("Requests", Unit::Count, 1.0, &[("Route", "GET /api/campaigns")], 1_700_000_000_000);
        let metrics = &line["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(metrics["Namespace"], NAMESPACE);
        assert_eq!(metrics["Dimensions"], serde_json::json!([["Route"], []]));
        assert_eq!(metrics["Metrics"][0], serde_json::json!({"Name": "Requests", "Unit": "Count"}));
        assert_eq!(line["Requests"], 1.0);
        assert_eq!(line["Route"], "GET /api/campaigns");
        assert_eq!(line["_aws"]["Timestamp"], 1_700_000_000_000i64);
    }

    #[test]
    fn counters_add_up_and_gauges_keep_the_last_value_in_the_prometheus_text() {
        count("TestSends", 2, &[("Outcome", "sent")]);
        count("TestSends", 3, &[("Outcome", "sent")]);
        gauge("TestSessionsOpen", 4.0, Unit::Count, &[]);
        gauge("TestSessionsOpen", 1.0, Unit::Count, &[]);
        duration("TestPickup", std::time::Duration::from_millis(250), &[]);
        let text = prometheus_text();
        assert!(text.contains("# TYPE wa_test_sends_total counter"), "{text}");
        assert!(text.contains("wa_test_sends_total{outcome=\"sent\"} 5"), "{text}");
        assert!(text.contains("wa_test_sessions_open 1\n"), "{text}");
        assert!(text.contains("wa_test_pickup_milliseconds_sum 250\n"), "{text}");
        assert!(text.contains("wa_test_pickup_milliseconds_count 1\n"), "{text}");
    }
}
