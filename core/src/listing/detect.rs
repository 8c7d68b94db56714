//! Telling listing formats apart from their first bytes.

use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A listing format slatecheck reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListingFormat {
    /// `aws s3 ls --recursive` text (optionally `--summarize`).
    AwsS3Ls,
    /// `aws s3api list-objects-v2` / `list-object-versions` JSON: one document, a bare
    /// `Contents` array, or several page documents one after another.
    S3ApiJson,
    /// An S3 Inventory `manifest.json`.
    S3InventoryManifest,
    /// An S3 Inventory CSV data file (`.csv` or `.csv.gz`), read with its manifest's schema.
    S3InventoryCsv,
    /// `gsutil ls -l` (optionally `-a`) text.
    GsutilLs,
    /// `gcloud storage ls --json` output.
    GcloudJson,
    /// `az storage blob list` JSON.
    AzJson,
    /// `rclone lsjson -R` JSON.
    RcloneLsjson,
    /// `rclone lsl` text.
    RcloneLsl,
    /// `s3cmd ls -r` text.
    S3cmdLs,
    /// `mc ls --json -r` (NDJSON).
    McJson,
    /// `find DIR -type f -printf '%s\t%T@\t%P\n'` (tab-separated size, epoch time, path).
    FindTsv,
    /// Plain `size key` lines.
    SizeKey,
    /// An empty file: a listing of an empty store or prefix (what `find` or `aws s3 ls` print
    /// for one).
    Empty,
}

impl ListingFormat {
    /// Every format, in detection order.
    pub const ALL: [ListingFormat; 14] = [
        ListingFormat::AwsS3Ls,
        ListingFormat::S3ApiJson,
        ListingFormat::S3InventoryManifest,
        ListingFormat::S3InventoryCsv,
        ListingFormat::GsutilLs,
        ListingFormat::GcloudJson,
        ListingFormat::AzJson,
        ListingFormat::RcloneLsjson,
        ListingFormat::RcloneLsl,
        ListingFormat::S3cmdLs,
        ListingFormat::McJson,
        ListingFormat::FindTsv,
        ListingFormat::SizeKey,
        ListingFormat::Empty,
    ];

    /// Whether a file of this format can be split at line ends and its parts read apart
    /// (see [`super::ListingBuilder::read_part`]): one object per line, nothing carried from
    /// line to line but counts.
    pub fn reads_in_parts(self) -> bool {
        super::formats::reads_in_parts(self)
    }

    /// Whether a file of this format can be read on several cores in chunks cut at line ends,
    /// each chunk's runs of items read ahead apart (see
    /// [`super::ListingBuilder::read_items_ahead`]) and the file read in turn taking them.
    pub fn reads_items_ahead(self) -> bool {
        super::formats::reads_runs_ahead(self)
    }

    /// The format's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            ListingFormat::AwsS3Ls => "aws-s3-ls",
            ListingFormat::S3ApiJson => "s3api-json",
            ListingFormat::S3InventoryManifest => "s3-inventory",
            ListingFormat::S3InventoryCsv => "s3-inventory-csv",
            ListingFormat::GsutilLs => "gsutil-ls",
            ListingFormat::GcloudJson => "gcloud-json",
            ListingFormat::AzJson => "az-json",
            ListingFormat::RcloneLsjson => "rclone-lsjson",
            ListingFormat::RcloneLsl => "rclone-lsl",
            ListingFormat::S3cmdLs => "s3cmd-ls",
            ListingFormat::McJson => "mc-json",
            ListingFormat::FindTsv => "find-tsv",
            ListingFormat::SizeKey => "size-key",
            ListingFormat::Empty => "empty",
        }
    }
}

impl fmt::Display for ListingFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ListingFormat {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl FromStr for ListingFormat {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, String> {
        ListingFormat::ALL
            .into_iter()
            .find(|format| format.name() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = ListingFormat::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown listing format `{text}` (known: {})",
                    names.join(", ")
                )
            })
    }
}

/// Guesses the format of a listing from its first bytes (already un-gzipped).
/// `inventory_pending` says an S3 Inventory manifest was read, so bare CSV is its data.
pub fn detect_format(head: &[u8], inventory_pending: bool) -> Option<ListingFormat> {
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let text = String::from_utf8_lossy(head);
    let trimmed = text.trim_start();
    // Nothing listed: an empty file, an empty JSON array (`[]`, as gcloud, az and rclone print
    // for no objects), or `null` (`aws s3api … --query 'Contents[]'` on an empty prefix).
    let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() || compact == "[]" || compact == "null" {
        return Some(ListingFormat::Empty);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return detect_json(trimmed);
    }
    let first = text
        .lines()
        .map(str::trim_end)
        .find(|line| !line.trim().is_empty())?;
    if inventory_pending && first.starts_with('"') {
        return Some(ListingFormat::S3InventoryCsv);
    }
    detect_text_line(first)
}

fn detect_json(text: &str) -> Option<ListingFormat> {
    let has = |needle: &str| text.contains(needle);
    if has("\"fileSchema\"") && has("\"files\"") {
        Some(ListingFormat::S3InventoryManifest)
    } else if has("\"IsDir\"") && has("\"Path\"") {
        Some(ListingFormat::RcloneLsjson)
    } else if has("\"contentLength\"") || has("\"blobType\"") {
        Some(ListingFormat::AzJson)
    } else if has("\"status\"") && has("\"type\"") && has("\"key\"") {
        Some(ListingFormat::McJson)
    } else if has("\"gs://") || has("\"cloud_object\"") || has("\"storage#object\"") {
        Some(ListingFormat::GcloudJson)
    } else if has("\"Contents\"")
        || has("\"Versions\"")
        || has("\"DeleteMarkers\"")
        || has("\"Key\"")
        || has("\"KeyCount\"")
        || has("\"IsTruncated\"")
        || has("\"RequestCharged\"")
    {
        Some(ListingFormat::S3ApiJson)
    } else {
        None
    }
}

fn detect_text_line(line: &str) -> Option<ListingFormat> {
    let bytes = line.as_bytes();
    if is_date(bytes) && bytes.get(10) == Some(&b' ') && is_clock(&bytes[11.min(bytes.len())..]) {
        return Some(ListingFormat::AwsS3Ls);
    }
    if line.trim_start().starts_with("PRE ") || line.starts_with("Total Objects:") {
        return Some(ListingFormat::AwsS3Ls);
    }
    if super::formats::is_s3cmd_line(line) {
        return Some(ListingFormat::S3cmdLs);
    }
    // `gsutil ls -l -r gs://b` / `gcloud storage ls -l -r`: blocks under `gs://b/dir/:` headers;
    // without `-r`, folder lines `gs://b/dir/` may come first.
    // (`gcloud storage ls -l` indents its folder lines to the URL column.)
    let url_line = line.trim_start();
    if url_line.starts_with("gs://") && (url_line.ends_with(':') || url_line.ends_with('/')) {
        return Some(ListingFormat::GsutilLs);
    }
    let mut fields = line.split_whitespace();
    let first = fields.next()?;
    let second = fields.next();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) {
        return None;
    }
    let second = second?;
    if second.len() >= 20
        && is_date(second.as_bytes())
        && second.as_bytes()[10] == b'T'
        && line.contains("gs://")
    {
        return Some(ListingFormat::GsutilLs);
    }
    if is_date(second.as_bytes())
        && fields
            .next()
            .is_some_and(|clock| is_clock(clock.as_bytes()) && clock.contains('.'))
    {
        return Some(ListingFormat::RcloneLsl);
    }
    let columns: Vec<&str> = line.split('\t').collect();
    if columns.len() >= 3
        && digits(columns[0])
        && columns[1..columns.len() - 1].iter().any(|c| is_epoch(c))
    {
        return Some(ListingFormat::FindTsv);
    }
    Some(ListingFormat::SizeKey)
}

fn is_date(bytes: &[u8]) -> bool {
    bytes.len() >= 10
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[5..7].iter().all(u8::is_ascii_digit)
        && bytes[7] == b'-'
        && bytes[8..10].iter().all(u8::is_ascii_digit)
}

fn is_clock(bytes: &[u8]) -> bool {
    bytes.len() >= 8
        && bytes[..2].iter().all(u8::is_ascii_digit)
        && bytes[2] == b':'
        && bytes[3..5].iter().all(u8::is_ascii_digit)
        && bytes[5] == b':'
        && bytes[6..8].iter().all(u8::is_ascii_digit)
}

fn is_epoch(text: &str) -> bool {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, "0"));
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ListingFormat::*;

    #[test]
    fn detects_each_format_from_a_typical_first_line() {
        let cases: [(&str, ListingFormat); 14] = [
            ("2013-09-02 21:37:53         10 a.txt\n", AwsS3Ls),
            ("                           PRE foo/\n", AwsS3Ls),
            ("{\n    \"Contents\": [\n", S3ApiJson),
            ("[{\"Key\": \"a\", \"Size\": 1}]", S3ApiJson),
            (
                "{\"sourceBucket\":\"b\",\"fileSchema\":\"Bucket, Key\",\"files\":[]}",
                S3InventoryManifest,
            ),
            (
                "    306768  2017-12-26T16:07:57Z  gs://bucket/ada.jpg\n",
                GsutilLs,
            ),
            (
                "[{\"url\": \"gs://b/o\", \"type\": \"cloud_object\"}]",
                GcloudJson,
            ),
            (
                "[\n  {\n    \"name\": \"a\",\n    \"properties\": {\n      \"contentLength\": 1",
                AzJson,
            ),
            (
                "[\n{\"Path\":\"a\",\"Name\":\"a\",\"Size\":6,\"IsDir\":false}",
                RcloneLsjson,
            ),
            (
                "    60295 2016-06-25 18:55:41.062626927 bevajer5jef\n",
                RcloneLsl,
            ),
            (
                "{\"status\":\"success\",\"type\":\"file\",\"key\":\"a\"}\n",
                McJson,
            ),
            ("2\t1795683633.0947736680\tcompacted/x.sst\n", FindTsv),
            ("2026-12-02 02:43          554  s3://b/db/x.sst\n", S3cmdLs),
            ("                          DIR  s3://b/db/\n", S3cmdLs),
        ];
        for (head, expected) in cases {
            assert_eq!(
                detect_format(head.as_bytes(), false),
                Some(expected),
                "{head}"
            );
        }
        assert_eq!(detect_format(b"123 db/wal/1.sst\n", false), Some(SizeKey));
        assert_eq!(
            detect_format(b"gs://b/:\n\ngs://b/db/:\n", false),
            Some(GsutilLs)
        );
        assert_eq!(detect_format(b"gs://b/db/\n", false), Some(GsutilLs));
        assert_eq!(
            detect_format(b"        gs://b/db/\n", false),
            Some(GsutilLs)
        );
        assert_eq!(
            detect_format(b"\"b\",\"db/x\",\"1\"\n", true),
            Some(S3InventoryCsv)
        );
        assert_eq!(detect_format(b"hello world\n", false), None);
        assert_eq!(detect_format(b"", false), Some(Empty));
        assert_eq!(detect_format(b" \n\n", false), Some(Empty));
        assert_eq!(detect_format(b"[\n]\n", false), Some(Empty));
        assert_eq!(detect_format(b"null\n", false), Some(Empty));
        assert_eq!(
            detect_format(b"\nTotal Objects: 0\n   Total Size: 0\n", false),
            Some(AwsS3Ls)
        );
        assert_eq!(
            detect_format(b"{\n    \"RequestCharged\": null\n}\n", false),
            Some(S3ApiJson)
        );
        assert_eq!(detect_format(b"{\"foo\": 1}", false), None);
    }

    #[test]
    fn names_round_trip() {
        for format in ListingFormat::ALL {
            assert_eq!(format.name().parse::<ListingFormat>(), Ok(format));
        }
        assert!("nope"
            .parse::<ListingFormat>()
            .unwrap_err()
            .contains("aws-s3-ls"));
    }
}
