//! Hashing input on a second thread while the parser reads it: SHA-256 of a large listing costs
//! about a sixth of reading it, and the CLI has the cores to spare (the core stays
//! single-threaded, for the browser).

use slatecheck_core::digest::Hasher;
use std::io::Read;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// A reader whose bytes are hashed on another thread; [`HashedReader::finish_hex`] reads the
/// rest (the parser may stop before the end) and returns the SHA-256 of the whole input.
pub struct HashedReader<R> {
    inner: R,
    chunks: SyncSender<Vec<u8>>,
    hasher: JoinHandle<String>,
}

impl<R: Read> HashedReader<R> {
    pub fn new(inner: R) -> Self {
        // A few chunks in flight: enough to keep both threads busy, bounded in memory.
        let (chunks, received) = sync_channel::<Vec<u8>>(8);
        let hasher = std::thread::spawn(move || {
            let mut hasher = Hasher::default();
            for chunk in received {
                hasher.update(&chunk);
            }
            hasher.finish_hex()
        });
        Self {
            inner,
            chunks,
            hasher,
        }
    }

    fn hash(&self, bytes: &[u8]) {
        // Fails only if the hashing thread is gone: `finish_hex` passes its panic on.
        let _ = self.chunks.send(bytes.to_vec());
    }

    /// Reads what the parser left, and returns the SHA-256 of everything, in lower-case hex;
    /// an error reading the rest is returned, not a hash of part of the file.
    pub fn finish_hex(mut self) -> std::io::Result<String> {
        let mut rest = vec![0u8; 256 * 1024];
        let read_all = loop {
            match self.inner.read(&mut rest) {
                Ok(0) => break Ok(()),
                Ok(n) => self.hash(&rest[..n]),
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err) => break Err(err),
            }
        };
        let Self { chunks, hasher, .. } = self;
        // The last chunk sent: the thread's loop ends and it returns the hash.
        drop(chunks);
        let hex = match hasher.join() {
            Ok(hex) => hex,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        read_all.map(|()| hex)
    }
}

impl<R: Read> Read for HashedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::HashedReader;
    use slatecheck_core::digest::HashingReader;
    use std::io::Read;

    #[test]
    fn hashes_what_a_single_threaded_reader_hashes_read_or_not() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let mut threaded = HashedReader::new(data.as_slice());
        let mut head = vec![0u8; 70_000];
        threaded.read_exact(&mut head).expect("read");
        let expected = HashingReader::new(data.as_slice())
            .finish_hex()
            .expect("in memory");
        assert_eq!(threaded.finish_hex().expect("in memory"), expected);
        assert_eq!(
            HashedReader::new(&b""[..]).finish_hex().expect("empty"),
            HashingReader::new(&b""[..]).finish_hex().expect("empty")
        );
    }

    #[test]
    fn a_read_error_is_no_hash() {
        struct Gone;
        impl Read for Gone {
            fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
                Err(std::io::Error::other("disk gone"))
            }
        }
        let err = HashedReader::new((&[1u8; 5000][..]).chain(Gone))
            .finish_hex()
            .expect_err("a partial file has no hash");
        assert_eq!(err.to_string(), "disk gone");
    }
}
