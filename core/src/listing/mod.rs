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

mod builder;
mod detect;
mod error;
mod formats;
mod object_key;
mod time;
mod warning;

pub use builder::{
    DeletedObject, Listing, ListingBuilder, ListingOptions, ListedTime, RawEntry, RootSummary,
    StoreObject,
};
pub use detect::{detect_format, ListingFormat};
pub use error::ListingError;
pub use object_key::{classify_key, object_key, ObjectKey, SlateObject};
pub use warning::ListingWarning;

use std::io::{BufRead, BufReader, Read};

/// How much of a listing detection may look at.
const DETECTION_WINDOW: usize = 256 * 1024;

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

fn read_boxed<'a>(
    builder: &mut ListingBuilder,
    source: &str,
    reader: Box<dyn Read + 'a>,
    format: Option<ListingFormat>,
) -> Result<ListingFormat, ListingError> {
    let mut reader = BufReader::with_capacity(DETECTION_WINDOW, reader);
    let head = reader
        .fill_buf()
        .map_err(|err| ListingError::io(source, &err))?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let inflated = flate2::bufread::MultiGzDecoder::new(reader);
        return read_boxed(builder, source, Box::new(inflated), format);
    }
    let format = match format {
        Some(format) => format,
        None => detect_format(head, builder.expects_inventory_data())
            .ok_or_else(|| ListingError::unknown_format(source, head))?,
    };
    builder.begin_source(source, format)?;
    formats::parse(format, source, reader, builder)?;
    builder.end_source();
    Ok(format)
}
