//! The one error type that knows its HTTP face.
//!
//! Domain errors are enums in their own modules; each converts into an
//! [`ApiError`], which renders SPEC's envelope:
//! `{"success": false, "message", "code", "errors"?}`. Unexpected errors keep
//! their cause chain for the log and answer a bare 500 that leaks nothing.

use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;

/// One invalid input field, as listed in the envelope's `errors`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    Validation { message: String, errors: Vec<FieldError> },
    /// A 400 that is not about one field's shape (e.g. a wrong one-time code).
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists, the method does not; the router adds `Allow`.
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{message}")]
    BusinessRule { code: &'static str, message: String },
    /// 429 with `Retry-After`; `code` says which limit (`RATE_LIMITED`, `LINKING_LIMIT`…).
    #[error("{message}")]
    TooManyRequests { code: &'static str, message: String, retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let message = match errors.as_slice() {
            [only] => format!("{}: {}", only.field, only.message),
            _ => "Validation failed".to_owned(),
        };
        Self::Validation { message, errors }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::Unauthorized { code: "UNAUTHORIZED", message: message.into() }
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn internal(err: impl Into<anyhow::Error>) -> Self {
        Self::Internal(err.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::BusinessRule { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "VALIDATION_ERROR",
            Self::BadRequest { code, .. }
            | Self::Unauthorized { code, .. }
            | Self::Forbidden { code, .. }
            | Self::Conflict { code, .. }
            | Self::BusinessRule { code, .. }
            | Self::TooManyRequests { code, .. } => code,
            Self::NotFound(_) => "NOT_FOUND",
            Self::MethodNotAllowed(_) => "METHOD_NOT_ALLOWED",
            Self::PayloadTooLarge(_) => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType(_) => "UNSUPPORTED_MEDIA_TYPE",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL_ERROR",
        }
    }
}

/// The JSON body of every error (SPEC "Conventions"); `success` is false.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorEnvelope<'a> {
    success: bool,
    message: String,
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [FieldError]>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = match &self {
            Self::Internal(cause) => {
                tracing::error!(error.cause_chain = ?cause, "request failed unexpectedly");
                "Internal server error".to_owned()
            }
            other => other.to_string(),
        };
        let errors = match &self {
            Self::Validation { errors, .. } => Some(errors.as_slice()),
            _ => None,
        };
        let body = ErrorEnvelope { success: false, message, code: self.code(), errors };
        let mut response = (self.status(), Json(body)).into_response();
        if let Self::TooManyRequests { retry_after_secs, .. } = &self {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        response
    }
}

/// The code of a lock conflict that outlived `db::retry_transaction`: a
/// request raced another for the same rows and lost every time.
pub const CONCURRENT_UPDATE: &str = "CONCURRENT_UPDATE";

impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        // Not a fault: nothing was written, and the client may simply try
        // again; a 409 says so where a 500 would page someone.
        if crate::db::is_lock_conflict(&err) {
            return Self::Conflict {
                code: CONCURRENT_UPDATE,
                message: "Another request changed this at the same time; try again".into(),
            };
        }
        Self::Internal(err.into())
    }
}

/// An error from inside a transaction reads as a lock conflict whether `?`
/// turned it into the 409 above or it was wrapped as internal.
impl crate::db::LockConflict for ApiError {
    fn is_lock_conflict(&self) -> bool {
        match self {
            Self::Conflict { code, .. } => *code == CONCURRENT_UPDATE,
            Self::Internal(cause) => cause.downcast_ref::<sqlx::Error>().is_some_and(crate::db::is_lock_conflict),
            _ => false,
        }
    }
}
