//! Reading one file out of a `multipart/form-data` body, within a size
//! limit, with failures in the JSON envelope: not multipart → 415, too
//! large → 413, missing field → 400 naming it. The route also needs a
//! `DefaultBodyLimit` above the file limit (axum's default is 2 MB).

use axum::{
    extract::{multipart::MultipartError, FromRequest, Multipart, Request},
    http::StatusCode,
};
use shared::ApiError;

/// Room for the multipart framing around the file.
pub const FRAMING_BYTES: usize = 64 * 1024;

pub struct MultipartForm(Multipart);

pub struct UploadedFile {
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

impl<S: Send + Sync> FromRequest<S> for MultipartForm {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Multipart::from_request(req, state)
            .await
            .map(Self)
            .map_err(|_| ApiError::UnsupportedMediaType("Expected a multipart/form-data upload".into()))
    }
}

impl MultipartForm {
    /// The file sent as `field`, at most `max_bytes` long; other fields are
    /// skipped.
    pub async fn file(mut self, field: &str, max_bytes: usize) -> Result<UploadedFile, ApiError> {
        while let Some(mut part) = self.0.next_field().await.map_err(unreadable)? {
            if part.name() != Some(field) {
                continue;
            }
            let file_name = part.file_name().map(str::to_owned);
            let mut bytes = Vec::new();
            while let Some(chunk) = part.chunk().await.map_err(unreadable)? {
                if bytes.len() + chunk.len() > max_bytes {
                    return Err(too_large(max_bytes));
                }
                bytes.extend_from_slice(&chunk);
            }
            return Ok(UploadedFile { file_name, bytes });
        }
        Err(ApiError::field(field, "a file is required"))
    }
}

fn unreadable(err: MultipartError) -> ApiError {
    if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("The upload is too large".into())
    } else {
        ApiError::field("body", "is not valid multipart/form-data")
    }
}

fn too_large(max_bytes: usize) -> ApiError {
    ApiError::PayloadTooLarge(format!("The file must be at most {} MB", max_bytes / (1024 * 1024)))
}
