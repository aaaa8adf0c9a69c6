//! Pauses between retries: exponential in the attempt, with full jitter, so
//! callers that failed together (two imports that deadlocked, senders that
//! met the same S3 throttling) do not come back together. Only the pause is
//! computed here; what to retry and how often is the caller's call.

use std::time::Duration;

use rand::Rng;

/// The longest pause, whatever the attempt: a retry loop must stay short
/// next to a request's or a snapshot's own time budget.
const CAP: Duration = Duration::from_secs(5);

/// A pause between `base / 2` and `base × 2^(attempt − 1)` (capped), for the
/// pause after failed attempt `attempt` (1 for the first failure).
pub fn jittered(base: Duration, attempt: u32) -> Duration {
    let ceiling = base.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(CAP);
    let floor = (base / 2).min(ceiling);
    let millis = rand::thread_rng().gen_range(floor.as_millis()..=ceiling.as_millis());
    Duration::from_millis(millis as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_grow_with_the_attempt_and_stay_under_the_cap() {
        let base = Duration::from_millis(100);
        for _ in 0..100 {
            let first = jittered(base, 1);
            assert!(first >= Duration::from_millis(50) && first <= base, "{first:?}");
            let third = jittered(base, 3);
            assert!(third >= Duration::from_millis(50) && third <= Duration::from_millis(400), "{third:?}");
            assert!(jittered(base, 40) <= CAP);
        }
    }
}
