//! What a session tells `tracing`: each connection event as it is queued for the user, and the
//! steps the user's stream does not show (connecting, each reconnect attempt, resubscribing).
//!
//! Levels: a healthy session logs nothing at `info` after it connects; reconnects, resubscribes
//! and snapshot requests are `info`; losses, gaps, drops and frames that do not decode are
//! `warn`; a session that ends on an error is `error`. Decode failures log the frame's `type`,
//! the JSON path and serde's message, never the frame.

use super::event::Event;
use crate::trace;

/// Logs `event` (messages are not logged: they are the stream itself).
pub(super) fn event<M>(event: &Event<M>) {
    match event {
        Event::Message(_) => {}
        Event::Disconnected { .. }
        | Event::Reconnected { .. }
        | Event::Resubscribed { .. }
        | Event::ResubscribeFailed { .. }
        | Event::Closed { .. } => connection(event),
        Event::SequenceGap { .. }
        | Event::SequenceRepeat { .. }
        | Event::SnapshotRequested { .. }
        | Event::MarketsRemoved { .. }
        | Event::Unsubscribed { .. } => subscription(event),
        Event::DecodeFailed { .. }
        | Event::Malformed { .. }
        | Event::ServerError { .. }
        | Event::Dropped { .. } => trouble(event),
    }
}

/// The connection's life: lost, back, resubscribed, closed.
fn connection<M>(event: &Event<M>) {
    match event {
        Event::Disconnected { reason } => trace::warn!(reason = %reason, "websocket disconnected"),
        Event::Reconnected { attempts, downtime } => trace::info!(
            attempts = *attempts,
            downtime_ms = trace::ms(*downtime),
            "websocket reconnected"
        ),
        Event::Resubscribed { subscription, sids } => trace::info!(
            subscription = subscription.get(),
            sids = ?sids,
            "websocket resubscribed"
        ),
        Event::ResubscribeFailed {
            subscription,
            error,
        } => trace::warn!(
            subscription = subscription.get(),
            error = %error,
            "websocket resubscribe failed"
        ),
        Event::Closed { error: Some(error) } => {
            trace::error!(error = %error, "websocket session ended")
        }
        Event::Closed { error: None } => trace::debug!("websocket session closed"),
        _ => {}
    }
}

/// What happened to a subscription: its sequence, its repairs, its markets, its end.
fn subscription<M>(event: &Event<M>) {
    match event {
        Event::SequenceGap {
            subscription,
            sid,
            expected,
            received,
        } => trace::warn!(
            subscription = subscription.map(|s| s.get()),
            sid = *sid,
            expected = *expected,
            received = *received,
            "websocket sequence gap"
        ),
        Event::SequenceRepeat {
            subscription,
            sid,
            last,
            received,
        } => trace::warn!(
            subscription = subscription.map(|s| s.get()),
            sid = *sid,
            last = *last,
            received = *received,
            "websocket sequence repeat"
        ),
        Event::SnapshotRequested {
            subscription,
            markets,
        } => trace::info!(
            subscription = subscription.get(),
            markets = markets.len(),
            "websocket resync: snapshot requested"
        ),
        Event::MarketsRemoved {
            subscription,
            markets,
        } => trace::debug!(
            subscription = subscription.get(),
            markets = markets.len(),
            "websocket markets removed"
        ),
        Event::Unsubscribed { subscription } => {
            trace::debug!(subscription = subscription.get(), "websocket unsubscribed")
        }
        _ => {}
    }
}

/// Frames that did not make it, and the server's own errors.
fn trouble<M>(event: &Event<M>) {
    match event {
        Event::DecodeFailed {
            subscription,
            kind,
            error,
            raw: _,
        } => trace::warn!(
            subscription = subscription.map(|s| s.get()),
            kind = %kind,
            path = %error.path,
            error = %error.source,
            "websocket message did not decode"
        ),
        Event::Malformed { error, raw } => trace::warn!(
            error = %error,
            bytes = raw.len(),
            "websocket frame malformed"
        ),
        Event::ServerError {
            subscription,
            sid,
            code,
            message,
            raw: _,
        } => trace::warn!(
            subscription = subscription.map(|s| s.get()),
            sid = *sid,
            code = *code,
            message = %message,
            "websocket server error"
        ),
        Event::Dropped { count } => trace::warn!(count = *count, "websocket messages dropped"),
        _ => {}
    }
}
