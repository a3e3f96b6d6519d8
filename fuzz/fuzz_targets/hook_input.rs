#![no_main]
//! Fuzz target: `envguard::fuzz::hook_input`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| envguard::fuzz::hook_input(data));
