//! The upgrade: counted, optionally failed on purpose, signature-checked like REST, then handed to
//! a session task the hub can abort.

use super::product::Product;
use super::{session, Conn, Control};
use crate::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{FromRequestParts as _, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse as _, Response};
use axum::routing::{get, MethodRouter};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The route serving `P`'s endpoint at [`Product::path`].
pub(crate) fn route<P: Product>() -> MethodRouter<Arc<State>> {
    get(upgrade::<P>)
}

async fn upgrade<P: Product>(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    req: Request,
) -> Response {
    state
        .ws_switch
        .handshake_attempts
        .fetch_add(1, Ordering::SeqCst);
    let injected = {
        let mut fail = state.ws_switch.fail_handshakes.lock().unwrap();
        (fail.0 > 0).then(|| {
            fail.0 -= 1;
            fail.1
        })
    };
    if let Some(code) = injected {
        let status = StatusCode::from_u16(code).expect("an injected status in 100..=999");
        return crate::error::error(
            status,
            "injected",
            status.canonical_reason().unwrap_or("injected fault"),
            "handshake failure injected by the test exchange",
        );
    }
    let (mut parts, _) = req.into_parts();
    if let Err(reason) = crate::auth::verify(
        &state,
        parts.method.as_str(),
        parts.uri.path(),
        &parts.headers,
    ) {
        return crate::error::error(
            StatusCode::UNAUTHORIZED,
            "authentication_error",
            "authentication failed",
            &reason,
        );
    }
    let key_id = parts
        .headers
        .get("KALSHI-ACCESS-KEY")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    // The connection is known before the 101 answer leaves, so that a fault injected as soon as
    // the client's handshake returns (a dropped connection) finds it.
    let Registered {
        id,
        control_rx,
        cursor,
        interest,
    } = register::<P>(&state);
    let on_failure = state.clone();
    // A small write buffer, so a slow reader is felt at once rather than after megabytes.
    ws.write_buffer_size(16 << 10)
        .on_failed_upgrade(move |_| {
            P::hub(&on_failure).conns.lock().unwrap().remove(&id);
        })
        .on_upgrade(move |socket| async move {
            let session =
                session::Session::<P>::new(state.clone(), id, key_id, socket, cursor, interest);
            let task = tokio::spawn(session.run(control_rx));
            match P::hub(&state).conns.lock().unwrap().get_mut(&id) {
                Some(conn) => conn.abort = Some(task.abort_handle()),
                // Dropped between the 101 answer and now.
                None => task.abort(),
            }
            let _ = task.await;
        })
}

/// What the session of a newly registered connection takes over.
struct Registered {
    id: u64,
    /// The receiving end of its control channel (fault injection).
    control_rx: tokio::sync::mpsc::UnboundedReceiver<Control>,
    /// Its place in the world's activity.
    cursor: Arc<AtomicU64>,
    /// The markets it follows.
    interest: Arc<Mutex<Vec<String>>>,
}

/// A new connection's entry in the registry.
fn register<P: Product>(state: &State) -> Registered {
    let hub = P::hub(state);
    let id = hub.next_conn.fetch_add(1, Ordering::Relaxed);
    let (control, control_rx) = tokio::sync::mpsc::unbounded_channel();
    let cursor = Arc::new(AtomicU64::new(0));
    let interest = Arc::new(Mutex::new(Vec::new()));
    let world = hub.world.lock().unwrap();
    cursor.store(world.head(), Ordering::Release);
    hub.conns.lock().unwrap().insert(
        id,
        Conn {
            control,
            abort: None,
            cursor: cursor.clone(),
            interest: interest.clone(),
        },
    );
    Registered {
        id,
        control_rx,
        cursor,
        interest,
    }
}
