//! The tests' random numbers: a seeded xorshift, the same sequence on every run and machine.

/// The numbers after `seed` (which must not be 0).
pub fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
