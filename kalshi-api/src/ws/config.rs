//! How a session behaves: liveness, timeouts, reconnection and delivery.

use super::queue::Delivery;
use crate::backoff::Backoff;
use std::time::Duration;

/// Settings of a [`Session`](super::Session). [`Default`]: a ping every 10 s, the connection
/// declared dead after 30 s without a frame, 10 s to connect and for each command's reply,
/// reconnects without limit after delays of up to 250 ms doubling to 30 s (full jitter), at most
/// 3 refused handshakes in a row, lossless delivery of up to 1,024 waiting events, and gaps
/// repaired by fresh snapshots where the channel allows it.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// How often the client pings the server (Kalshi pings every 10 s too).
    pub ping_interval: Duration,
    /// With nothing at all received for this long (no frame, no ping, no pong) while the session
    /// is reading, the connection is treated as dead and replaced.
    pub idle_timeout: Duration,
    /// Time to open a connection, handshake included.
    pub connect_timeout: Duration,
    /// Time for a command's reply.
    pub command_timeout: Duration,
    /// Delays between reconnect attempts.
    pub backoff: Backoff,
    /// Reconnect attempts after a loss before the session gives up (`None`: never give up).
    pub max_reconnect_attempts: Option<u32>,
    /// Handshakes refused with 401/403 in a row, while reconnecting, before the session gives up.
    /// A refused first connection fails [`Session::connect`](super::Session::connect) at once.
    pub max_refused_handshakes: u32,
    /// How events reach the consumer.
    pub delivery: Delivery,
    /// After a sequence gap or repeat on a channel that supports `get_snapshot`, ask for fresh
    /// snapshots of the subscription's markets.
    pub repair_gaps: bool,
    /// The recorder the session writes its frames and events to (see [`record`](Self::record)).
    #[cfg(feature = "record")]
    pub recorder: Option<crate::record::Recorder>,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            ping_interval: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(10),
            backoff: Backoff::new(Duration::from_millis(250), Duration::from_secs(30)),
            max_reconnect_attempts: None,
            max_refused_handshakes: 3,
            delivery: Delivery::default(),
            repair_gaps: true,
            #[cfg(feature = "record")]
            recorder: None,
        }
    }
}

impl SessionConfig {
    /// The [`Default`] settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets [`ping_interval`](Self::ping_interval).
    pub fn ping_interval(mut self, d: Duration) -> Self {
        self.ping_interval = d;
        self
    }

    /// Sets [`idle_timeout`](Self::idle_timeout).
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Sets [`connect_timeout`](Self::connect_timeout).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }

    /// Sets [`command_timeout`](Self::command_timeout).
    pub fn command_timeout(mut self, d: Duration) -> Self {
        self.command_timeout = d;
        self
    }

    /// Sets [`backoff`](Self::backoff).
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets [`max_reconnect_attempts`](Self::max_reconnect_attempts).
    pub fn max_reconnect_attempts(mut self, attempts: Option<u32>) -> Self {
        self.max_reconnect_attempts = attempts;
        self
    }

    /// Sets [`max_refused_handshakes`](Self::max_refused_handshakes).
    pub fn max_refused_handshakes(mut self, n: u32) -> Self {
        self.max_refused_handshakes = n;
        self
    }

    /// Sets [`delivery`](Self::delivery).
    pub fn delivery(mut self, delivery: Delivery) -> Self {
        self.delivery = delivery;
        self
    }

    /// Sets [`repair_gaps`](Self::repair_gaps).
    pub fn repair_gaps(mut self, repair: bool) -> Self {
        self.repair_gaps = repair;
        self
    }

    /// Records the session with `recorder`: every frame as received and the session's own events
    /// in place (one session per recorder).
    #[cfg(feature = "record")]
    pub fn record(mut self, recorder: &crate::record::Recorder) -> Self {
        self.recorder = Some(recorder.clone());
        self
    }
}
