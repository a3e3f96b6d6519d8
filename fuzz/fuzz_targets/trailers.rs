#![no_main]
//! Fuzz target: `envguard::fuzz::commit_message`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| envguard::fuzz::commit_message(data));
