//! Hashing for the keys the server hands out and the session looks up for every frame: `sid`s
//! (small integers) and market tickers (short strings).
//!
//! `rustc-hash`'s `FxHasher` costs a fraction of SipHash's, and these keys are not attacker-chosen
//! input worth SipHash's protection: they come from the exchange the client chose to trust. It
//! replaced a hand-written multiplicative hash that measured no faster (`bench/run.py --only
//! ablation` at 6f0d8f2, BENCHMARKS.md).

/// `HashMap`'s hasher for those keys.
pub(crate) type KeyHash = rustc_hash::FxBuildHasher;
