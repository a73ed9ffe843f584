//! The crate's instrumentation layer: thin macros over `tracing` that compile to nothing without
//! the `tracing` feature, so call sites stay one line and free of `cfg`.
//!
//! Call sites use a subset of `tracing`'s syntax: `name = value`, `name = %value` (Display),
//! `name = ?value` (Debug), then a message literal. Without the feature the values are type
//! checked (so no variable goes unused) but never evaluated. Nothing secret goes into a field: no
//! key, no signature, no `KALSHI-ACCESS-*` header, no full request path or frame.

#[cfg(feature = "tracing")]
macro_rules! debug { ($($t:tt)*) => { ::tracing::debug!($($t)*) }; }
#[cfg(feature = "tracing")]
macro_rules! info { ($($t:tt)*) => { ::tracing::info!($($t)*) }; }
#[cfg(feature = "tracing")]
macro_rules! warn_ { ($($t:tt)*) => { ::tracing::warn!($($t)*) }; }
#[cfg(feature = "tracing")]
#[cfg_attr(not(feature = "ws"), allow(unused_macros))] // only a WebSocket session logs errors
macro_rules! error { ($($t:tt)*) => { ::tracing::error!($($t)*) }; }

/// Records `value` as field `name` of `span`. On a disabled span (nobody listens) `value` is not
/// even computed.
#[cfg(feature = "tracing")]
macro_rules! record {
    ($span:expr, $name:literal, % $value:expr) => {
        if !$span.is_disabled() {
            $span.record($name, ::tracing::field::display(&$value));
        }
    };
    ($span:expr, $name:literal, $value:expr) => {
        if !$span.is_disabled() {
            $span.record($name, $value);
        }
    };
}

#[cfg(not(feature = "tracing"))]
macro_rules! debug { ($($t:tt)*) => { $crate::trace::off!($($t)*) }; }
#[cfg(not(feature = "tracing"))]
macro_rules! info { ($($t:tt)*) => { $crate::trace::off!($($t)*) }; }
#[cfg(not(feature = "tracing"))]
macro_rules! warn_ { ($($t:tt)*) => { $crate::trace::off!($($t)*) }; }
#[cfg(not(feature = "tracing"))]
#[cfg_attr(not(feature = "ws"), allow(unused_macros))]
macro_rules! error { ($($t:tt)*) => { $crate::trace::off!($($t)*) }; }

#[cfg(not(feature = "tracing"))]
macro_rules! record {
    ($span:expr, $name:literal, % $value:expr) => {
        $crate::trace::off!(x = $span, x = $value,)
    };
    ($span:expr, $name:literal, $value:expr) => {
        $crate::trace::off!(x = $span, x = $value,)
    };
}

/// Without the feature: each value is borrowed inside `if false`, so it is type checked and
/// counts as used, but the branch is removed and nothing runs.
#[cfg(not(feature = "tracing"))]
macro_rules! off {
    () => { () };
    ($msg:literal $(,)?) => { () };
    ($($name:ident).+ = % $value:expr $(, $($rest:tt)*)?) => {{
        if false { let _ = &$value; }
        $crate::trace::off!($($($rest)*)?)
    }};
    ($($name:ident).+ = ? $value:expr $(, $($rest:tt)*)?) => {{
        if false { let _ = &$value; }
        $crate::trace::off!($($($rest)*)?)
    }};
    ($($name:ident).+ = $value:expr $(, $($rest:tt)*)?) => {{
        if false { let _ = &$value; }
        $crate::trace::off!($($($rest)*)?)
    }};
    ($name:ident $(, $($rest:tt)*)?) => {{
        if false { let _ = &$name; }
        $crate::trace::off!($($($rest)*)?)
    }};
}

#[cfg_attr(not(feature = "ws"), allow(unused_imports))]
pub(crate) use error;
#[cfg(not(feature = "tracing"))]
pub(crate) use off;
// `warn` is also a built-in attribute: the macro is defined under another name and renamed here.
pub(crate) use {debug, info, record, warn_ as warn};

/// A REST call's span, or a stand-in without the feature.
#[cfg(feature = "tracing")]
pub(crate) type Span = tracing::Span;

/// A REST call's span, or a stand-in without the feature.
#[cfg(not(feature = "tracing"))]
#[derive(Clone, Copy)]
pub(crate) struct Span;

/// The span of one REST call: the operation (`otel.name` too, so OpenTelemetry exporters name
/// the span after it), the method and the path template (never the filled-in path). The fields
/// left empty are recorded as they become known.
#[cfg(feature = "tracing")]
pub(crate) fn request_span(info: &crate::operation::OperationInfo) -> Span {
    tracing::debug_span!(
        "request",
        operation = info.id,
        otel.name = info.id,
        method = info.method.as_str(),
        path = info.path,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
        request_id = tracing::field::Empty,
        latency_ms = tracing::field::Empty,
        rate_limit_wait_ms = tracing::field::Empty,
        retry = tracing::field::Empty,
        error = tracing::field::Empty,
    )
}

#[cfg(not(feature = "tracing"))]
pub(crate) fn request_span(_: &crate::operation::OperationInfo) -> Span {
    Span
}

/// Runs `fut` inside `span`.
#[cfg(feature = "tracing")]
pub(crate) fn instrument<F: std::future::Future>(
    fut: F,
    span: &Span,
) -> tracing::instrument::Instrumented<F> {
    tracing::Instrument::instrument(fut, span.clone())
}

/// Runs `fut` (no span without the feature).
#[cfg(not(feature = "tracing"))]
pub(crate) fn instrument<F: std::future::Future>(fut: F, _: &Span) -> F {
    fut
}

/// The time now when `span` is listened to, for a latency to report; `None` otherwise (so that
/// nobody listening costs no clock read).
#[cfg(feature = "tracing")]
pub(crate) fn now(span: &Span) -> Option<tokio::time::Instant> {
    (!span.is_disabled()).then(tokio::time::Instant::now)
}

/// `None`: without the feature nothing is reported.
#[cfg(not(feature = "tracing"))]
pub(crate) fn now(_: &Span) -> Option<tokio::time::Instant> {
    None
}

/// Milliseconds since `since`, when there is one.
pub(crate) fn since(since: Option<tokio::time::Instant>) -> Option<f64> {
    since.map(|t| ms(t.elapsed()))
}

/// Milliseconds, as a float with microsecond resolution, for latency fields.
pub(crate) fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
