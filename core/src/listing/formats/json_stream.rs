//! Streaming JSON listings: one or more top-level documents (concatenated pages, NDJSON),
//! each an array of items or an object whose array fields hold the items. Items are handed to
//! the format one by one, so a single document with millions of entries is never held whole.
//!
//! A small scanner walks the structure the stream shares by all formats (documents, their
//! fields, the arrays of items) and copies each item's bytes out whole, tracking only strings
//! and nesting; serde_json then parses the item from that slice, borrowing its strings. Parsing
//! from a reader instead goes through the reader byte by byte, which was most of the time.
//! Every value the scanner skips is still checked to be JSON, and no value (item, field or
//! scalar) may be longer than [`MAX_JSON_VALUE_BYTES`]: one listed object is a few hundred
//! bytes, so a longer one is no listing, and reading it whole would only fill memory.

use crate::limits::{human_bytes, MAX_JSON_VALUE_BYTES};
use crate::listing::builder::ListingBuilder;
use crate::listing::error::ListingError;
use serde::de::{self, IgnoredAny, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;
use std::io::{BufRead, ErrorKind};

/// What a JSON listing format needs from the stream.
pub(super) trait JsonListing: Sized + Send + 'static {
    /// One listed object as the format prints it, borrowing from the item's bytes.
    type Item<'de>: Deserialize<'de>;
    /// Fields of a top-level object whose arrays hold items (`Contents`, `Versions`, …).
    const ARRAY_FIELDS: &'static [&'static str] = &[];
    /// Fields of a top-level object to hand to [`JsonListing::field`] (small values only).
    const SCALAR_FIELDS: &'static [&'static str] = &[];
    /// Whether a top-level object is itself an item (NDJSON formats).
    const OBJECT_IS_ITEM: bool = false;
    /// Array fields whose items [`JsonListing::item`] handles alike, so that a run of them can
    /// be read ahead, apart from the rest of the file, by a fresh format as items of the first
    /// of these fields (see [`read_run`]); what that format kept of them is handed to
    /// [`JsonListing::absorb_run`].
    const ARRAYS_READ_AHEAD: &'static [&'static str] = &[];
    /// Whether the items of a top-level array (a bare array) are read ahead too.
    const BARE_ARRAY_READ_AHEAD: bool = false;

    /// One item; `array` names the field it came from, if any.
    fn item(
        &mut self,
        array: Option<&str>,
        item: Self::Item<'_>,
        builder: &mut ListingBuilder,
    ) -> Result<(), String>;
    /// Whether `item` may be read ahead in a run: not one whose effect on the objects depends
    /// on those read before it (a delete marker removes one).
    fn reads_ahead(_item: &Self::Item<'_>) -> bool {
        true
    }
    /// A run of items of `array` read ahead was taken in place of reading them here: `run` is
    /// the format that read them, fresh before, whose state this one takes in as if it had
    /// read them itself. Formats that read runs ahead and keep state from items merge it here.
    fn absorb_run(&mut self, _run: Self, _array: Option<&str>) {}
    /// One of [`JsonListing::SCALAR_FIELDS`] of a top-level object.
    fn field(&mut self, _name: &str, _value: Value, _builder: &mut ListingBuilder) {}
    /// The end of one top-level document.
    fn end_document(&mut self, _builder: &mut ListingBuilder) {}
}

/// Arrays and objects nested deeper than this in a skipped value are refused (serde_json
/// refuses the same depth inside an item).
const MAX_DEPTH: usize = 128;

/// A value the input ends inside of.
const CUT_SHORT: &str = "invalid JSON: EOF while parsing a value (the listing is cut short)";

/// Reads every top-level document of `reader` into `format`.
pub(super) fn stream<R: BufRead, F: JsonListing>(
    source: &str,
    reader: R,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    stream_ahead(source, NothingAhead(reader), format, builder)
}

/// [`stream`], taking the runs of items `reader` read ahead where they start.
pub(super) fn stream_ahead<R: BufRead + ReadAhead, F: JsonListing>(
    source: &str,
    reader: R,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let mut scanner = Scanner::new(source, reader);
    while let Some(first) = scanner.next_token()? {
        match first {
            b'[' => items(&mut scanner, None, format, builder)?,
            b'{' if F::OBJECT_IS_ITEM => next_item(&mut scanner, None, format, builder)?,
            b'{' => document(&mut scanner, format, builder)?,
            _ => {
                return Err(
                    scanner.error("invalid JSON: expected an array or object of listed objects")
                )
            }
        }
        format.end_document(builder);
    }
    Ok(())
}

/// The fields of a top-level object; the scanner is at its `{`.
fn document<R: BufRead + ReadAhead, F: JsonListing>(
    scanner: &mut Scanner<'_, R>,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    scanner.elements(b'}', |scanner| {
        let name = scanner.field_name()?;
        let next = scanner.token()?;
        if let Some(array) = F::ARRAY_FIELDS.iter().find(|field| **field == name) {
            match next {
                b'[' => items(scanner, Some(array), format, builder)?,
                // `"Contents": null`
                b'n' => scanner.capture_parsed::<()>()?,
                _ => return Err(scanner.error(format!("`{array}` is not an array"))),
            }
        } else if F::SCALAR_FIELDS.contains(&name.as_str()) {
            let value = scanner.capture_parsed::<Value>()?;
            format.field(&name, value, builder);
        } else {
            scanner.skip(0)?;
        }
        Ok(())
    })
}

/// The items of an array; the scanner is at its `[`.
fn items<R: BufRead + ReadAhead, F: JsonListing>(
    scanner: &mut Scanner<'_, R>,
    array: Option<&'static str>,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    scanner.elements(b']', |scanner| next_item(scanner, array, format, builder))
}

/// Reads the item the scanner is at and hands it to the format: straight from the reader's
/// buffer when it lies whole in it (nearly always: items are a few hundred bytes, the buffer
/// 256 KiB), else copied out first. Reading in place spares scanning each item twice (once
/// for its end, once to parse it): a fifth of reading a JSON listing.
fn next_item<R: BufRead + ReadAhead, F: JsonListing>(
    scanner: &mut Scanner<'_, R>,
    array: Option<&'static str>,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    if scanner.token()? == b'{' {
        let read_ahead = match array {
            Some(array) => F::ARRAYS_READ_AHEAD.contains(&array),
            None => F::BARE_ARRAY_READ_AHEAD,
        };
        if read_ahead && builder.takes_runs() {
            if let Some(mut run) = scanner.reader.run_from(scanner.position) {
                // A run read by another format than this file's is not one of its runs.
                if let Some(read_by) = run.format.take().and_then(|f| f.downcast::<F>().ok()) {
                    format.absorb_run(*read_by, array);
                    return scanner.skip_run(run, builder);
                }
            }
        }
        scanner.value_line = scanner.line;
        let read = {
            let buffer = fill(&mut scanner.reader, scanner.source)?;
            let mut in_place = serde_json::Deserializer::from_slice(buffer).into_iter();
            let next: Option<serde_json::Result<F::Item<'_>>> = in_place.next();
            match next {
                Some(Ok(item)) => {
                    let end = in_place.byte_offset();
                    let handed = format.item(array, item, builder);
                    Some((end, newlines(&buffer[..end]), handed))
                }
                // It may go on past the buffer, or be damaged: copied out below, where the end
                // of the input, values too long to be a listed object and errors are told
                // apart as in a read that never takes this way.
                _ => None,
            }
        };
        if let Some((end, lines, handed)) = read {
            scanner.consume(end);
            scanner.line += lines;
            return handed.map_err(|message| scanner.refused(message));
        }
    }
    scanner.capture()?;
    item(scanner, array, format, builder)
}

/// Parses the captured value as one item and hands it to the format.
fn item<R: BufRead + ReadAhead, F: JsonListing>(
    scanner: &Scanner<'_, R>,
    array: Option<&'static str>,
    format: &mut F,
    builder: &mut ListingBuilder,
) -> Result<(), ListingError> {
    let item = scanner.parsed::<F::Item<'_>>()?;
    format
        .item(array, item, builder)
        .map_err(|message| scanner.refused(message))
}

/// A run of items read ahead, apart from the rest of the input: from the item starting at
/// some offset of the input up to `end`, the offset after its last item.
pub(crate) struct Run {
    /// The offset after its last item.
    pub end: u64,
    /// The line ends between its first item's start and `end`.
    pub lines: u64,
    /// What its items added, read as [`ListingBuilder::absorb_run`] takes it.
    pub builder: ListingBuilder,
    /// The format that read it, for [`JsonListing::absorb_run`].
    pub format: Option<Box<dyn std::any::Any + Send>>,
}

/// A reader that may have runs of items read ahead.
pub(crate) trait ReadAhead {
    /// The run read ahead from offset `position` of the input, where an item of one of
    /// [`JsonListing::ARRAYS_READ_AHEAD`] (or of a bare array) starts, if there is one.
    fn run_from(&mut self, position: u64) -> Option<Run>;
}

impl<T: ReadAhead + ?Sized> ReadAhead for &mut T {
    fn run_from(&mut self, position: u64) -> Option<Run> {
        (**self).run_from(position)
    }
}

/// A reader without runs read ahead.
pub(super) struct NothingAhead<R>(pub(super) R);

impl<R: BufRead> ReadAhead for NothingAhead<R> {
    fn run_from(&mut self, _position: u64) -> Option<Run> {
        None
    }
}

impl<R: std::io::Read> std::io::Read for NothingAhead<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: BufRead> BufRead for NothingAhead<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.0.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.0.consume(amount);
    }
}

/// Where [`read_run`] looks for the run's first item: at most this many lines that start with
/// `{` (the first of them is nearly always an item; one that is not, say an object nested in
/// an item, fails to parse, or starts a run the read in turn does not arrive at and reads
/// itself).
const MAX_RUN_STARTS_TRIED: usize = 16;

/// A run [`read_run`] read: the offsets of its first item and of the end of its last.
pub(crate) struct RunRead {
    pub first: usize,
    pub end: usize,
    /// Whether it ended because the chunk did: the next item does not lie whole in it.
    pub to_chunk_end: bool,
    /// The format that read it.
    pub format: Box<dyn std::any::Any + Send>,
}

/// Reads ahead the run of items in `chunk`, a piece of a listing file that starts at a line
/// start (so outside any JSON string: a string holds no line end), into `builder`: from the
/// first line whose first byte after blanks is `{` and that parses as an item, on through
/// the items that follow it, separated by commas, while they lie whole in the chunk.
/// Whether the run's first item really is an item of an array read ahead only the read of the
/// whole file knows: it takes the run where it arrives at the run's first item, and reads in
/// turn what a run it does not arrive at holds. The run ends before anything else, an item
/// that fails to parse or that the format refuses included: the read in turn meets it and
/// reports it as it always does.
pub(crate) fn read_run<F: JsonListing + Default>(
    chunk: &[u8],
    builder: &mut ListingBuilder,
) -> Option<RunRead> {
    if F::ARRAYS_READ_AHEAD.is_empty() && !F::BARE_ARRAY_READ_AHEAD {
        return None;
    }
    let array = F::ARRAYS_READ_AHEAD.first().copied();
    let mut format = F::default();
    // UTF-8 checked once for the chunk (cut at a line end, so at a char boundary) rather
    // than string by string by serde_json, which cost more than the check of the whole. A
    // chunk that is not UTF-8 is read as bytes, and the string that is not is refused as
    // before.
    let text = std::str::from_utf8(chunk).ok();
    // The end of the item at `at`; `Err(true)` when it goes on past the chunk.
    let mut read_one = |at: usize, builder: &mut ListingBuilder| -> Result<usize, bool> {
        let read = match text {
            // `at` is a `{`: a char boundary.
            Some(text) => first_value(serde_json::Deserializer::from_str(&text[at..])),
            None => first_value(serde_json::Deserializer::from_slice(&chunk[at..])),
        };
        let (item, length) = match read {
            Some((Ok(item), length)) => (item, length),
            Some((Err(err), _)) => return Err(err.is_eof()),
            None => return Err(true),
        };
        // A longer value is refused by the read in turn.
        if length > MAX_JSON_VALUE_BYTES || !F::reads_ahead(&item) {
            return Err(false);
        }
        format.item(array, item, builder).map_err(|_| false)?;
        Ok(at + length)
    };
    let line_starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', chunk).map(|at| at + 1));
    let (first, mut end) = line_starts
        .filter_map(|start| {
            let at = start + blanks(&chunk[start.min(chunk.len())..]);
            (chunk.get(at) == Some(&b'{') && !opens_document::<F>(&chunk[at + 1..])).then_some(at)
        })
        .take(MAX_RUN_STARTS_TRIED)
        .find_map(|at| Some((at, read_one(at, builder).ok()?)))?;
    let to_chunk_end = loop {
        let comma = end + blanks(&chunk[end..]);
        let next = comma + 1 + blanks(&chunk[(comma + 1).min(chunk.len())..]);
        match (chunk.get(comma), chunk.get(next)) {
            (None, _) | (Some(b','), None) => break true,
            (Some(b','), Some(b'{')) => {}
            _ => break false,
        }
        match read_one(next, builder) {
            Ok(after) => end = after,
            Err(cut_short) => break cut_short,
        }
    };
    Some(RunRead {
        first,
        end,
        to_chunk_end,
        format: Box::new(format),
    })
}

/// The first value of `deserializer` as `T`, and the offset after it.
fn first_value<'de, R: serde_json::de::Read<'de>, T: Deserialize<'de>>(
    deserializer: serde_json::Deserializer<R>,
) -> Option<(serde_json::Result<T>, usize)> {
    let mut values = deserializer.into_iter::<T>();
    let value = values.next()?;
    Some((value, values.byte_offset()))
}

/// Whether an object whose bytes after its `{` are `after` opens a top-level document (a page
/// of a paged listing) rather than an item: its first field is one the stream reads at the top
/// level. Tried as an item, it would be refused only after its whole page was skimmed.
fn opens_document<F: JsonListing>(after: &[u8]) -> bool {
    let after = &after[blanks(after)..];
    let Some(name) = after.strip_prefix(b"\"") else {
        return false;
    };
    F::ARRAY_FIELDS.iter().chain(F::SCALAR_FIELDS).any(|field| {
        name.strip_prefix(field.as_bytes())
            .is_some_and(|rest| rest.first() == Some(&b'"'))
    })
}

/// The length of the JSON whitespace `bytes` starts with.
fn blanks(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        .count()
}

/// The reader, with the line it is on and the value it copied out last.
struct Scanner<'s, R> {
    source: &'s str,
    reader: R,
    /// 1-based line of the next unread byte.
    line: u64,
    /// Offset of the next unread byte in the input.
    position: u64,
    /// The value [`Scanner::capture`] copied out last.
    value: Vec<u8>,
    /// The line the value read last (copied out or in place) starts on.
    value_line: u64,
}

impl<'s, R: BufRead + ReadAhead> Scanner<'s, R> {
    fn new(source: &'s str, reader: R) -> Self {
        Self {
            source,
            reader,
            line: 1,
            position: 0,
            value: Vec::new(),
            value_line: 1,
        }
    }

    fn error(&self, message: impl Into<String>) -> ListingError {
        ListingError::at(self.source, self.line, message)
    }

    /// The format refused the item read last, however it was read: at the line it starts on.
    fn refused(&self, message: String) -> ListingError {
        ListingError::at(
            self.source,
            self.value_line,
            format!("invalid JSON: {message}"),
        )
    }

    fn consume(&mut self, bytes: usize) {
        self.reader.consume(bytes);
        self.position += bytes as u64;
    }

    /// Takes a run of items read ahead from the item the scanner is at: its objects, and the
    /// scanner moved past its last item.
    fn skip_run(&mut self, run: Run, builder: &mut ListingBuilder) -> Result<(), ListingError> {
        let mut left = run.end.saturating_sub(self.position);
        while left > 0 {
            let buffered = fill(&mut self.reader, self.source)?.len() as u64;
            if buffered == 0 {
                return Err(self.error(CUT_SHORT));
            }
            let step = left.min(buffered);
            self.consume(step as usize);
            left -= step;
        }
        self.line += run.lines;
        builder.absorb_run(run.builder);
        Ok(())
    }

    /// Skips whitespace (and byte-order marks) and returns the next byte, unread; `None` at
    /// the end of the input.
    fn next_token(&mut self) -> Result<Option<u8>, ListingError> {
        loop {
            let buffer = fill(&mut self.reader, self.source)?;
            if buffer.is_empty() {
                return Ok(None);
            }
            if buffer.starts_with(b"\xEF\xBB\xBF") {
                self.consume(3);
                continue;
            }
            let mut newlines = 0;
            let skip = buffer
                .iter()
                .take_while(|&&b| {
                    newlines += u64::from(b == b'\n');
                    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
                })
                .count();
            let next = buffer.get(skip).copied();
            self.line += newlines;
            self.consume(skip);
            if next.is_some() {
                return Ok(next);
            }
        }
    }

    /// The next byte after whitespace, which must be there.
    fn token(&mut self) -> Result<u8, ListingError> {
        self.next_token()?.ok_or_else(|| self.error(CUT_SHORT))
    }

    /// After an opening bracket: `true` (and the closer consumed) when the container is empty.
    fn close_or_first(&mut self, close: u8) -> Result<bool, ListingError> {
        let empty = self.token()? == close;
        if empty {
            self.consume(1);
        }
        Ok(empty)
    }

    /// After an element of a container: `true` (and the closer consumed) at its end, `false`
    /// (and the comma consumed) when another element follows.
    fn after_element(&mut self, close: u8) -> Result<bool, ListingError> {
        match self.token()? {
            b',' => {
                self.consume(1);
                Ok(false)
            }
            b if b == close => {
                self.consume(1);
                Ok(true)
            }
            _ => Err(self.error(format!(
                "invalid JSON: expected `,` or `{}`",
                char::from(close)
            ))),
        }
    }

    /// A field name and its `:`; the scanner is at the name.
    fn field_name(&mut self) -> Result<String, ListingError> {
        if self.token()? != b'"' {
            return Err(self.error("invalid JSON: expected a field name"));
        }
        let name = self.capture_parsed::<Cow<'_, str>>()?.into_owned();
        if self.token()? != b':' {
            return Err(self.error("invalid JSON: expected `:`"));
        }
        self.consume(1);
        Ok(name)
    }

    /// Skips one value, checking that it is JSON: containers are walked element by element
    /// (so a skipped array of any length costs no memory), scalars captured and parsed.
    fn skip(&mut self, depth: usize) -> Result<(), ListingError> {
        let (close, is_object) = match self.token()? {
            b'[' => (b']', false),
            b'{' => (b'}', true),
            _ => return self.capture_parsed::<IgnoredAny>().map(|_| ()),
        };
        if depth >= MAX_DEPTH {
            return Err(self.error(format!("invalid JSON: nested deeper than {MAX_DEPTH}")));
        }
        self.elements(close, |scanner| {
            if is_object {
                scanner.field_name()?;
            }
            scanner.skip(depth + 1)
        })
    }

    /// Walks the container the scanner is at (its `[` or `{`, closed by `close`), calling
    /// `each` at every element, and consumes its end.
    fn elements(
        &mut self,
        close: u8,
        mut each: impl FnMut(&mut Self) -> Result<(), ListingError>,
    ) -> Result<(), ListingError> {
        self.consume(1);
        if self.close_or_first(close)? {
            return Ok(());
        }
        loop {
            each(self)?;
            if self.after_element(close)? {
                return Ok(());
            }
        }
    }

    /// Captures one value and parses it.
    fn capture_parsed<'v, T: Deserialize<'v>>(&'v mut self) -> Result<T, ListingError> {
        self.capture()?;
        self.parsed()
    }

    /// Parses the captured value; an error names its line in the listing.
    fn parsed<'v, T: Deserialize<'v>>(&'v self) -> Result<T, ListingError> {
        serde_json::from_slice(&self.value).map_err(|err| {
            let mut error = ListingError::json(self.source, &err);
            error.line = Some(self.value_line + (err.line() as u64).max(1) - 1);
            error
        })
    }

    /// Copies one whole value (object, array, string or literal) into `value`, tracking only
    /// strings and nesting; serde_json checks the rest when it parses the copy.
    fn capture(&mut self) -> Result<(), ListingError> {
        self.token()?;
        self.value.clear();
        self.value_line = self.line;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut escaped = false;
        loop {
            let buffer = fill(&mut self.reader, self.source)?;
            if buffer.is_empty() {
                let line = self.line + newlines(&self.value);
                return Err(ListingError::at(self.source, line, CUT_SHORT));
            }
            let mut at = 0;
            let mut end = None;
            while at < buffer.len() {
                if in_string {
                    if escaped {
                        escaped = false;
                        at += 1;
                        continue;
                    }
                    let Some(found) = memchr::memchr2(b'"', b'\\', &buffer[at..]) else {
                        break;
                    };
                    at += found;
                    if buffer[at] == b'\\' {
                        escaped = true;
                    } else {
                        in_string = false;
                        if depth == 0 {
                            end = Some(at + 1);
                            break;
                        }
                    }
                    at += 1;
                    continue;
                }
                match buffer[at] {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth <= 1 => {
                        // The end of this container, or of a literal inside the parent's.
                        end = Some(at + depth);
                        break;
                    }
                    b'}' | b']' => depth -= 1,
                    b',' | b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => {
                        end = Some(at);
                        break;
                    }
                    _ => {}
                }
                at += 1;
            }
            let take = end.unwrap_or(buffer.len());
            if self.value.len() + take > MAX_JSON_VALUE_BYTES {
                return Err(ListingError::at(
                    self.source,
                    self.line,
                    format!(
                        "a JSON value longer than {}: not one listed object",
                        human_bytes(MAX_JSON_VALUE_BYTES as u64)
                    ),
                ));
            }
            self.value.extend_from_slice(&buffer[..take]);
            self.consume(take);
            if end.is_some() {
                self.line += newlines(&self.value);
                return Ok(());
            }
        }
    }
}

/// The reader's buffer, refilled if it is empty; empty at the end of the input.
fn fill<'r, R: BufRead>(reader: &'r mut R, source: &str) -> Result<&'r [u8], ListingError> {
    loop {
        match reader.fill_buf() {
            Ok(_) => break,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(ListingError::io(source, &err)),
        }
    }
    // Filled above: a second call hands back the same buffer without reading.
    reader
        .fill_buf()
        .map_err(|err| ListingError::io(source, &err))
}

fn newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

/// A size printed as a number or as a decimal string (GCS JSON prints uint64 as strings);
/// `None` for `null` and for what is no size (a negative or fractional number, a boolean, …).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct FlexibleSize(pub Option<u64>);

impl<'de> Deserialize<'de> for FlexibleSize {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SizeVisitor).map(FlexibleSize)
    }
}

struct SizeVisitor;

impl<'de> Visitor<'de> for SizeVisitor {
    type Value = Option<u64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a size")
    }

    fn visit_u64<E: de::Error>(self, size: u64) -> Result<Self::Value, E> {
        Ok(Some(size))
    }

    fn visit_i64<E: de::Error>(self, size: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(size).ok())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, inner: D) -> Result<Self::Value, D::Error> {
        inner.deserialize_any(self)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
        text.trim()
            .parse()
            .map(Some)
            .map_err(|_| E::custom(format!("bad size `{text}`")))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::formats::s3api_json::S3Api;

    #[test]
    fn a_page_document_is_no_run_start() {
        assert!(opens_document::<S3Api>(b"\n    \"Contents\": ["));
        assert!(opens_document::<S3Api>(b"\"IsTruncated\": false}"));
        assert!(!opens_document::<S3Api>(
            b"\n        \"Key\": \"db/wal/1.sst\","
        ));
        assert!(!opens_document::<S3Api>(b"\"ContentsX\": 1"));
        assert!(!opens_document::<S3Api>(b"}"));
    }
}
