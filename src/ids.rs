//! Ids for posts: 64-bit integers that grow with time, so timelines sort and page by id, as
//! Mastodon's do. The high bits are milliseconds since the Unix epoch, the low 16 bits a
//! per-process counter that starts at a random value; two processes sharing a database can
//! still collide, so inserts retry with a new id on a conflict (see `db::statuses::insert`).

use std::sync::atomic::{AtomicU64, Ordering};

/// Makes time-ordered ids.
pub struct IdGenerator {
    counter: AtomicU64,
}

impl Default for IdGenerator {
    fn default() -> Self {
        let mut seed = [0u8; 2];
        let _ =
            aws_lc_rs::rand::SecureRandom::fill(&aws_lc_rs::rand::SystemRandom::new(), &mut seed);
        IdGenerator {
            counter: AtomicU64::new(u64::from(u16::from_le_bytes(seed))),
        }
    }
}

impl IdGenerator {
    /// An id for something created at `at_micros` (Unix microseconds). Remote posts use their
    /// publication time, clamped to now, so they take their place in timelines.
    pub fn at(&self, at_micros: i64) -> i64 {
        let now_ms = crate::clock::now() / 1000;
        let ms = (at_micros / 1000).clamp(0, now_ms);
        let low = self.counter.fetch_add(1, Ordering::Relaxed) & 0xffff;
        ((ms as u64) << 16 | low) as i64
    }

    /// An id for something created now.
    pub fn next(&self) -> i64 {
        self.at(crate::clock::now())
    }
}

/// The creation time (Unix microseconds, millisecond precision) an id encodes.
pub fn time_of(id: i64) -> i64 {
    (id >> 16) * 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_grow_and_encode_their_time() {
        let g = IdGenerator::default();
        let a = g.next();
        let b = g.next();
        assert_ne!(a, b);
        assert!((time_of(a) - crate::clock::now()).abs() < 5_000_000);
        let old = g.at(1_600_000_000_000_000);
        assert!(old < a);
        assert_eq!(time_of(old), 1_600_000_000_000_000);
        // The future is clamped to now.
        assert!(time_of(g.at(i64::MAX / 2)) <= crate::clock::now());
    }
}
