//! Exponential backoff with full jitter, shared by REST retries ([`crate::retry`]) and WebSocket
//! reconnects.
//!
//! The delay before the attempt that follows `n` failures is random in
//! `[0, min(max, base × 2^(n − 1))]`. Full jitter spreads many clients apart, so that a Kalshi
//! outage does not end in every bot reconnecting in the same millisecond.
//!
//! ```
//! use kalshi_api::backoff::Backoff;
//! use std::time::Duration;
//!
//! let backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5)).seed(7);
//! assert!(backoff.delay(1) <= Duration::from_millis(100));
//! assert!(backoff.delay(20) <= Duration::from_secs(5));
//! ```

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Exponential backoff with full jitter. Cheap to clone; a seeded backoff's clones share one
/// generator.
#[derive(Debug, Clone)]
pub struct Backoff {
    /// The largest delay after the first failure; each later failure doubles it.
    pub base: Duration,
    /// The cap on any one delay.
    pub max: Duration,
    jitter: Jitter,
}

/// Where the randomness of the delays comes from.
#[derive(Debug, Clone, Default)]
pub(crate) enum Jitter {
    /// fastrand's thread-local generator, seeded from the OS.
    #[default]
    Random,
    /// A seeded generator shared by clones, for reproducible tests.
    Seeded(Arc<Mutex<fastrand::Rng>>),
}

impl Jitter {
    pub(crate) fn seeded(seed: u64) -> Self {
        Jitter::Seeded(Arc::new(Mutex::new(fastrand::Rng::with_seed(seed))))
    }
}

impl Backoff {
    /// Delays from up to `base` after the first failure, doubling, capped at `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Backoff {
            base,
            max,
            jitter: Jitter::Random,
        }
    }

    /// Draws the jitter from a generator seeded with `seed`, so the delays are reproducible.
    pub fn seed(mut self, seed: u64) -> Self {
        self.jitter = Jitter::seeded(seed);
        self
    }

    /// The delay before the next attempt after `failures` consecutive failures (1 after the
    /// first).
    pub fn delay(&self, failures: u32) -> Duration {
        full_jitter(self.base, self.max, failures, &self.jitter)
    }
}

/// Random in `[0, min(max, base × 2^(failures − 1))]`.
pub(crate) fn full_jitter(
    base: Duration,
    max: Duration,
    failures: u32,
    jitter: &Jitter,
) -> Duration {
    let doublings = failures.saturating_sub(1);
    let factor = 2u32.checked_pow(doublings).unwrap_or(u32::MAX);
    let ceiling = base.saturating_mul(factor).min(max);
    let ceiling = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
    let nanos = match jitter {
        Jitter::Random => fastrand::u64(0..=ceiling),
        Jitter::Seeded(rng) => rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .u64(0..=ceiling),
    };
    Duration::from_nanos(nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_and_stay_within_it() {
        let b = Backoff::new(Duration::from_millis(10), Duration::from_millis(100)).seed(3);
        let mut largest = [Duration::ZERO; 8];
        for _ in 0..2000 {
            for (n, l) in largest.iter_mut().enumerate() {
                let d = b.delay(n as u32 + 1);
                let ceiling = Duration::from_millis(10 * (1 << n)).min(Duration::from_millis(100));
                assert!(d <= ceiling, "attempt {n}: {d:?} > {ceiling:?}");
                *l = (*l).max(d);
            }
        }
        // Full jitter reaches close to each ceiling over many draws.
        assert!(largest[0] > Duration::from_millis(9));
        assert!(largest[7] > Duration::from_millis(90));
    }

    #[test]
    fn a_seed_repeats_the_delays() {
        let a = Backoff::new(Duration::from_millis(50), Duration::from_secs(1)).seed(42);
        let b = Backoff::new(Duration::from_millis(50), Duration::from_secs(1)).seed(42);
        let da: Vec<_> = (1..10).map(|n| a.delay(n)).collect();
        let db: Vec<_> = (1..10).map(|n| b.delay(n)).collect();
        assert_eq!(da, db);
    }
}
