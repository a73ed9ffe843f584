//! A replay as an async stream, as fast as it reads or at the pace the frames were received.

use super::replay::{Replay, Replayed};
use crate::ws::protocol::Control;
use futures_util::Stream;
use std::time::Duration;
use tokio::time::Instant;

/// How fast a replay stream gives its events.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Pace {
    /// As fast as the recording is read.
    #[default]
    Fast,
    /// At the recorded receive times, `speed` times as fast (1.0: as recorded; 10.0: ten times
    /// faster).
    Recorded {
        /// The factor.
        speed: f64,
    },
}

/// Where the paced replay stands: the recorded time that maps to `start`.
struct Clock {
    start: Instant,
    first_mono: u64,
    last_mono: u64,
}

impl<M: Control> Replay<M> {
    /// The replay as a stream of events, at `pace`.
    pub fn into_stream(self, pace: Pace) -> impl Stream<Item = Replayed<M>> {
        futures_util::stream::unfold(
            (self, None::<Clock>),
            move |(mut replay, mut clock)| async move {
                let next = replay.next()?;
                if let Pace::Recorded { speed } = pace {
                    wait_for(&mut clock, next.mono_ns, speed).await;
                }
                Some((next, (replay, clock)))
            },
        )
    }
}

/// Sleeps until the event received at `mono` is due. A monotonic time that goes back by more
/// than a second is a new recording: the clock starts again from it.
async fn wait_for(clock: &mut Option<Clock>, mono: u64, speed: f64) {
    let restart = match clock {
        None => true,
        Some(c) => mono + 1_000_000_000 < c.last_mono,
    };
    if restart {
        *clock = Some(Clock {
            start: Instant::now(),
            first_mono: mono,
            last_mono: mono,
        });
        return;
    }
    let c = clock.as_mut().expect("set above");
    c.last_mono = c.last_mono.max(mono);
    let since = c.last_mono.saturating_sub(c.first_mono) as f64 / speed.max(f64::MIN_POSITIVE);
    tokio::time::sleep_until(c.start + Duration::from_nanos(since as u64)).await;
}
