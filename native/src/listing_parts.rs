//! Reading large listings on every core, so that the listing is the one a single read gives
//! (the core stays single-threaded, for the browser): a large text file is split at line ends,
//! each part parsed by a thread of its own into tables of its own, and the parts joined in file
//! order, its SHA-256 taken on one more thread meanwhile; the data files of an S3 Inventory are
//! each read whole on one core, and joined in the order given.

use slatecheck_core::digest::{Hasher, HashingReader};
use slatecheck_core::limits::MAX_LINE_BYTES;
use slatecheck_core::listing::{
    format_for_parts, ListingBuilder, ListingError, ListingFile, ListingFormat, ListingPart,
    DETECTION_WINDOW,
};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Below this, one thread reads the file faster than threads can be started and joined.
const MIN_BYTES_FOR_PARTS: u64 = 32 << 20;

/// What [`read_in_parts`] did.
pub enum PartsRead {
    /// The file is small, compressed, of a format that does not read in parts, or the machine
    /// has one core: read it whole.
    NotRead,
    /// Read, with the file's SHA-256 in hex when asked for.
    Read { sha256: Option<String> },
}

/// Reads listing file `path` (shown as `name`) into `builder` in parts, one per core, when it
/// is large and of a format that reads in parts, hashing it meanwhile when `hash`.
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
    let Some(starts) = part_starts(path, size, cores).map_err(cannot_read)? else {
        return Ok(PartsRead::NotRead);
    };
    let ends = starts.iter().skip(1).copied().chain([size]);
    let ranges: Vec<(u64, u64)> = starts.iter().copied().zip(ends).collect();
    let reader = builder.reader();
    let shared = &reader;
    let (parts, hash) = std::thread::scope(|scope| {
        let hashing = hash.then(|| scope.spawn(|| sha256_of(path)));
        let readers: Vec<_> = ranges
            .iter()
            .map(|&(start, end)| {
                scope.spawn(move || read_range(shared, path, name, format, start, end))
            })
            .collect();
        let parts: Vec<Result<ListingPart, ListingError>> = readers
            .into_iter()
            .map(|reader| match reader.join() {
                Ok(part) => part,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect();
        let hash = hashing.map(|hashing| match hashing.join() {
            Ok(hash) => hash,
            Err(panic) => std::panic::resume_unwind(panic),
        });
        (parts, hash)
    });
    builder.join_parts(name, format, parts)?;
    Ok(PartsRead::Read {
        sha256: hash.transpose().map_err(cannot_read)?,
    })
}

/// Where the parts start: offset 0, then the first line start at or after each `k/parts` of
/// the file. `None` when a line near a cut runs longer than any listing line: the whole-file
/// read then reports it.
fn part_starts(path: &Path, size: u64, parts: usize) -> std::io::Result<Option<Vec<u64>>> {
    let mut file = BufReader::with_capacity(64 * 1024, File::open(path)?);
    let mut starts = vec![0u64];
    for k in 1..parts as u64 {
        let cut = size * k / parts as u64;
        // The line start at or after `cut`: just past the first newline from `cut - 1` on.
        file.seek(SeekFrom::Start(cut - 1))?;
        let mut skipped = Vec::new();
        let read = (&mut file)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut skipped)?;
        if skipped.last() != Some(&b'\n') {
            return Ok(None);
        }
        let start = cut - 1 + read as u64;
        if start < size && starts.last().is_some_and(|&last| start > last) {
            starts.push(start);
        }
    }
    Ok(Some(starts))
}

/// Reads bytes `start..end` of the file as one part.
fn read_range(
    builder: &ListingBuilder,
    path: &Path,
    name: &str,
    format: ListingFormat,
    start: u64,
    end: u64,
) -> Result<ListingPart, ListingError> {
    let cannot_read = cannot_read(name);
    let mut file = File::open(path).map_err(cannot_read)?;
    file.seek(SeekFrom::Start(start)).map_err(cannot_read)?;
    builder.read_part(name, file.take(end - start), format)
}

fn cannot_read(name: &str) -> impl Fn(std::io::Error) -> ListingError + Copy + '_ {
    move |err| ListingError::io(name, &err)
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut file = File::open(path)?;
    let mut hasher = Hasher::default();
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let read = file.read(&mut chunk)?;
        if read == 0 {
            return Ok(hasher.finish_hex());
        }
        hasher.update(&chunk[..read]);
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
    // Each thread takes the next file not yet taken (files differ in size); this one joins
    // each file as soon as it and the files before it are read, so that no more than a few
    // files' tables wait in memory.
    let next = AtomicUsize::new(0);
    let next = &next;
    std::thread::scope(|scope| {
        let (done, arrived) = std::sync::mpsc::channel();
        let readers: Vec<_> = (0..cores.min(paths.len()))
            .map(|_| {
                let done = done.clone();
                scope.spawn(move || loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(index) else {
                        return;
                    };
                    if done
                        .send((index, read_file_apart(reader, path, hash)))
                        .is_err()
                    {
                        return;
                    }
                })
            })
            .collect();
        drop(done);
        let mut waiting = std::collections::BTreeMap::new();
        let mut hashes = Vec::with_capacity(paths.len());
        let mut failed: Option<ListingError> = None;
        for (index, read) in arrived {
            if failed.is_some() {
                continue;
            }
            waiting.insert(index, read);
            while let Some(read) = waiting.remove(&hashes.len()) {
                let joined = read.and_then(|(file, sha256)| {
                    builder.join_file(file)?;
                    Ok(sha256)
                });
                match joined {
                    Ok(sha256) => hashes.push(sha256),
                    // The first error in the order given is the one a read in turn stops at;
                    // the threads take no more files.
                    Err(err) => {
                        failed = Some(err);
                        next.store(paths.len(), Ordering::Relaxed);
                        break;
                    }
                }
            }
        }
        for handle in readers {
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
        match failed {
            Some(err) => Err(err),
            None => Ok(hashes),
        }
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
