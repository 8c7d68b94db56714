//! SHA-256 of inputs, so a report names exactly what it was computed from.

use sha2::{Digest, Sha256};
use std::io::Read;

/// SHA-256 of bytes given in pieces, as lower-case hex: what [`HashingReader`] computes, for
/// front ends that hash elsewhere (the CLI hashes on a second thread while the parser reads).
#[derive(Clone, Default)]
pub struct Hasher(Sha256);

impl Hasher {
    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The SHA-256 of everything added, in lower-case hex.
    pub fn finish_hex(self) -> String {
        hex(&self.0.finalize())
    }
}

/// A reader that hashes what passes through it. Whatever the parser leaves unread (it stops at
/// the end of the data) is read and hashed at the end, so the hash covers the whole file.
pub struct HashingReader<R> {
    inner: R,
    hasher: Hasher,
}

impl<R: Read> HashingReader<R> {
    /// Hashes what is read from `inner`.
    pub fn new(inner: R) -> Self {
        Self {
            inner,
            hasher: Hasher::default(),
        }
    }

    /// Reads the rest, and returns the SHA-256 of everything, in lower-case hex.
    pub fn finish_hex(mut self) -> String {
        let mut rest = [0u8; 64 * 1024];
        while let Ok(n) = self.inner.read(&mut rest) {
            if n == 0 {
                break;
            }
            self.hasher.update(&rest[..n]);
        }
        self.hasher.finish_hex()
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// SHA-256 of a list of (name, bytes): each name, its length and its bytes, in order.
pub fn sha256_of_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut hasher = Sha256::new();
    for (name, bytes) in files {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
