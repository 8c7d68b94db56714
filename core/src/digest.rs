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

    /// Adds one named file as [`sha256_of_files`] frames it: its name, a zero byte, its length
    /// and its bytes.
    pub fn update_file(&mut self, name: &str, bytes: &[u8]) {
        self.update(name.as_bytes());
        self.update(&[0]);
        self.update(&(bytes.len() as u64).to_be_bytes());
        self.update(bytes);
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

    /// Reads the rest, and returns the SHA-256 of everything, in lower-case hex; an error
    /// reading the rest is returned, not a hash of part of the file.
    pub fn finish_hex(mut self) -> std::io::Result<String> {
        std::io::copy(&mut self.inner, &mut HasherSink(&mut self.hasher))?;
        Ok(self.hasher.finish_hex())
    }
}

/// Writing into a [`Hasher`], so that `io::copy` reads the rest (retrying interrupted reads).
struct HasherSink<'a>(&'a mut Hasher);

impl std::io::Write for HasherSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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
    let mut hasher = Hasher::default();
    for (name, bytes) in files {
        hasher.update_file(name, bytes);
    }
    hasher.finish_hex()
}

/// `bytes` in lower-case hex, as the hashes here are written (for digests taken elsewhere,
/// e.g. by a browser's own SHA-256).
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::{Hasher, HashingReader};
    use std::io::{self, Read};

    /// Hands over `good` bytes, then fails.
    struct FailsAfter(usize);

    impl Read for FailsAfter {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0 == 0 {
                return Err(io::Error::other("disk gone"));
            }
            let n = self.0.min(buf.len());
            buf[..n].fill(7);
            self.0 -= n;
            Ok(n)
        }
    }

    #[test]
    fn the_rest_is_hashed_and_a_read_error_is_no_hash() {
        let data = vec![3u8; 200_000];
        let mut reader = HashingReader::new(data.as_slice());
        let mut first = [0u8; 1000];
        reader.read_exact(&mut first).unwrap();
        let mut whole = Hasher::default();
        whole.update(&data);
        assert_eq!(reader.finish_hex().unwrap(), whole.finish_hex());

        let err = HashingReader::new(FailsAfter(100_000))
            .finish_hex()
            .expect_err("a partial file has no hash");
        assert_eq!(err.to_string(), "disk gone");
    }
}
