//! Opening a connection: the signed handshake.

use super::error::WsError;
use crate::auth::{Credentials, Signing};
use bytes::Bytes;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Error as TError;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// An open connection.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Connects to `url`, signing the handshake afresh: `timestamp_ms + "GET" + path of the URL`
/// (Kalshi rejects stale timestamps, so every attempt signs anew). An asynchronous signer is
/// awaited; a synchronous one signs at once.
pub(crate) async fn connect(
    url: &str,
    credentials: &Credentials,
    timeout: Duration,
) -> Result<Socket, WsError> {
    let mut request = url
        .into_client_request()
        .map_err(|e| WsError::Transport(format!("WebSocket URL `{url}`: {e}")))?;
    let path = request.uri().path().to_string();
    let headers = match credentials.sign("GET", &path) {
        Signing::Ready(headers) => headers,
        Signing::Pending(pending) => pending.finish().await,
    };
    headers
        .map_err(|e| WsError::Transport(e.to_string()))?
        .apply(request.headers_mut());
    let attempt = tokio_tungstenite::connect_async(request);
    let result = handshake(tokio::time::timeout(timeout, attempt).await);
    match &result {
        Ok(_) => crate::trace::debug!(url = %url, "websocket connected"),
        Err(error) => crate::trace::warn!(url = %url, error = %error, "websocket handshake failed"),
    }
    result
}

/// The handshake's outcome as the session's error.
fn handshake<R>(
    outcome: Result<Result<(Socket, R), TError>, tokio::time::error::Elapsed>,
) -> Result<Socket, WsError> {
    match outcome {
        Err(_) => Err(WsError::ConnectTimeout),
        Ok(Ok((socket, _response))) => Ok(socket),
        Ok(Err(TError::Http(response))) => {
            let status = response.status().as_u16();
            let body = Bytes::from(response.into_body().unwrap_or_default());
            Err(if status == 401 || status == 403 {
                WsError::Unauthorized { status, body }
            } else {
                WsError::Handshake { status, body }
            })
        }
        Ok(Err(e)) => Err(WsError::Transport(e.to_string())),
    }
}
