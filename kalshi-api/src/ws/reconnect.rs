//! Reconnection: connects again with backoff after a loss, holding the requests that arrive
//! meanwhile, and gives up at the configured limits (refused handshakes, attempts).

use super::config::SessionConfig;
use super::connect::{connect, Socket};
use super::control::Control;
use super::error::WsError;
use super::pending::Request;
use crate::auth::Credentials;
use std::future::Future;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Counts attempts and refused handshakes against the limits.
#[derive(Debug)]
pub(crate) struct Attempts {
    made: u32,
    refused: u32,
    max: Option<u32>,
    max_refused: u32,
}

impl Attempts {
    /// No attempt yet, with the limits of `config`.
    pub(crate) fn new(config: &SessionConfig) -> Self {
        Attempts {
            made: 0,
            refused: 0,
            max: config.max_reconnect_attempts,
            max_refused: config.max_refused_handshakes.max(1),
        }
    }

    /// Counts one more attempt; returns its number (1 for the first).
    pub(crate) fn next(&mut self) -> u32 {
        // Saturating: with no attempt limit, a server that stays away could outlast a `u32`.
        self.made = self.made.saturating_add(1);
        self.made
    }

    /// An attempt failed with `error`: the error to give up with, or `None` to try again.
    pub(crate) fn failed(&mut self, error: WsError) -> Option<WsError> {
        let refused = matches!(error, WsError::Unauthorized { .. });
        if refused {
            self.refused = self.refused.saturating_add(1);
            if self.refused >= self.max_refused {
                return Some(error);
            }
        } else {
            self.refused = 0;
        }
        if self.max.is_none_or(|max| self.made < max) {
            return None;
        }
        // At the attempt limit a refusal says less than the count itself.
        Some(if refused {
            WsError::Transport(format!("gave up after {} reconnect attempts", self.made))
        } else {
            error
        })
    }
}

/// Waits for `work` while taking requests: commands are held in `deferred` for the new
/// connection; `None` when the session is closed meanwhile.
pub(crate) async fn holding<M: Control, F: Future>(
    requests: &mut mpsc::UnboundedReceiver<Request<M>>,
    deferred: &mut Vec<Request<M>>,
    work: F,
) -> Option<F::Output> {
    tokio::pin!(work);
    loop {
        tokio::select! {
            done = &mut work => return Some(done),
            r = requests.recv() => match r {
                None => return None,
                Some(Request::Close { done }) => {
                    let _ = done.send(());
                    return None;
                }
                Some(request) => deferred.push(request),
            },
        }
    }
}

/// What a reconnection needs of the connection task.
pub(crate) struct Reconnect<'a, M: Control> {
    pub(crate) url: &'a str,
    pub(crate) credentials: &'a Credentials,
    pub(crate) config: &'a SessionConfig,
    pub(crate) requests: &'a mut mpsc::UnboundedReceiver<Request<M>>,
    pub(crate) deferred: &'a mut Vec<Request<M>>,
}

impl<M: Control> Reconnect<'_, M> {
    /// Connects again, with backoff: the new socket and the attempts it took, or the error to
    /// end the session with (`None`: the session was closed meanwhile).
    pub(crate) async fn run(self) -> Result<(Socket, u32), Option<WsError>> {
        let mut attempts = Attempts::new(self.config);
        loop {
            let attempt = attempts.next();
            let delay = self.config.backoff.delay(attempt);
            crate::trace::info!(
                attempt = attempt,
                delay_ms = crate::trace::ms(delay),
                "websocket reconnecting"
            );
            let wake = tokio::time::sleep_until(Instant::now() + delay);
            holding(self.requests, self.deferred, wake)
                .await
                .ok_or(None)?;
            let connecting = connect(self.url, self.credentials, self.config.connect_timeout);
            let result = holding(self.requests, self.deferred, connecting).await;
            match result.ok_or(None)? {
                Ok(socket) => return Ok((socket, attempt)),
                Err(error) => {
                    if let Some(error) = attempts.failed(error) {
                        return Err(Some(error));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use tokio::sync::oneshot;

    fn refused() -> WsError {
        WsError::Unauthorized {
            status: 401,
            body: Bytes::new(),
        }
    }

    fn config(max: Option<u32>, max_refused: u32) -> SessionConfig {
        SessionConfig::new()
            .max_reconnect_attempts(max)
            .max_refused_handshakes(max_refused)
    }

    #[test]
    fn refusals_in_a_row_end_it_and_another_error_resets_them() {
        let mut a = Attempts::new(&config(None, 2));
        a.next();
        assert!(a.failed(refused()).is_none());
        a.next();
        assert!(a.failed(WsError::ConnectTimeout).is_none());
        a.next();
        assert!(a.failed(refused()).is_none());
        a.next();
        assert!(matches!(
            a.failed(refused()),
            Some(WsError::Unauthorized { .. })
        ));
    }

    #[test]
    fn endless_attempts_stop_counting_at_the_largest_number() {
        let mut a = Attempts::new(&config(None, 5));
        a.made = u32::MAX - 1;
        assert_eq!(a.next(), u32::MAX);
        assert_eq!(a.next(), u32::MAX);
        assert!(
            a.failed(WsError::ConnectTimeout).is_none(),
            "no limit: try again"
        );
    }

    #[test]
    fn the_attempt_limit_ends_it_with_the_last_error() {
        let mut a = Attempts::new(&config(Some(2), 5));
        a.next();
        assert!(a.failed(WsError::ConnectTimeout).is_none());
        a.next();
        assert!(matches!(
            a.failed(WsError::ConnectTimeout),
            Some(WsError::ConnectTimeout)
        ));
        let mut a = Attempts::new(&config(Some(1), 5));
        a.next();
        let Some(WsError::Transport(text)) = a.failed(refused()) else {
            panic!("not given up");
        };
        assert_eq!(text, "gave up after 1 reconnect attempts");
    }

    #[tokio::test]
    async fn requests_wait_meanwhile_and_a_close_ends_the_wait() {
        let (tx, mut rx) = mpsc::unbounded_channel::<Request<crate::ws::ServerMessage>>();
        let mut deferred = Vec::new();
        let (reply, _) = oneshot::channel();
        let kind = super::super::pending::Kind::List;
        tx.send(Request::Command { kind, reply }).unwrap();
        let slow = tokio::time::sleep(std::time::Duration::from_millis(20));
        assert!(holding(&mut rx, &mut deferred, slow).await.is_some());
        assert_eq!(deferred.len(), 1);
        let (done, closed) = oneshot::channel();
        tx.send(Request::Close { done }).unwrap();
        let never = std::future::pending::<()>();
        assert!(holding(&mut rx, &mut deferred, never).await.is_none());
        assert!(closed.await.is_ok());
    }
}
