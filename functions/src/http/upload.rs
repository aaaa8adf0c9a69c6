//! Reading one file from a `multipart/form-data` request, with a size cap
//! enforced while the bytes stream in (the whole body is never buffered
//! past the cap). Failures answer in SPEC's envelope: not multipart is a
//! 415, a missing field a 400 naming it, an oversized file a 413.

use axum::extract::{multipart::MultipartRejection, Multipart};
use http::StatusCode;
use shared::{campaigns::UploadedFile, ApiError};

/// How much larger than the file a request body may be: the multipart
/// boundaries, part headers and any small extra fields.
pub const MULTIPART_OVERHEAD: usize = 64 * 1024;

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("The file may be at most {} MB", max_bytes / (1024 * 1024)))
}

fn broken(err: axum::extract::multipart::MultipartError, max_bytes: usize) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large(max_bytes)
    } else {
        ApiError::BadRequest { code: "INVALID_MULTIPART", message: "The multipart body could not be read".into() }
    }
}

/// The file in form field `field`, at most `max_bytes` long.
pub async fn read_file(
    multipart: Result<Multipart, MultipartRejection>,
    field: &str,
    max_bytes: usize,
) -> Result<UploadedFile, ApiError> {
    let mut multipart = multipart.map_err(|_| {
        ApiError::UnsupportedMediaType(format!("Send the file as multipart/form-data in the field `{field}`"))
    })?;
    while let Some(mut part) = multipart.next_field().await.map_err(|e| broken(e, max_bytes))? {
        if part.name() != Some(field) {
            continue;
        }
        let original_name = part.file_name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(|e| broken(e, max_bytes))? {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(too_large(max_bytes));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(ApiError::field(field, "the file is empty"));
        }
        return Ok(UploadedFile { original_name, bytes });
    }
    Err(ApiError::field(field, "is required (a multipart/form-data file field)"))
}
