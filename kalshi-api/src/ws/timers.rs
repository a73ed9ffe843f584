//! The timers of one connection: the idle timeout that tells a dead connection, the client's
//! pings, the sweep of late commands, and the time the consumer kept the socket unread.

use super::config::SessionConfig;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::{Instant, Interval, MissedTickBehavior, Sleep};

/// Which timer fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tick {
    Idle,
    Ping,
    Sweep,
}

/// The timers of one connection.
#[derive(Debug)]
pub(crate) struct Timers {
    idle: Duration,
    last_read: Instant,
    /// One timer per connection, moved only when it fires: re-arming a timer for every frame
    /// would cost more than decoding the frame.
    idle_timer: Pin<Box<Sleep>>,
    ping: Interval,
    sweep: Interval,
    /// While the consumer lags, nothing is read, so no reply can arrive: command deadlines stop
    /// counting, and so does the idle timeout.
    blocked_since: Option<Instant>,
}

impl Timers {
    /// Timers for a connection opened now.
    pub(crate) fn new(config: &SessionConfig) -> Self {
        let mut ping =
            tokio::time::interval_at(Instant::now() + config.ping_interval, config.ping_interval);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let sweep_every =
            (config.command_timeout / 4).clamp(Duration::from_millis(10), Duration::from_secs(1));
        Timers {
            idle: config.idle_timeout,
            last_read: Instant::now(),
            idle_timer: Box::pin(tokio::time::sleep(config.idle_timeout)),
            ping,
            sweep: tokio::time::interval(sweep_every),
            blocked_since: None,
        }
    }

    /// The next timer to fire; the idle timer only counts while the socket is read (`reading`).
    pub(crate) async fn tick(&mut self, reading: bool) -> Tick {
        tokio::select! {
            biased;
            _ = self.idle_timer.as_mut(), if reading => Tick::Idle,
            _ = self.ping.tick() => Tick::Ping,
            _ = self.sweep.tick() => Tick::Sweep,
        }
    }

    /// Something was read.
    pub(crate) fn read(&mut self) {
        self.last_read = Instant::now();
    }

    /// Notes whether the socket is read: from the first moment it is not, the consumer blocks.
    pub(crate) fn reading(&mut self, reading: bool) {
        if !reading && self.blocked_since.is_none() {
            self.blocked_since = Some(Instant::now());
        }
    }

    /// Whether the consumer keeps the socket unread.
    pub(crate) fn blocked(&self) -> bool {
        self.blocked_since.is_some()
    }

    /// The consumer made room: counts as a read, and returns how long it blocked.
    pub(crate) fn unblocked(&mut self) -> Option<Duration> {
        self.read();
        self.blocked_since.take().map(|since| since.elapsed())
    }

    /// The idle timer fired: the reason to drop the connection when nothing was read for the
    /// whole timeout, else the timer is moved to the new due time.
    pub(crate) fn idle_fired(&mut self) -> Option<String> {
        let due = self.last_read + self.idle;
        if due > Instant::now() {
            self.idle_timer.as_mut().reset(due);
            return None;
        }
        Some(format!("nothing received for {} ms", self.idle.as_millis()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SessionConfig {
        SessionConfig::new()
            .idle_timeout(Duration::from_millis(100))
            .ping_interval(Duration::from_secs(3600))
            .command_timeout(Duration::from_secs(3600))
    }

    #[tokio::test(start_paused = true)]
    async fn a_read_moves_the_idle_timeout_and_silence_ends_it() {
        let mut t = Timers::new(&config());
        assert_eq!(t.tick(true).await, Tick::Sweep, "an interval ticks at once");
        tokio::time::advance(Duration::from_millis(60)).await;
        t.read();
        tokio::time::advance(Duration::from_millis(60)).await;
        assert_eq!(t.tick(true).await, Tick::Idle);
        assert!(t.idle_fired().is_none(), "read 60 ms ago");
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(t.tick(true).await, Tick::Idle);
        assert_eq!(t.idle_fired().unwrap(), "nothing received for 100 ms");
    }

    #[tokio::test(start_paused = true)]
    async fn blocked_time_is_measured_from_the_first_moment() {
        let mut t = Timers::new(&config());
        t.reading(false);
        tokio::time::advance(Duration::from_millis(30)).await;
        t.reading(false);
        assert!(t.blocked());
        tokio::time::advance(Duration::from_millis(20)).await;
        assert_eq!(t.unblocked(), Some(Duration::from_millis(50)));
        assert!(!t.blocked() && t.unblocked().is_none());
    }
}
