//! Listing input that cannot be read: one line naming the file (and line) and the problem.

use super::detect::ListingFormat;
use thiserror::Error;

/// A listing that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct ListingError {
    /// The listing file.
    pub file: String,
    /// The 1-based line, when the problem is on one line.
    pub line: Option<u64>,
    /// What is wrong.
    pub message: String,
}

impl ListingError {
    pub(crate) fn new(file: &str, line: Option<u64>, message: impl Into<String>) -> Self {
        Self {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn at(file: &str, line: u64, message: impl Into<String>) -> Self {
        Self::new(file, Some(line), message)
    }

    /// `file` could not be read.
    pub fn io(file: &str, err: &std::io::Error) -> Self {
        Self::new(file, None, format!("cannot read: {err}"))
    }

    pub(crate) fn json(file: &str, err: &serde_json::Error) -> Self {
        let text = err.to_string();
        let message = match text.rfind(" at line ") {
            Some(index) => text[..index].to_string(),
            None => text,
        };
        let line = (err.line() > 0).then_some(err.line() as u64);
        Self::new(file, line, format!("invalid JSON: {message}"))
    }

    pub(crate) fn unknown_format(file: &str, head: &[u8]) -> Self {
        let tried: Vec<&str> = ListingFormat::ALL.iter().map(|f| f.name()).collect();
        let first_line = head
            .split(|&b| b == b'\n')
            .next()
            .map(|line| String::from_utf8_lossy(&line[..line.len().min(60)]).into_owned())
            .unwrap_or_default();
        Self::new(
            file,
            None,
            format!(
                "not a listing format slatecheck knows (tried {}); it starts with {first_line:?}",
                tried.join(", ")
            ),
        )
    }
}
