//! Kalshi's error answers as it sends them: flat (as the spec declares), nested under `error` (the
//! live API's 401 and 403), and `{"error": "text"}` (429). Each gives the typed error with its code
//! and message, and the raw body is kept.

use bytes::Bytes;
use kalshi_api::{ApiError, Error, ErrorBody};
use reqwest::StatusCode;

fn api_error(status: u16, body: &str) -> Error {
    let status = StatusCode::from_u16(status).unwrap();
    let e = Box::new(ApiError::new(
        "GetBalance",
        status,
        Bytes::from(body.to_string()),
        None,
    ));
    if status == StatusCode::TOO_MANY_REQUESTS {
        Error::RateLimited(e)
    } else {
        Error::Api(e)
    }
}

fn body(e: &Error) -> &ErrorBody {
    e.api_error().unwrap().body.as_ref().expect("a parsed body")
}

#[test]
fn a_403_nested_under_error_gives_code_and_message() {
    let raw = r#"{"error": {"code": "permission_denied", "message": "permission denied"}}"#;
    let e = api_error(403, raw);
    assert_eq!(e.status(), Some(StatusCode::FORBIDDEN));
    let b = body(&e);
    assert_eq!(b.code.as_deref(), Some("permission_denied"));
    assert_eq!(b.message.as_deref(), Some("permission denied"));
    assert_eq!(b.error, None);
    assert_eq!(&e.api_error().unwrap().raw[..], raw.as_bytes());
    assert_eq!(
        e.to_string(),
        "GetBalance: HTTP 403 Forbidden: permission_denied: permission denied"
    );
}

#[test]
fn a_401_nested_keeps_its_details_and_service() {
    let raw = r#"{"error": {"code": "authentication_error", "message": "authentication failed",
        "details": "rpc error: code = Unauthenticated", "service": "auth"}}"#;
    let b = body(&api_error(401, raw)).clone();
    assert_eq!(b.code.as_deref(), Some("authentication_error"));
    assert_eq!(b.message.as_deref(), Some("authentication failed"));
    assert_eq!(
        b.details.as_deref(),
        Some("rpc error: code = Unauthenticated")
    );
    assert_eq!(b.service.as_deref(), Some("auth"));
}

#[test]
fn a_400_flat_gives_code_and_message() {
    let raw = r#"{"code": "invalid_parameters", "message": "limit must be at most 1000", "details": "limit"}"#;
    let e = api_error(400, raw);
    let b = body(&e);
    assert_eq!(b.code.as_deref(), Some("invalid_parameters"));
    assert_eq!(b.message.as_deref(), Some("limit must be at most 1000"));
    assert_eq!(b.details.as_deref(), Some("limit"));
}

#[test]
fn an_error_text_is_the_message() {
    let e = api_error(429, r#"{"error": "too many requests"}"#);
    assert!(matches!(e, Error::RateLimited(_)));
    let b = body(&e);
    assert_eq!(b.error.as_deref(), Some("too many requests"));
    assert_eq!(b.message.as_deref(), Some("too many requests"));
    assert_eq!(b.code, None);
    assert_eq!(
        e.to_string(),
        "rate limited: GetBalance: HTTP 429 Too Many Requests: too many requests"
    );
}

#[test]
fn other_bodies_are_kept_raw() {
    for raw in [
        "",
        "<html>bad gateway</html>",
        "[]",
        "{}",
        r#"{"error": null}"#,
    ] {
        let e = api_error(502, raw);
        let api = e.api_error().unwrap();
        assert_eq!(api.body, None, "{raw}");
        assert_eq!(&api.raw[..], raw.as_bytes());
    }
}
