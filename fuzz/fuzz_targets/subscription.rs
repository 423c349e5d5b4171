//! See `lambdastat::fuzzing::subscription` for what this target feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lambdastat::fuzzing::subscription(data));
