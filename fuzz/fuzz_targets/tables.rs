//! See `lambdastat::fuzzing::tables` for what this target feeds and checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| lambdastat::fuzzing::tables(data));
