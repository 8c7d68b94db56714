#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| slatecheck_fuzz::run("check", data));
