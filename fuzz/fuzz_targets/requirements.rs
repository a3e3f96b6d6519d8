#![no_main]
//! Fuzz target: `envguard::fuzz::requirements_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| envguard::fuzz::requirements_file(data));
