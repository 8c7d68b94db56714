//! Reading a JSON listing on several cores. A JSON file cannot be cut into parts that read
//! apart the way a line format can: what a byte means depends on every byte before it. But a
//! JSON string holds no line end, so a chunk cut at a line end starts outside any string, and
//! in the listings tools print, an object of the listed array starts a line. So each chunk's
//! runs of items are read ahead, apart: from the first line that starts one, then from where
//! the run before ended ([`ListingBuilder::read_items_ahead`]); then the whole file is read in
//! turn as it always is, but where it arrives at the first item of a run, it takes the run's
//! objects and moves past them instead of parsing them again
//! ([`ListingBuilder::join_items_ahead`]).
//!
//! That read in turn decides what counts: a run it does not arrive at (its first "item" was
//! an object nested in one, or the file is one long line) is dropped and read in turn, and a
//! run ends before anything but well-formed items that the format takes, so
//! errors, warnings and truncation signals are found by the read in turn, at their lines, as
//! in a file read whole. Only the items' parsing moves to other cores; the read in turn walks
//! the structure around them.

use super::builder::ListingBuilder;
use super::detect::ListingFormat;
use super::error::ListingError;
use super::formats::{self, ReadAhead, Run};
use std::collections::VecDeque;
use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};

/// Whether runs are still worth reading ahead, shared by the threads that read them and the
/// read in turn: that read stops wanting them once it has passed several runs in a row
/// without taking them (a file whose runs are nested objects, or whose items follow a delete
/// marker), so that the other cores stop parsing what is parsed again in turn.
#[derive(Debug, Default)]
pub struct RunsWanted {
    unwanted: AtomicBool,
}

impl RunsWanted {
    fn wanted(&self) -> bool {
        !self.unwanted.load(Ordering::Relaxed)
    }
}

/// Runs read ahead from one chunk at most: a chunk of page documents has a run a page, one of
/// items holding objects of their own (`"Tags": [` then `{` on a line of its own) may have a
/// run that starts at such an object, which the read in turn never arrives at.
const MAX_RUNS_A_CHUNK: usize = 64;

/// Runs passed in a row without being taken, after which no more are read ahead.
const MAX_RUNS_PASSED: u32 = 4;

/// The runs of items read ahead from one chunk of a listing file, for
/// [`ListingBuilder::join_items_ahead`]: each by the offset in the chunk of its first item,
/// its `end` an offset in the chunk too until the read in turn places the chunk in the file.
pub struct ItemsAhead {
    runs: Vec<(usize, Run)>,
}

impl std::fmt::Debug for ItemsAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let runs: Vec<(usize, u64)> = self.runs.iter().map(|(first, r)| (*first, r.end)).collect();
        f.debug_struct("ItemsAhead").field("runs", &runs).finish()
    }
}

/// What the read in turn is handed at a time, as [`super::read_listing`]'s buffer holds: an
/// item that lies whole in it is parsed where it lies, a longer one is copied out, and the
/// limit on a value's length applies alike.
const BUFFER_BYTES: usize = 256 * 1024;

impl ListingBuilder {
    /// Reads ahead the runs of items of `chunk`, a piece of listing file `source` of `format`
    /// starting at a line start (see the module docs); the chunk is handed to
    /// [`ListingBuilder::join_items_ahead`] along with them. Never fails: what no run holds is
    /// read in turn, and so is every chunk once `wanted` says runs are no longer wanted.
    pub fn read_items_ahead(
        &self,
        source: &str,
        chunk: &[u8],
        format: ListingFormat,
        wanted: &RunsWanted,
    ) -> ItemsAhead {
        let mut runs = Vec::new();
        if !wanted.wanted() {
            return ItemsAhead { runs };
        }
        // Each run from where the one before ended, outside any string (after an item's end,
        // then at line starts): one a page of a paged listing, and past a run that started at
        // an object nested in an item, the items after it.
        let mut from = 0;
        while runs.len() < MAX_RUNS_A_CHUNK {
            let mut builder = self.fork();
            builder.set_source(source);
            // The limit is kept where a run is taken: see `ListingBuilder::absorb_run`.
            builder.set_max_objects(None);
            let Some(run) = formats::read_run(format, &chunk[from..], &mut builder) else {
                break;
            };
            let (first, end) = (from + run.first, from + run.end);
            runs.push((
                first,
                Run {
                    end: end as u64,
                    lines: memchr::memchr_iter(b'\n', &chunk[first..end]).count() as u64,
                    builder,
                    format: Some(run.format),
                },
            ));
            if run.to_chunk_end {
                break;
            }
            from = end;
        }
        ItemsAhead { runs }
    }

    /// Reads listing file `source` of `format`, given as its chunks in file order (cut at line
    /// ends) with the runs read ahead from them, as if the file had been read whole; the
    /// first error a chunk gives stops the read with it. `wanted` is the one the runs were
    /// read with.
    pub fn join_items_ahead<B: AsRef<[u8]>>(
        &mut self,
        source: &str,
        format: ListingFormat,
        chunks: impl IntoIterator<Item = Result<(B, ItemsAhead), ListingError>>,
        wanted: &RunsWanted,
    ) -> Result<(), ListingError> {
        self.begin_source(source, format)?;
        let mut reader = Chunks {
            wanted,
            passed: 0,
            chunks: chunks.into_iter(),
            current: None,
            at: 0,
            start: 0,
            runs: VecDeque::new(),
            failed: None,
            ended: false,
        };
        let parsed = formats::parse_ahead(format, source, &mut reader, self);
        if let Some(err) = reader.failed {
            return Err(err);
        }
        parsed?;
        if let Some(err) = self.budget_error(source) {
            return Err(err);
        }
        self.end_source();
        Ok(())
    }
}

/// The chunks of a file read as one stream, with the runs read ahead from them by the offset
/// in the file of their first item.
struct Chunks<'w, I, B> {
    wanted: &'w RunsWanted,
    /// Runs passed in a row without being taken.
    passed: u32,
    chunks: I,
    current: Option<B>,
    /// The offset in the current chunk of the next unread byte.
    at: usize,
    /// The offset in the file of the current chunk.
    start: u64,
    runs: VecDeque<(u64, Run)>,
    /// The error a chunk gave.
    failed: Option<ListingError>,
    ended: bool,
}

impl<I, B> Chunks<'_, I, B>
where
    I: Iterator<Item = Result<(B, ItemsAhead), ListingError>>,
    B: AsRef<[u8]>,
{
    fn current_len(&self) -> usize {
        self.current
            .as_ref()
            .map_or(0, |chunk| chunk.as_ref().len())
    }
}

impl<I, B> Chunks<'_, I, B> {
    /// Drops the runs whose first item the read has passed (it is at `position`) without
    /// taking them; too many in a row, and no more are read ahead.
    fn pass_runs_before(&mut self, position: u64) {
        while self
            .runs
            .front()
            .is_some_and(|(first, _)| *first < position)
        {
            self.runs.pop_front();
            self.passed += 1;
            if self.passed >= MAX_RUNS_PASSED {
                self.wanted.unwanted.store(true, Ordering::Relaxed);
            }
        }
    }
}

impl<I, B> BufRead for Chunks<'_, I, B>
where
    I: Iterator<Item = Result<(B, ItemsAhead), ListingError>>,
    B: AsRef<[u8]>,
{
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.at >= self.current_len() && !self.ended {
            match self.chunks.next() {
                None => self.ended = true,
                Some(Err(err)) => {
                    let message = err.to_string();
                    self.failed = Some(err);
                    self.ended = true;
                    return Err(std::io::Error::other(message));
                }
                Some(Ok((chunk, ahead))) => {
                    self.start += self.current_len() as u64;
                    // Also where the read takes no runs, lest they pile up.
                    self.pass_runs_before(self.start);
                    for (first, mut run) in ahead.runs {
                        run.end += self.start;
                        self.runs.push_back((self.start + first as u64, run));
                    }
                    self.current = Some(chunk);
                    self.at = 0;
                }
            }
        }
        let Some(chunk) = self.current.as_ref().map(AsRef::as_ref) else {
            return Ok(&[]);
        };
        let at = self.at.min(chunk.len());
        Ok(&chunk[at..chunk.len().min(at + BUFFER_BYTES)])
    }

    fn consume(&mut self, amount: usize) {
        self.at = (self.at + amount).min(self.current_len());
    }
}

impl<I, B> Read for Chunks<'_, I, B>
where
    I: Iterator<Item = Result<(B, ItemsAhead), ListingError>>,
    B: AsRef<[u8]>,
{
    fn read(&mut self, into: &mut [u8]) -> std::io::Result<usize> {
        let buffered = self.fill_buf()?;
        let amount = buffered.len().min(into.len());
        into[..amount].copy_from_slice(&buffered[..amount]);
        self.consume(amount);
        Ok(amount)
    }
}

impl<I, B> ReadAhead for Chunks<'_, I, B> {
    fn run_from(&mut self, position: u64) -> Option<Run> {
        self.pass_runs_before(position);
        if self.runs.front()?.0 != position {
            return None;
        }
        self.passed = 0;
        self.runs.pop_front().map(|(_, run)| run)
    }
}
