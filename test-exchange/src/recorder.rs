//! The recorder: every request as it was on the wire and the status it got, for tests to assert
//! on, and the `x-request-id` each answer carries.

use crate::error::error;
use crate::{RecordedRequest, State};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Instant;

/// Records each request and the status it got.
pub(crate) async fn record(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    req: Request,
    next: Next,
) -> Response {
    let received = Instant::now();
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, 16 << 20).await {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "unreadable body",
                &e.to_string(),
            )
        }
    };
    let index = {
        let mut requests = state.requests.lock().unwrap();
        requests.push(RecordedRequest {
            received,
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers.clone(),
            body: body.to_vec(),
            status: 0,
        });
        requests.len() - 1
    };
    let mut response = next.run(Request::from_parts(parts, body.into())).await;
    if let Some(r) = state.requests.lock().unwrap().get_mut(index) {
        r.status = response.status().as_u16();
    }
    // Kalshi names every answer with a request id; here it is the request's place in the record.
    response.headers_mut().insert(
        REQUEST_ID,
        header::HeaderValue::from_str(&request_id(index)).expect("ASCII"),
    );
    response
}

const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// The `x-request-id` the exchange answers the `index`th recorded request (from 0) with.
pub fn request_id(index: usize) -> String {
    format!("test-req-{:06}", index + 1)
}
