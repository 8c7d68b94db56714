//! Object-store listings, in the formats users export them in, normalized into one model.
//!
//! A listing is read from any [`std::io::Read`] (a file natively, `File` slices in a browser
//! worker, bytes in tests) in chunks: parsers stream through it and hand each object to a
//! [`ListingBuilder`], which keeps only what SlateDB cares about (objects under SlateDB folders)
//! and counts the rest. Memory grows with the SlateDB objects, not with the bytes read.
//!
//! Listings fail closed: a truncation signal (`IsTruncated`, a continuation token, a page-sized
//! result count, a footer that disagrees with the lines read, a missing inventory data file),
//! lossy sizes and times without a time zone become [`ListingWarning`]s, which make verdicts
//! built on the listing inconclusive instead of reporting objects as missing.

mod budget;
mod builder;
mod detect;
mod error;
mod formats;
mod items_ahead;
mod line_stream;
mod object_key;
mod objects;
mod table;
mod time;
mod warning;

pub use builder::{
    DeletedObject, ListedTime, Listing, ListingBuilder, ListingFile, ListingOptions, ListingPart,
    PartsJoin, RawEntry, RootSummary, StoreObject,
};
pub use detect::{detect_format, ListingFormat};
pub use error::ListingError;
pub use items_ahead::{ItemsAhead, RunsWanted};
pub use line_stream::LineStream;
pub use object_key::{classify_key, object_key, ObjectKey, SlateObject};
pub use objects::{ListedObjects, ObjectOrigin, ObjectSummary, RootTables};
pub use table::{Kind as TableKind, Listed, ObjectsById, RowId, Table};
pub use time::parse_utc_offset;
pub use warning::{assume_complete, ListingWarning};

use std::io::{BufReader, Read};

/// How much of a listing detection may look at.
pub const DETECTION_WINDOW: usize = 256 * 1024;

/// The first bytes of a gzip stream: such a listing is inflated before it is detected.
pub(crate) const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Reads one listing file into `builder`, detecting its format unless `format` is given, and
/// transparently un-gzipping it. Returns the format read.
pub fn read_listing<R: Read>(
    builder: &mut ListingBuilder,
    source: &str,
    reader: R,
    format: Option<ListingFormat>,
) -> Result<ListingFormat, ListingError> {
    read_boxed(builder, source, Box::new(reader), format)
}

/// The format a listing file starting with `head` (its first [`DETECTION_WINDOW`] bytes, or
/// all of it) is read in when it can be read in parts (see [`ListingBuilder::read_part`] and
/// [`ListingBuilder::read_items_ahead`]): not gzipped, and of a format that
/// [`ListingFormat::reads_in_parts`] or [`ListingFormat::reads_items_ahead`]. `None`: read it
/// whole with [`read_listing`], which also reports why it cannot be read.
pub fn format_for_parts(
    builder: &ListingBuilder,
    head: &[u8],
    format: Option<ListingFormat>,
) -> Option<ListingFormat> {
    if head.starts_with(&GZIP_MAGIC) {
        return None;
    }
    let format = format.or_else(|| detect_format(head, builder.expects_inventory_data()))?;
    (format.reads_in_parts() || format.reads_items_ahead()).then_some(format)
}

fn read_boxed<'a>(
    builder: &mut ListingBuilder,
    source: &str,
    mut reader: Box<dyn Read + 'a>,
    format: Option<ListingFormat>,
) -> Result<ListingFormat, ListingError> {
    // Readers may hand out a few bytes at a time: collect a detection window first, then read
    // it again followed by the rest.
    let mut head = Vec::new();
    (&mut reader)
        .take(DETECTION_WINDOW as u64)
        .read_to_end(&mut head)
        .map_err(|err| ListingError::io(source, &err))?;
    let gzipped = head.starts_with(&GZIP_MAGIC);
    let detected = match format {
        Some(format) => Some(format),
        None if gzipped => None,
        None => Some(
            detect_format(&head, builder.expects_inventory_data())
                .ok_or_else(|| ListingError::unknown_format(source, &head))?,
        ),
    };
    let whole = BufReader::with_capacity(256 * 1024, std::io::Cursor::new(head).chain(reader));
    let Some(format) = detected.filter(|_| !gzipped) else {
        let inflated = flate2::bufread::MultiGzDecoder::new(whole);
        return read_boxed(builder, source, Box::new(inflated), format);
    };
    builder.begin_source(source, format)?;
    formats::parse(format, source, whole, builder)?;
    if let Some(err) = builder.budget_error(source) {
        return Err(err);
    }
    builder.end_source();
    Ok(format)
}
