//! Where the outside world reaches this API: the base that URLs we hand out
//! (the payment callback) are built on. Configured (`PAYMENT_CALLBACK_BASE_URL`,
//! e.g. a custom domain) or read from the request a client just made — the
//! scheme and host it used and any path prefix in front of our routes (an
//! API Gateway stage or API mapping key).

use std::fmt;

use reqwest::Url;

/// An `http(s)://host[:port][/prefix]` base without a trailing slash, query
/// or fragment: joining `/api/…` to it gives a URL the client can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicBaseUrl(String);

impl PublicBaseUrl {
    /// A configured base URL, e.g. `https://api.example.com` or
    /// `https://api.example.com/v1/`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = Url::parse(raw.trim()).map_err(|e| format!("`{raw}` is not a URL ({e})"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("`{raw}` is not an http(s) URL"));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("`{raw}` has no host"));
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("`{raw}` must be a bare base URL (no credentials, query or fragment)"));
        }
        Ok(Self(url.as_str().trim_end_matches('/').to_owned()))
    }

    /// The base a request was made to: its scheme (`http`/`https`), its
    /// `host[:port]` and the path in front of our routes (`""`, `/prod`).
    pub fn from_request(scheme: &str, host: &str, prefix: &str) -> Result<Self, String> {
        let scheme = scheme.trim().to_ascii_lowercase();
        if !matches!(scheme.as_str(), "http" | "https") {
            return Err(format!("scheme `{scheme}` is not http(s)"));
        }
        // A host header is `host[:port]` (or `[v6]:port`), nothing else: no
        // path, credentials or whitespace may ride along into a URL we hand out.
        let host = host.trim();
        let host_ok = !host.is_empty()
            && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']' | b'_'));
        if !host_ok {
            return Err(format!("host `{host}` is not a host name"));
        }
        let prefix = prefix.trim_end_matches('/');
        let prefix_ok = prefix.is_empty()
            || (prefix.starts_with('/')
                && prefix.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~' | b'%' | b'$' | b'+')
                }));
        if !prefix_ok {
            return Err(format!("path prefix `{prefix}` is not a plain path"));
        }
        Self::parse(&format!("{scheme}://{host}{prefix}"))
    }

    /// `self` + an absolute path of ours, e.g. `/api/payments/callback`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PublicBaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::PublicBaseUrl;

    #[test]
    fn a_configured_base_loses_its_trailing_slash() {
        let base = PublicBaseUrl::parse("https://api.example.com/v1/").unwrap();
        assert_eq!(base.join("/api/payments/callback"), "https://api.example.com/v1/api/payments/callback");
        assert_eq!(PublicBaseUrl::parse("http://localhost:3000").unwrap().as_str(), "http://localhost:3000");
    }

    #[test]
    fn a_configured_base_must_be_a_bare_http_url() {
        for bad in ["api.example.com", "ftp://api.example.com", "https://u:p@api.example.com", "https://a.b/?x=1", ""] {
            assert!(PublicBaseUrl::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_request_base_keeps_its_port_and_stage_prefix() {
        let base = PublicBaseUrl::from_request("HTTPS", "abc.execute-api.eu-west-1.amazonaws.com", "/prod").unwrap();
        assert_eq!(base.as_str(), "https://abc.execute-api.eu-west-1.amazonaws.com/prod");
        let local = PublicBaseUrl::from_request("http", "localhost:3000", "").unwrap();
        assert_eq!(local.join("/api/x"), "http://localhost:3000/api/x");
    }

    #[test]
    fn a_host_header_cannot_smuggle_a_path_or_credentials() {
        for host in ["evil.example/x", "user@evil.example", "a b", "", "evil.example?x"] {
            assert!(PublicBaseUrl::from_request("https", host, "").is_err(), "{host} accepted");
        }
        assert!(PublicBaseUrl::from_request("javascript", "a.example", "").is_err());
        assert!(PublicBaseUrl::from_request("https", "a.example", "/p?x").is_err());
    }
}
