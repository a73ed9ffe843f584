//! What can go wrong with a WebSocket session.

use bytes::Bytes;

/// A WebSocket failure. Reaches the caller as [`crate::Error::WebSocket`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// The handshake was refused with 401 or 403: the key, the signature or the clock is wrong.
    /// The session does not retry it in a loop.
    #[error("websocket handshake refused with HTTP {status}: {}", String::from_utf8_lossy(.body))]
    Unauthorized {
        /// The HTTP status (401 or 403).
        status: u16,
        /// The response body, when there was one.
        body: Bytes,
    },
    /// The handshake was answered with another non-101 status (a 503 during an outage, say).
    #[error("websocket handshake answered HTTP {status}")]
    Handshake {
        /// The HTTP status.
        status: u16,
        /// The response body, when there was one.
        body: Bytes,
    },
    /// The connection could not be made or broke (DNS, TCP, TLS, a protocol error).
    #[error("websocket transport: {0}")]
    Transport(String),
    /// Connecting took longer than the configured timeout.
    #[error("websocket connect timed out")]
    ConnectTimeout,
    /// The server answered a command with an `error` reply.
    #[error("command `{command}` failed: code {code}: {message}")]
    Server {
        /// The command's `cmd`.
        command: &'static str,
        /// The error code (see the generated `ErrorCode` for its name and description).
        code: i64,
        /// The server's message.
        message: String,
    },
    /// No reply to a command arrived within the configured timeout.
    #[error("command `{command}` got no reply within {timeout_ms} ms")]
    CommandTimeout {
        /// The command's `cmd`.
        command: &'static str,
        /// The timeout.
        timeout_ms: u64,
    },
    /// The connection was lost before the command's reply arrived; the command may or may not
    /// have taken effect (subscriptions are restored on reconnect either way).
    #[error("command `{command}` interrupted: the connection was lost")]
    Interrupted {
        /// The command's `cmd`.
        command: &'static str,
    },
    /// A command cannot be sent as asked (a subscribe without channels, a parameter the channel
    /// does not accept).
    #[error("invalid command: {0}")]
    InvalidCommand(String),
    /// The session is closed.
    #[error("the websocket session is closed")]
    Closed,
    /// A reply did not have the shape the protocol gives it.
    #[error("unexpected reply to `{command}`: {detail}")]
    UnexpectedReply {
        /// The command's `cmd`.
        command: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// An error read back from a recording (its message, as the live session wrote it).
    #[cfg(feature = "record")]
    #[error("{0}")]
    Recorded(String),
}

impl WsError {
    /// Whether a reconnect may help: false for a refused key and for a closed session.
    pub fn is_transient(&self) -> bool {
        !matches!(self, WsError::Unauthorized { .. } | WsError::Closed)
    }
}

impl From<WsError> for crate::Error {
    fn from(e: WsError) -> Self {
        crate::Error::WebSocket(Box::new(e))
    }
}
