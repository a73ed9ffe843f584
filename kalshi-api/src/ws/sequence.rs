//! Sequence numbers, tracked per `sid` as Kalshi assigns them (not per market: one subscription
//! numbers the messages of all its markets together).

use super::hash::KeyHash;
use std::collections::HashMap;

/// What a sequence number says about the messages before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// The first number seen for the `sid`, or the next one.
    InOrder,
    /// `expected..received` were skipped.
    Gap { expected: u64, received: u64 },
    /// `received` is not after `last`: a duplicate or a step backwards.
    Repeat { last: u64, received: u64 },
}

/// The last sequence number of each `sid` of one connection.
#[derive(Debug, Default)]
pub(crate) struct Sequences {
    last: HashMap<u64, u64, KeyHash>,
}

impl Sequences {
    /// Checks `seq` of `sid` and remembers the highest number seen.
    pub(crate) fn check(&mut self, sid: u64, seq: u64) -> Check {
        match self.last.get_mut(&sid) {
            None => {
                self.last.insert(sid, seq);
                Check::InOrder
            }
            // `checked_add`: a server may send any number, `u64::MAX` included.
            Some(last) if last.checked_add(1) == Some(seq) => {
                *last = seq;
                Check::InOrder
            }
            Some(last) if seq > *last => {
                // `seq > last`, so `last` is below `u64::MAX`.
                let expected = *last + 1;
                *last = seq;
                Check::Gap {
                    expected,
                    received: seq,
                }
            }
            Some(last) => Check::Repeat {
                last: *last,
                received: seq,
            },
        }
    }

    /// Notes the `seq` a reply (`ok`, `unsubscribed`) carries without judging it: a reply may
    /// carry the subscription's current number rather than a new one, so it neither repeats nor
    /// skips; a later data message is judged against the highest number seen.
    pub(crate) fn observe(&mut self, sid: u64, seq: u64) {
        let last = self.last.entry(sid).or_insert(seq);
        *last = (*last).max(seq);
    }

    /// Forgets a `sid` (unsubscribed).
    pub(crate) fn forget(&mut self, sid: u64) {
        self.last.remove(&sid);
    }

    /// Forgets every `sid` (a new connection numbers afresh).
    pub(crate) fn clear(&mut self) {
        self.last.clear();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_largest_seq_is_judged_without_overflow() {
        let mut s = super::Sequences::default();
        assert!(matches!(s.check(1, u64::MAX - 1), super::Check::InOrder));
        assert!(matches!(s.check(1, u64::MAX), super::Check::InOrder));
        assert!(matches!(s.check(1, u64::MAX), super::Check::Repeat { .. }));
        assert!(matches!(s.check(1, 0), super::Check::Repeat { .. }));
    }

    use super::*;

    #[test]
    fn gaps_and_repeats_are_told_per_sid() {
        let mut s = Sequences::default();
        assert_eq!(s.check(1, 1), Check::InOrder);
        assert_eq!(s.check(2, 1), Check::InOrder);
        assert_eq!(s.check(1, 2), Check::InOrder);
        assert_eq!(
            s.check(1, 5),
            Check::Gap {
                expected: 3,
                received: 5
            }
        );
        assert_eq!(s.check(1, 6), Check::InOrder);
        assert_eq!(
            s.check(1, 6),
            Check::Repeat {
                last: 6,
                received: 6
            }
        );
        assert_eq!(
            s.check(1, 4),
            Check::Repeat {
                last: 6,
                received: 4
            }
        );
        // sid 2 is unaffected by sid 1's numbers.
        assert_eq!(s.check(2, 2), Check::InOrder);
        // A reply carrying the current number is no repeat; one ahead moves the mark.
        s.observe(2, 2);
        assert_eq!(s.check(2, 3), Check::InOrder);
        s.observe(2, 4);
        assert_eq!(s.check(2, 5), Check::InOrder);
        s.forget(2);
        assert_eq!(s.check(2, 40), Check::InOrder);
    }
}
