#![no_main]
//! Fuzz target: `envguard::fuzz::runtime_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| envguard::fuzz::runtime_file(data));
