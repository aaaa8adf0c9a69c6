//! Query strings parsed into a struct of raw strings; the domain parses
//! the values. A malformed query (e.g. a repeated parameter) is a 400 in
//! SPEC's envelope rather than axum's plain-text rejection.

use axum::{
    extract::{FromRequestParts, Query},
    http::request::Parts,
};
use serde::de::DeserializeOwned;
use shared::ApiError;

pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(value)| QueryParams(value))
            .map_err(|_| ApiError::field("query", "malformed query string (each parameter may appear once)"))
    }
}
