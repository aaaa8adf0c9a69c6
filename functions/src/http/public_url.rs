//! The path a client used to reach us, as opposed to the path our routers
//! match on.
//!
//! Behind API Gateway the two differ: a named stage (`/prod`) or a custom
//! domain's API mapping key (`/v1`) sits in front of our `/api/…` paths in
//! the event's `rawPath`, and `lambda_http` keeps it in the URI it hands
//! the router. [`route_from_api_gateway`] moves that prefix out of the URI
//! (so the same routes match in Lambda, the local gateway and tests) into a
//! [`PathPrefix`] extension.
//!
//! No URL we hand out is built from a request: the payment callback's base
//! comes from configuration only (`PAYMENT_CALLBACK_BASE_URL`), since
//! `Host` and `X-Forwarded-Host` are whatever the client chose to send.

use axum::http::{Request, Uri};
use lambda_http::{request::RequestContext, RequestExt};

/// The path in front of our routes in the URL the client used: `""`,
/// `/prod` (a stage), `/v1` (an API mapping key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathPrefix(pub String);

/// For an API Gateway HTTP API event: the URI path becomes the route's own
/// path (`/prod/api/x` → `/api/x`) and what stood before it is kept as
/// [`PathPrefix`]. Other requests pass unchanged.
pub fn route_from_api_gateway<B>(mut request: Request<B>) -> Request<B> {
    let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref() else {
        return request;
    };
    let raw_path = match request.raw_http_path() {
        "" => context.http.path.clone().unwrap_or_default(),
        raw => raw.to_owned(),
    };
    let Some((prefix, path)) = context.route_key.as_deref().and_then(|key| split_route_prefix(&raw_path, key)) else {
        return request;
    };
    let path_and_query = match request.uri().query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = request.uri().clone().into_parts();
    match path_and_query.parse() {
        Ok(parsed) => parts.path_and_query = Some(parsed),
        Err(_) => return request,
    }
    if let Ok(uri) = Uri::from_parts(parts) {
        *request.uri_mut() = uri;
        request.extensions_mut().insert(PathPrefix(prefix));
    }
    request
}

/// `(prefix, route path)` of a raw path, given the route key API Gateway
/// matched (`POST /api/campaigns/{id}`): the route takes as many trailing
/// segments as its template has, and its literal segments must agree.
/// `None` for the `$default` route and greedy `{proxy+}` templates.
fn split_route_prefix(raw_path: &str, route_key: &str) -> Option<(String, String)> {
    let (_, template) = route_key.split_once(' ')?;
    if !template.starts_with('/') || template.contains("+}") {
        return None;
    }
    let route: Vec<&str> = template[1..].split('/').collect();
    let raw: Vec<&str> = raw_path.strip_prefix('/')?.split('/').collect();
    let split = raw.len().checked_sub(route.len())?;
    let (head, tail) = raw.split_at(split);
    let literal_mismatch =
        route.iter().zip(tail).any(|(want, got)| !(want.starts_with('{') && want.ends_with('}')) && want != got);
    if literal_mismatch {
        return None;
    }
    let join = |segments: &[&str]| segments.iter().map(|s| format!("/{s}")).collect::<String>();
    Some((join(head), join(tail)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(stage: &str, raw_path: &str, route_key: &str, host: &str) -> lambda_http::Request {
        let body = serde_json::json!({
            "version": "2.0",
            "routeKey": route_key,
            "rawPath": raw_path,
            "rawQueryString": "a=1",
            "headers": { "host": host, "x-forwarded-proto": "https" },
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": host,
                "domainPrefix": host.split('.').next().unwrap(),
                "http": { "method": "POST", "path": raw_path, "protocol": "HTTP/1.1",
                          "sourceIp": "192.0.2.1", "userAgent": "test" },
                "requestId": "id",
                "routeKey": route_key,
                "stage": stage,
                "time": "12/Mar/2020:19:03:58 +0000",
                "timeEpoch": 1583348638390_i64
            },
            "isBase64Encoded": false
        });
        lambda_http::request::from_str(&body.to_string()).expect("an HTTP API event")
    }

    fn through(request: lambda_http::Request) -> (String, Option<PathPrefix>) {
        let request = route_from_api_gateway(request);
        let (parts, _) = request.into_parts();
        let path = parts.uri.path_and_query().unwrap().to_string();
        (path, parts.extensions.get::<PathPrefix>().cloned())
    }

    fn prefix(p: &str) -> Option<PathPrefix> {
        Some(PathPrefix(p.into()))
    }

    #[test]
    fn the_default_stage_has_no_prefix() {
        let host = "abc123.execute-api.eu-west-1.amazonaws.com";
        let (path, found) = through(event("$default", "/api/payments/request", "POST /api/payments/request", host));
        assert_eq!(path, "/api/payments/request?a=1");
        assert_eq!(found, prefix(""));
    }

    #[test]
    fn a_named_stage_is_kept_as_the_prefix_and_out_of_the_route() {
        let host = "abc123.execute-api.eu-west-1.amazonaws.com";
        let (path, found) = through(event("prod", "/prod/api/payments/request", "POST /api/payments/request", host));
        assert_eq!(path, "/api/payments/request?a=1");
        assert_eq!(found, prefix("/prod"));
    }

    #[test]
    fn a_custom_domains_mapping_key_is_the_prefix_not_the_stage() {
        let (path, found) =
            through(event("prod", "/v1/api/campaigns/42/start", "POST /api/campaigns/{id}/start", "api.example.com"));
        assert_eq!(path, "/api/campaigns/42/start?a=1");
        assert_eq!(found, prefix("/v1"));
    }

    #[test]
    fn routes_that_do_not_line_up_are_left_alone() {
        assert_eq!(split_route_prefix("/api/x", "$default"), None);
        assert_eq!(split_route_prefix("/p/api/x/y", "ANY /api/{proxy+}"), None);
        assert_eq!(split_route_prefix("/api/y", "GET /api/x"), None);
        assert_eq!(split_route_prefix("/x", "GET /api/x"), None);
        assert_eq!(split_route_prefix("/api/x", "GET /api/x"), Some((String::new(), "/api/x".into())));
    }

    #[test]
    fn a_plain_request_passes_unchanged() {
        let request = Request::builder()
            .uri("/api/payments/request")
            .header("host", "localhost:3000")
            .header("x-forwarded-host", "evil.example")
            .body(())
            .unwrap();
        let (parts, _) = route_from_api_gateway(request).into_parts();
        assert_eq!(parts.uri, "/api/payments/request");
        assert!(parts.extensions.get::<PathPrefix>().is_none());
    }
}
