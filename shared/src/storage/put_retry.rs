//! When S3 refuses a write (503 SlowDown under a burst of snapshots, a 500,
//! a dropped connection), the write is tried again a few times with growing,
//! jittered pauses, on top of the SDK's own quick retries: a profile snapshot
//! must survive a minute of throttling without failing its session. Refusals
//! that no retry can fix (403, 400, a missing bucket) fail at once.

use std::time::Duration;

use aws_sdk_s3::{
    config::http::HttpResponse,
    error::{DisplayErrorContext, ProvideErrorMetadata, SdkError},
    operation::put_object::PutObjectError,
};

/// Whole PutObject calls (each with the SDK's own retries) before giving up.
pub const PUT_ATTEMPTS: u32 = 5;

/// The first pause; it doubles per failure (jittered, see [`crate::backoff`]).
pub const FIRST_PAUSE: Duration = Duration::from_millis(200);

/// Whether a failed put may succeed if tried again.
pub fn is_transient(err: &SdkError<PutObjectError, HttpResponse>) -> bool {
    match err {
        SdkError::ServiceError(service) => {
            let code = service.err().code();
            let status = service.raw().status().as_u16();
            matches!(code, Some("SlowDown" | "RequestTimeout" | "InternalError" | "ServiceUnavailable"))
                || status >= 500
                || status == 429
        }
        SdkError::ConstructionFailure(_) => false,
        // Timeouts, dispatch failures (connection refused or reset) and
        // unreadable responses: the request may never have arrived.
        _ => true,
    }
}

/// Logs one refused attempt (the key and the error, never the body or the
/// credentials) and returns the pause before the next.
pub fn note_refusal<E: std::error::Error>(key: &str, attempt: u32, err: E) -> Duration {
    let pause = crate::backoff::jittered(FIRST_PAUSE, attempt);
    tracing::warn!(
        key,
        attempt,
        of = PUT_ATTEMPTS,
        pause_ms = pause.as_millis() as u64,
        error = %DisplayErrorContext(err),
        "S3 refused a write; trying again"
    );
    crate::metrics::count("StorageRetries", 1, &[("Operation", "put")]);
    pause
}
