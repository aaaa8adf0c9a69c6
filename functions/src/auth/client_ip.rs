//! The client's address, for the login and one-time-code attempt counters.
//!
//! - Behind API Gateway (Lambda): CloudFront's `CloudFront-Viewer-Address`
//!   (`ip:port`, which CloudFront sets itself; the distribution forwards it
//!   with its origin request policy) when present, else the event's
//!   `requestContext.http.sourceIp` — the connection API Gateway saw.
//! - The local gateway and the tests: the TCP peer (`ConnectInfo`).
//!
//! `X-Forwarded-For` is never read: a client writes whatever it likes there.

use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
};

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{request::Parts, HeaderMap},
};
use lambda_http::request::RequestContext;

/// The client's address, if the request says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(client_ip(parts)))
    }
}

fn client_ip(parts: &Parts) -> Option<IpAddr> {
    if let Some(RequestContext::ApiGatewayV2(context)) = parts.extensions.get::<RequestContext>() {
        return viewer_address(&parts.headers).or_else(|| context.http.source_ip.as_deref()?.parse().ok());
    }
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(peer)| peer.ip())
}

/// `CloudFront-Viewer-Address: 198.51.100.10:46532` or `2001:db8::1:46532`.
fn viewer_address(headers: &HeaderMap) -> Option<IpAddr> {
    let value = headers.get("cloudfront-viewer-address")?.to_str().ok()?;
    let (ip, _port) = value.trim().rsplit_once(':')?;
    ip.trim_start_matches('[').trim_end_matches(']').parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("cloudfront-viewer-address", value.parse().unwrap());
        headers
    }

    #[test]
    fn reads_cloudfronts_viewer_address() {
        assert_eq!(viewer_address(&headers("198.51.100.10:46532")), Some("198.51.100.10".parse().unwrap()));
        assert_eq!(viewer_address(&headers("2001:db8::1:46532")), Some("2001:db8::1".parse().unwrap()));
        assert_eq!(viewer_address(&headers("garbage")), None);
        assert_eq!(viewer_address(&HeaderMap::new()), None);
    }

    #[test]
    fn the_peer_outside_lambda() {
        let mut request = axum::http::Request::new(());
        request.extensions_mut().insert(ConnectInfo::<SocketAddr>("192.0.2.9:5000".parse().unwrap()));
        request.headers_mut().insert("cloudfront-viewer-address", "203.0.113.1:1".parse().unwrap());
        let (parts, _) = request.into_parts();
        assert_eq!(client_ip(&parts), Some("192.0.2.9".parse().unwrap()), "the header counts only behind API Gateway");
    }
}
