//! Hashing for the keys the server hands out and the session looks up for every frame: `sid`s
//! (small integers) and market tickers (short strings).
//!
//! A multiplicative hash costs a fraction of SipHash's, and these keys are not attacker-chosen
//! input worth SipHash's protection: they come from the exchange the client chose to trust.

/// `HashMap`'s hasher for those keys (`rustc-hash`'s when the benchmark's ablation asks, see
/// [`ablate`](super::ablate)).
pub(crate) type KeyHash = <Pick<{ super::ablate::HASH }> as Hashers>::Build;

/// Chooses [`KeyHash`] at compile time.
pub(crate) struct Pick<const FX: bool>;

/// See [`Pick`].
pub(crate) trait Hashers {
    type Build: std::hash::BuildHasher + Default + Clone;
}

impl Hashers for Pick<false> {
    type Build = std::hash::BuildHasherDefault<KeyHasher>;
}

impl Hashers for Pick<true> {
    type Build = rustc_hash::FxBuildHasher;
}

/// See [`KeyHash`].
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct KeyHasher(u64);

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl KeyHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(K);
    }
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut word = [0u8; 8];
            word[..tail.len()].copy_from_slice(tail);
            // The top byte (free: a tail has at most 7) holds the tail's length, so that zero
            // bytes at the end still count.
            word[7] = tail.len() as u8;
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn tickers_that_differ_late_or_by_length_hash_apart() {
        let h = KeyHash::default();
        let a = h.hash_one("KXBTCD-26DEC31-T100000");
        assert_ne!(a, h.hash_one("KXBTCD-26DEC31-T100001"));
        assert_ne!(h.hash_one("AB"), h.hash_one("AB\0"));
        assert_eq!(a, h.hash_one(String::from("KXBTCD-26DEC31-T100000")));
    }
}
