//! Exit codes and the one-line error format shared by every command.

use std::io::{self, Write};
use std::process::ExitCode;

/// Nothing unsafe found (or, for commands without a verdict, success).
pub const SAFE: u8 = 0;
/// Usage error or input that cannot be read or decoded.
pub const INPUT_ERROR: u8 = 2;
/// Something the check found will fail or lose data.
pub const UNSAFE: u8 = 1;
/// The inputs cannot settle the question (for listings: they may be incomplete or imprecise).
pub const INCONCLUSIVE: u8 = 3;

/// An error for the user: printed as one line, `slatecheck: error: <message>`.
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub code: u8,
}

impl Failure {
    /// Unreadable or undecodable input (exit code 2).
    pub fn input(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            code: INPUT_ERROR,
        }
    }
}

impl From<slatecheck_core::listing::ListingError> for Failure {
    fn from(err: slatecheck_core::listing::ListingError) -> Self {
        Failure::input(err.to_string())
    }
}

impl From<slatecheck_core::manifest::ManifestError> for Failure {
    fn from(err: slatecheck_core::manifest::ManifestError) -> Self {
        Failure::input(err.to_string())
    }
}

/// Turns a command's outcome into the process exit code. A closed stdout (`| head`) is not an
/// error.
pub fn finish(result: Result<u8, Failure>) -> ExitCode {
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let _ = writeln!(io::stderr(), "slatecheck: error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// Writes a command's output to stdout, treating a closed pipe as success.
pub fn print(text: &str) -> Result<(), Failure> {
    write_stdout(|out| out.write_all(text.as_bytes()))
}

/// How much output is written at a time: a bucket-scale JSON report is hundreds of megabytes.
pub const OUTPUT_BUFFER: usize = 1 << 20;

/// Writes to stdout through `emit`, buffered; a reader that went away (`| head`) is no error.
pub fn write_stdout(
    emit: impl FnOnce(&mut io::BufWriter<io::StdoutLock<'static>>) -> io::Result<()>,
) -> Result<(), Failure> {
    let mut out = io::BufWriter::with_capacity(OUTPUT_BUFFER, io::stdout().lock());
    match emit(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(err) => Err(Failure::input(format!("writing output: {err}"))),
    }
}

/// Gives up `value` without freeing it: the process exits right after the command, and
/// freeing the millions of rows of a bucket-scale listing one by one only delays that exit
/// (about a tenth of a second per 10M objects).
pub fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}
