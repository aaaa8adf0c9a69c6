//! Where the outside world reaches this API: the base that URLs we hand out
//! (the payment callback) are built on. Configured only
//! (`PAYMENT_CALLBACK_BASE_URL`, e.g. a custom domain): never read from a
//! request, whose `Host` and `X-Forwarded-Host` the client chooses.

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
}
