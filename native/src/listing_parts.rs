//! Reading large listings on every core, so that the listing is the one a single read gives
//! (the core stays single-threaded, for the browser): a large text file is read in chunks cut
//! at line ends, each chunk parsed by whichever thread is free into tables of its own, and the
//! chunks joined in file order; the data files of an S3 Inventory are each read whole on one
//! core, and joined in the order given.
//!
//! The file is read once: the thread that takes the next chunk reads it and, when a report
//! names the input, adds it to the file's SHA-256, while the other threads parse theirs.

use slatecheck_core::digest::{Hasher, HashingReader};
use slatecheck_core::limits::MAX_LINE_BYTES;
use slatecheck_core::listing::{
    format_for_parts, ListingBuilder, ListingError, ListingFile, ListingFormat, RunsWanted,
    DETECTION_WINDOW,
};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::{Condvar, Mutex, OnceLock};

/// Below this, one thread reads the file faster than threads can be started and joined.
const MIN_BYTES_FOR_PARTS: u64 = 32 << 20;

/// The bytes read at a time (a chunk ends at the last line end in them): small enough to be
/// parsed while still in the core's cache and for threads to finish together, large enough
/// that joining the chunks' tables costs little.
const CHUNK_BYTES: usize = 2 << 20;

// A chunk must hold a whole line: one without a line end is a line too long for a listing.
const _: () = assert!(CHUNK_BYTES > MAX_LINE_BYTES);

/// What [`read_in_parts`] did.
pub enum PartsRead {
    /// The file is small, compressed, of a format that does not read in parts, or the machine
    /// has one core: read it whole.
    NotRead,
    /// Read, with the file's SHA-256 in hex when asked for.
    Read { sha256: Option<String> },
}

/// Reads listing file `path` (shown as `name`) into `builder` in chunks on every core, when
/// it is large and of a format that reads in parts, hashing it meanwhile when `hash`.
pub fn read_in_parts(
    builder: &mut ListingBuilder,
    path: &Path,
    name: &str,
    format: Option<ListingFormat>,
    hash: bool,
) -> Result<PartsRead, ListingError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cannot_read = cannot_read(name);
    let mut file = File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map_err(cannot_read)?.len();
    if cores < 2 || size < MIN_BYTES_FOR_PARTS {
        return Ok(PartsRead::NotRead);
    }
    let mut head = Vec::new();
    (&mut file)
        .take(DETECTION_WINDOW as u64)
        .read_to_end(&mut head)
        .map_err(cannot_read)?;
    let Some(format) = format_for_parts(builder, &head, format) else {
        return Ok(PartsRead::NotRead);
    };
    file.seek(SeekFrom::Start(0)).map_err(cannot_read)?;
    let sha256 = OnceLock::new();
    let buffers = Buffers::new(cores);
    let chunks = Chunks {
        file,
        name,
        carry: Vec::new(),
        buffers: &buffers,
        hasher: hash.then(Hasher::default),
        sha256: &sha256,
        done: false,
    };
    let reader = builder.reader();
    let wanted = RunsWanted::default();
    let (reader, buffers) = (&reader, &buffers);
    // Chunks are joined as they arrive, while later ones are still being read; an error drops
    // the iterator, and the threads take no more chunks.
    std::thread::scope(|scope| {
        if format.reads_in_parts() {
            let parts = in_order(scope, cores, chunks, move |chunk| {
                let chunk = Recycled::new(chunk?, buffers);
                reader.read_part(name, chunk.as_ref(), format)
            });
            builder.join_parts(name, format, parts)
        } else {
            // The read in turn needs the chunk's bytes as well as its run of items.
            let wanted = &wanted;
            let runs = in_order(scope, cores, chunks, move |chunk| {
                let chunk = Recycled::new(chunk?, buffers);
                let ahead = reader.read_items_ahead(name, chunk.as_ref(), format, wanted);
                Ok((chunk, ahead))
            });
            builder.join_items_ahead(name, format, runs, wanted)
        }
    })?;
    Ok(PartsRead::Read {
        sha256: sha256.into_inner(),
    })
}

/// The buffers chunks are read into: reused (fresh ones cost page faults), and only so many,
/// so that the file is read no further ahead than the chunks in flight. A read in turn that
/// falls behind (a JSON file whose chunks it reads itself) then holds up the reading instead
/// of the whole file piling up in memory.
struct Buffers {
    /// Buffers free, and how many there are in all.
    free: Mutex<(Vec<Vec<u8>>, usize)>,
    handed_back: Condvar,
    most: usize,
}

impl Buffers {
    fn new(cores: usize) -> Self {
        Self {
            free: Mutex::new((Vec::new(), 0)),
            handed_back: Condvar::new(),
            // Each core's chunk, the one the read in turn is at, and some waiting to be joined.
            most: 4 * cores + 2,
        }
    }

    /// A free buffer, a new one while there are fewer than the most, or else the next one
    /// handed back. `None` if a thread panicked holding the lock.
    fn take(&self) -> Option<Vec<u8>> {
        let mut free = self.free.lock().ok()?;
        loop {
            if let Some(buffer) = free.0.pop() {
                return Some(buffer);
            }
            if free.1 < self.most {
                free.1 += 1;
                return Some(Vec::with_capacity(CHUNK_BYTES));
            }
            free = self.handed_back.wait(free).ok()?;
        }
    }

    fn hand_back(&self, buffer: Vec<u8>) {
        if let Ok(mut free) = self.free.lock() {
            free.0.push(buffer);
            self.handed_back.notify_one();
        }
    }
}

/// A chunk's buffer, handed back to read the next chunks into once the chunk is read.
struct Recycled<'a> {
    bytes: Vec<u8>,
    buffers: &'a Buffers,
}

impl<'a> Recycled<'a> {
    fn new(bytes: Vec<u8>, buffers: &'a Buffers) -> Self {
        Self { bytes, buffers }
    }
}

impl AsRef<[u8]> for Recycled<'_> {
    fn as_ref(&self) -> &[u8] {
        &self.bytes
    }
}

impl Drop for Recycled<'_> {
    fn drop(&mut self) {
        self.buffers.hand_back(std::mem::take(&mut self.bytes));
    }
}

/// A file's bytes in chunks that end at a line end (but the last), hashed as they are read.
struct Chunks<'a> {
    file: File,
    name: &'a str,
    /// The start of a line that the last chunk read cut off.
    carry: Vec<u8>,
    buffers: &'a Buffers,
    hasher: Option<Hasher>,
    /// The file's SHA-256 in hex, once read to the end.
    sha256: &'a OnceLock<String>,
    done: bool,
}

impl Iterator for Chunks<'_> {
    type Item = Result<Vec<u8>, ListingError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let Some(mut chunk) = self.buffers.take() else {
            // Only if a thread panicked, which the scope passes on.
            self.done = true;
            let failed = std::io::Error::other("a thread reading the file failed");
            return Some(Err(ListingError::io(self.name, &failed)));
        };
        chunk.clear();
        chunk.append(&mut self.carry);
        let start = chunk.len();
        let wanted = (CHUNK_BYTES - start) as u64;
        let read = match (&mut self.file).take(wanted).read_to_end(&mut chunk) {
            Ok(read) => read,
            Err(err) => {
                self.done = true;
                return Some(Err(ListingError::io(self.name, &err)));
            }
        };
        if let Some(hasher) = &mut self.hasher {
            hasher.update(&chunk[start..]);
        }
        if (read as u64) < wanted {
            self.done = true;
            if let Some(hasher) = self.hasher.take() {
                let _ = self.sha256.set(hasher.finish_hex());
            }
            return (!chunk.is_empty()).then_some(Ok(chunk));
        }
        // Without a line end the chunk is all one line, longer than any listing line: the
        // part's read reports it, and nothing after it is joined.
        if let Some(end) = chunk.iter().rposition(|&byte| byte == b'\n') {
            self.carry = chunk[end + 1..].to_vec();
            chunk.truncate(end + 1);
        }
        Some(Ok(chunk))
    }
}

/// Reads listing files that [`ListingBuilder::reads_apart`] (the data files of an S3 Inventory)
/// on every core, each whole on one thread, and joins them in the order given; returns each
/// file's SHA-256 in hex when `hash`.
pub fn read_files_apart(
    builder: &mut ListingBuilder,
    paths: &[&Path],
    hash: bool,
) -> Result<Vec<Option<String>>, ListingError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let reader = builder.reader();
    let reader = &reader;
    std::thread::scope(|scope| {
        // Files differ in size: each thread takes the next file not yet taken, and each file
        // is joined as soon as it and the files before it are read, so that no more than a
        // few files' tables wait in memory. The first error in the order given is the one a
        // read in turn stops at: returning drops the iterator, and the threads take no more.
        let reads = in_order(scope, cores.min(paths.len()), paths.iter(), move |path| {
            read_file_apart(reader, path, hash)
        });
        let mut hashes = Vec::with_capacity(paths.len());
        for read in reads {
            let (file, sha256) = read?;
            builder.join_file(file)?;
            hashes.push(sha256);
        }
        Ok(hashes)
    })
}

/// Runs `work` on each of `jobs` on up to `threads` threads of `scope`, each thread taking the
/// next job (`jobs.next()` runs on the thread that takes it, one at a time), and yields the
/// results in job order, each as soon as it and those before it are done. Dropping the
/// iterator stops the threads after the jobs they are on.
fn in_order<'scope, J: 'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    threads: usize,
    jobs: impl Iterator<Item = J> + Send + 'scope,
    work: impl Fn(J) -> T + Send + Sync + Copy + 'scope,
) -> impl Iterator<Item = T> + 'scope {
    let jobs = std::sync::Arc::new(Mutex::new(jobs.enumerate()));
    let (done, arrived) = std::sync::mpsc::channel();
    for _ in 0..threads {
        let (done, jobs) = (done.clone(), jobs.clone());
        scope.spawn(move || loop {
            // A poisoned lock: a thread panicked taking a job, and the scope passes it on.
            let Some((index, job)) = jobs.lock().ok().and_then(|mut jobs| jobs.next()) else {
                return;
            };
            if done.send((index, work(job))).is_err() {
                return;
            }
        });
    }
    let mut waiting = std::collections::BTreeMap::new();
    let mut wanted = 0;
    std::iter::from_fn(move || {
        // The channel ends when every thread has returned: all jobs are in, or a thread
        // panicked (the scope passes the panic on when it joins its threads).
        while !waiting.contains_key(&wanted) {
            let (index, result) = arrived.recv().ok()?;
            waiting.insert(index, result);
        }
        wanted += 1;
        waiting.remove(&(wanted - 1))
    })
}

/// A file read apart, with its SHA-256 in hex when asked for.
type FileRead = (ListingFile, Option<String>);

fn read_file_apart(
    builder: &ListingBuilder,
    path: &Path,
    hash: bool,
) -> Result<FileRead, ListingError> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(cannot_read(&name))?;
    if !hash {
        return Ok((builder.read_file_apart(&name, file)?, None));
    }
    let mut hashing = HashingReader::new(file);
    let read = builder.read_file_apart(&name, &mut hashing)?;
    let sha256 = hashing.finish_hex().map_err(cannot_read(&name))?;
    Ok((read, Some(sha256)))
}

fn cannot_read(name: &str) -> impl Fn(std::io::Error) -> ListingError + Copy + '_ {
    move |err| ListingError::io(name, &err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_more_buffers_than_the_most_are_out_at_once() {
        let buffers = Buffers::new(1);
        let out: Vec<Vec<u8>> = (0..buffers.most)
            .map(|_| buffers.take().expect("a buffer"))
            .collect();
        let (took, taken) = std::sync::mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let buffer = buffers.take().map(|b| b.capacity());
                took.send(buffer).expect("the test waits");
            });
            // The reader waits while every buffer is out…
            let waited = taken.recv_timeout(std::time::Duration::from_millis(100));
            assert!(waited.is_err(), "took a buffer past the most: {waited:?}");
            // …and takes the one handed back, not a new one.
            let mut out = out;
            let back = out.pop().expect("a buffer out");
            let capacity = back.capacity();
            buffers.hand_back(back);
            assert_eq!(taken.recv().expect("taken"), Some(capacity));
        });
        assert_eq!(buffers.free.lock().expect("lock").1, buffers.most);
    }
}
