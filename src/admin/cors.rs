//! CORS for a browser-based audit console on another origin: an exact allow-list of origins,
//! validated at start-up. Unlisted origins get no CORS headers; credentials (cookies) are never
//! allowed — the console sends its auditor token as a bearer header.

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Checks one configured origin: `scheme://host[:port]`, exactly as a browser sends it.
pub fn validate_origin(origin: &str) -> Result<HeaderValue, String> {
    let why = |reason: &str| {
        Err(format!(
            "CORS origin {origin:?} {reason}; write it as scheme://host[:port], e.g. https://audit.example.com"
        ))
    };
    if origin.contains('*') {
        return why("is a wildcard, which would expose the audit API to any site");
    }
    let Ok(url) = url::Url::parse(origin) else {
        return why("is not a URL (is the scheme missing?)");
    };
    if !matches!(url.scheme(), "https" | "http") {
        return why("must use https (or http for a local console)");
    }
    if url.host_str().is_none() {
        return why("has no host");
    }
    let serialized = url.origin().ascii_serialization();
    if serialized != origin {
        return why("has a path, a trailing slash, user info or a non-canonical form");
    }
    HeaderValue::from_str(origin).or_else(|_| why("is not a valid header value"))
}

/// The layer for a validated allow-list (`None` when the list is empty: no CORS at all).
pub fn layer(origins: &[String]) -> Result<Option<CorsLayer>, String> {
    if origins.is_empty() {
        return Ok(None);
    }
    let values = origins
        .iter()
        .map(|o| validate_origin(o))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(values))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([HeaderName::from_static("content-type")])
            .max_age(std::time::Duration::from_secs(600)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_origins_pass() {
        for ok in [
            "https://audit.example.com",
            "https://audit.example.com:8443",
            "http://localhost:3000",
        ] {
            assert!(validate_origin(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("*", "wildcard"),
            ("https://*.example.com", "wildcard"),
            ("https://audit.example.com/", "trailing slash"),
            ("https://audit.example.com/console", "path"),
            ("audit.example.com", "scheme"),
            ("ftp://audit.example.com", "https"),
            ("https://user@audit.example.com", "user info"),
        ] {
            let e = validate_origin(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }
}
