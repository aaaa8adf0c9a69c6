//! A per-client rate limit for the local gateway (API Gateway throttles in
//! AWS): a token bucket per client IP holding `max` requests and refilling at
//! `max / window`, i.e. 200 requests per 15 minutes by default without a
//! burst at window edges. Over the limit: 429 with `Retry-After`.

use std::{
    collections::HashMap,
    net::{IpAddr, SocketAddr},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderValue,
    middleware::Next,
    response::{IntoResponse, Response},
};
use shared::ApiError;

#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Mutex<HashMap<IpAddr, Bucket>>>,
    capacity: f64,
    per_second: f64,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Forget idle clients once the table grows past this.
const PRUNE_ABOVE: usize = 10_000;

impl RateLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        let capacity = f64::from(max.max(1));
        Self { inner: Arc::default(), capacity, per_second: capacity / window.as_secs_f64().max(0.001) }
    }

    /// `Ok(remaining)` or `Err(seconds until one request is allowed)`.
    pub fn check(&self, client: IpAddr) -> Result<u32, u64> {
        let now = Instant::now();
        let mut buckets = self.inner.lock().expect("rate limiter lock");
        if buckets.len() > PRUNE_ABOVE {
            let full_after = Duration::from_secs_f64(self.capacity / self.per_second);
            buckets.retain(|_, b| now.duration_since(b.updated) < full_after);
        }
        let bucket = buckets.entry(client).or_insert(Bucket { tokens: self.capacity, updated: now });
        let refilled = now.duration_since(bucket.updated).as_secs_f64() * self.per_second;
        bucket.tokens = (bucket.tokens + refilled).min(self.capacity);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(bucket.tokens as u32)
        } else {
            Err(((1.0 - bucket.tokens) / self.per_second).ceil().max(1.0) as u64)
        }
    }

    pub fn limit(&self) -> u32 {
        self.capacity as u32
    }
}

pub async fn enforce(
    State(limiter): State<RateLimiter>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    match limiter.check(peer.ip()) {
        Ok(remaining) => {
            let mut response = next.run(request).await;
            let headers = response.headers_mut();
            headers.insert("x-ratelimit-limit", HeaderValue::from(limiter.limit()));
            headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
            response
        }
        Err(retry_after_secs) => ApiError::TooManyRequests {
            code: "RATE_LIMITED",
            message: "Too many requests; slow down".into(),
            retry_after_secs,
        }
        .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_max_then_refuses_with_a_wait() {
        let limiter = RateLimiter::new(3, Duration::from_secs(900));
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(limiter.check(ip), Ok(2));
        assert_eq!(limiter.check(ip), Ok(1));
        assert_eq!(limiter.check(ip), Ok(0));
        let wait = limiter.check(ip).unwrap_err();
        assert!((299..=300).contains(&wait), "{wait}");
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(limiter.check(other).is_ok(), "clients are limited separately");
    }
}
