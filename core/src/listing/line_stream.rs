//! Reading a listing file that arrives a piece at a time (a browser's `File.stream()`), for a
//! caller that cannot hand the parsers a blocking reader: the pieces are gathered into parts
//! that end at a line end, and each part is read as [`ListingBuilder::read_part`] reads one and
//! joined at once, so the file is read while later pieces are still arriving.

use super::{format_for_parts, ListingBuilder, ListingError, ListingFormat, PartsJoin};
use crate::limits::MAX_LINE_BYTES;

/// Bytes gathered before a part is read: large enough that joining parts costs little, small
/// enough that the caller hears of progress often.
const PART_BYTES: usize = 2 << 20;

// A part must hold a whole line: one without a line end is a line too long for a listing.
const _: () = assert!(PART_BYTES > MAX_LINE_BYTES);

/// One listing file being read from pieces pushed in file order.
#[derive(Debug)]
pub struct LineStream {
    join: PartsJoin,
    /// Reads the parts, each into a builder of its own (see [`ListingBuilder::reader`]).
    reader: ListingBuilder,
    /// Bytes pushed and not yet read: the start of a part.
    pending: Vec<u8>,
}

impl LineStream {
    /// Starts reading listing file `source` into `builder`, when a file starting with `head`
    /// (its first [`super::DETECTION_WINDOW`] bytes, or all of it) can be read so: detected as
    /// [`super::read_listing`] detects it, not gzipped, and of a format that
    /// [`ListingFormat::reads_in_parts`]. `Ok(None)`: read it with [`super::read_listing`].
    pub fn begin(
        builder: &mut ListingBuilder,
        source: &str,
        head: &[u8],
    ) -> Result<Option<Self>, ListingError> {
        let Some(format) =
            format_for_parts(builder, head, None).filter(|format| format.reads_in_parts())
        else {
            return Ok(None);
        };
        let join = builder.begin_parts(source, format)?;
        Ok(Some(Self {
            join,
            reader: builder.reader(),
            pending: Vec::new(),
        }))
    }

    /// The listing file read.
    pub fn source(&self) -> &str {
        self.join.source()
    }

    /// The format the file is read in.
    pub fn format(&self) -> ListingFormat {
        self.join.format()
    }

    /// Takes the next piece of the file, reading the lines it completes once a part's worth
    /// has gathered.
    pub fn push(&mut self, builder: &mut ListingBuilder, piece: &[u8]) -> Result<(), ListingError> {
        self.pending.extend_from_slice(piece);
        if self.pending.len() < PART_BYTES {
            return Ok(());
        }
        // Without a line end the part is all one line, longer than any listing line: its read
        // reports it.
        let end = self
            .pending
            .iter()
            .rposition(|&byte| byte == b'\n')
            .map_or(self.pending.len(), |at| at + 1);
        let rest = self.pending.split_off(end);
        let part = std::mem::replace(&mut self.pending, rest);
        self.read(builder, &part)
    }

    /// Reads what is left after the last piece, and ends the file with the checks a read of
    /// the whole file makes at its end.
    pub fn finish(mut self, builder: &mut ListingBuilder) -> Result<(), ListingError> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            self.read(builder, &rest)?;
        }
        builder.end_parts(self.join)
    }

    fn read(&mut self, builder: &mut ListingBuilder, part: &[u8]) -> Result<(), ListingError> {
        let read = self
            .reader
            .read_part(self.join.source(), part, self.join.format());
        builder.join_part(&mut self.join, read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{read_listing, ListingOptions, DETECTION_WINDOW};

    /// A find listing of `lines` SlateDB objects, with one line of another kind.
    fn find_listing(lines: usize) -> Vec<u8> {
        let mut text =
            String::from("120\t1700000000.0\tdb/manifest/00000000000000000001.manifest\n");
        for id in 0..lines {
            text.push_str(&format!("{}\t1700000000.0\tdb/wal/{id:020}.sst\n", id * 7));
        }
        text.push_str("3\t1700000000.0\tunrelated/object.bin\n");
        text.into_bytes()
    }

    fn read_whole(bytes: &[u8]) -> Result<crate::listing::Listing, ListingError> {
        let mut builder = ListingBuilder::new(ListingOptions::default());
        read_listing(
            &mut builder,
            "find.tsv",
            bytes,
            Some(ListingFormat::FindTsv),
        )?;
        Ok(builder.finish())
    }

    fn read_streamed(bytes: &[u8], piece: usize) -> Result<crate::listing::Listing, ListingError> {
        let mut builder = ListingBuilder::new(ListingOptions::default());
        let mut stream = LineStream::begin(&mut builder, "find.tsv", &bytes[..DETECTION_WINDOW])?
            .expect("a find listing streams");
        for piece in bytes.chunks(piece) {
            stream.push(&mut builder, piece)?;
        }
        stream.finish(&mut builder)?;
        Ok(builder.finish())
    }

    #[test]
    fn a_listing_pushed_in_pieces_reads_as_the_whole_file_does() {
        let bytes = find_listing(120_000);
        assert!(bytes.len() > 2 * PART_BYTES, "several parts");
        let whole = read_whole(&bytes).expect("reads");
        for piece in [1 << 16, 333_333, PART_BYTES + 1] {
            assert_eq!(read_streamed(&bytes, piece).expect("reads"), whole);
        }
    }

    #[test]
    fn a_bad_line_is_named_by_its_line_in_the_file() {
        let mut bytes = find_listing(120_000);
        // A line of the second part, past the first part's lines.
        let at = bytes.len() - 100;
        let start = bytes[..at].iter().rposition(|&b| b == b'\n').unwrap() + 1;
        bytes.splice(start..start, b"not a listing line\n".iter().copied());
        let whole = read_whole(&bytes).expect_err("a bad line");
        let streamed = read_streamed(&bytes, 1 << 16).expect_err("a bad line");
        assert_eq!(streamed.to_string(), whole.to_string());
        assert!(
            streamed.line.is_some_and(|line| line > 100_000),
            "{streamed}"
        );
    }

    #[test]
    fn gzipped_files_and_formats_that_do_not_split_are_read_whole() {
        let mut builder = ListingBuilder::new(ListingOptions::default());
        let gzipped = LineStream::begin(&mut builder, "a", &crate::listing::GZIP_MAGIC);
        assert!(gzipped.expect("no error").is_none());
        let json = LineStream::begin(&mut builder, "b", b"{\"Contents\": [");
        assert!(json.expect("no error").is_none());
        let find = LineStream::begin(&mut builder, "c", &find_listing(3));
        assert_eq!(
            find.expect("no error").map(|stream| stream.format()),
            Some(ListingFormat::FindTsv)
        );
    }
}
