//! The error answers every part of the exchange sends, shaped as Kalshi's servers send them.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// An error answer with `status`, shaped as Kalshi's servers send it: the `ErrorResponse` fields
/// nested under `error` (`{"error": {code, message, details, service}}`), not flat as the spec
/// declares it.
pub fn error(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    (
        status,
        Json(json!({ "error": error_body(code, message, details) })),
    )
        .into_response()
}

fn error_body(code: &str, message: &str, details: &str) -> Value {
    json!({
        "code": code,
        "message": message,
        "details": details,
        "service": "test-exchange",
    })
}

/// An error the handlers answer: a status and the fields of its `ErrorResponse`. Batch endpoints
/// put its [`body`](ApiError::body) into the failed item instead.
#[derive(Debug)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: &'static str,
    pub(crate) details: String,
}

impl ApiError {
    /// A 400 `invalid_parameters`.
    pub(crate) fn invalid(details: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameters",
            message: "invalid parameters",
            details: details.into(),
        }
    }

    pub(crate) fn order_not_found(order_id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "order not found",
            details: format!("no order `{order_id}`"),
        }
    }

    pub(crate) fn body(&self) -> Value {
        error_body(self.code, self.message, &self.details)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.body() }))).into_response()
    }
}
