//! What a `slatecheck` run printed, checked against the exit code it must have.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use serde_json::Value;
use std::process::Output;

/// The JSON `out` printed on stdout, once it exited with `code` (its stderr shown if not).
pub fn json_on_exit(out: &Output, code: i32) -> Value {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// What `out` printed on stderr, once it exited with `code`.
pub fn stderr_on_exit(out: &Output, code: i32) -> String {
    assert_eq!(out.status.code(), Some(code));
    String::from_utf8_lossy(&out.stderr).into_owned()
}
