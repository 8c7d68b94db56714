//! Listings of a synthetic store, written as the tools print them (the same layouts as the
//! renderers the core's tests check the parsers against, `core/tests/common/listing_render.rs`,
//! streamed instead of built in memory).

use crate::store::{root_content, unrelated_object, Object, Shape};
use chrono::DateTime;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The listing formats written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `aws s3 ls s3://bucket/ --recursive` (times in UTC).
    AwsS3Ls,
    /// `aws s3api list-objects-v2 --bucket bucket` (one merged document, indent 4).
    S3ApiJson,
    /// An S3 Inventory delivery: `manifest.json` and gzipped CSV data files.
    Inventory,
    /// `find DIR -type f -printf '%s\t%T@\t%P\n'`.
    FindTsv,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [
        Format::AwsS3Ls,
        Format::S3ApiJson,
        Format::Inventory,
        Format::FindTsv,
    ];

    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Format::AwsS3Ls => "aws-s3-ls",
            Format::S3ApiJson => "s3api-json",
            Format::Inventory => "s3-inventory",
            Format::FindTsv => "find-tsv",
        }
    }

    /// Parses a name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The listing's path under the output directory (for the inventory, its manifest.json).
    pub fn path(self, out: &Path) -> PathBuf {
        match self {
            Format::AwsS3Ls => out.join("aws-s3-ls.txt"),
            Format::S3ApiJson => out.join("s3api.json"),
            Format::Inventory => out.join("inventory/manifest.json"),
            Format::FindTsv => out.join("find.tsv"),
        }
    }
}

/// Rows per inventory data file (S3 splits deliveries into files of this order).
const INVENTORY_ROWS_PER_FILE: usize = 1_000_000;
const BUCKET: &str = "synthetic-bucket";

fn etag(object: &Object) -> String {
    // Deterministic 32 hex digits from the key and size (FNV-1a, twice).
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in object.key.as_bytes() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let second = (hash ^ object.size).wrapping_mul(0x100_0000_01b3);
    format!("{hash:016x}{second:016x}")
}

struct InventoryWriter {
    dir: PathBuf,
    current: Option<flate2::write::GzEncoder<BufWriter<File>>>,
    rows_in_file: usize,
    files: Vec<String>,
}

impl InventoryWriter {
    fn row(&mut self, object: &Object) -> io::Result<()> {
        if self.current.is_none() || self.rows_in_file == INVENTORY_ROWS_PER_FILE {
            self.close()?;
            let name = format!("data/part-{:05}.csv.gz", self.files.len());
            let file = BufWriter::new(File::create(self.dir.join(&name))?);
            self.current = Some(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::fast(),
            ));
            self.files.push(name);
            self.rows_in_file = 0;
        }
        let Some(out) = self.current.as_mut() else {
            return Ok(());
        };
        self.rows_in_file += 1;
        let modified = DateTime::from_timestamp_millis(object.mtime_ms).unwrap_or_default();
        // Synthetic keys need no URL encoding (letters, digits, `-_./=`): `=` is encoded.
        writeln!(
            out,
            "\"{BUCKET}\",\"{}\",\"{}\",\"{}\",\"{}\",\"STANDARD\"",
            object.key.replace('=', "%3D"),
            object.size,
            modified.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            etag(object)
        )
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some(out) = self.current.take() {
            out.finish()?.flush()?;
        }
        Ok(())
    }

    fn finish(mut self, creation_ms: i64) -> io::Result<()> {
        self.close()?;
        let files: Vec<String> = self
            .files
            .iter()
            .map(|name| {
                let size = fs::metadata(self.dir.join(name)).map_or(0, |m| m.len());
                format!(
                    "{{\n    \"key\" : \"{BUCKET}/inventory/{name}\",\n    \"size\" : {size},\n    \"MD5checksum\" : \"00000000000000000000000000000000\"\n  }}"
                )
            })
            .collect();
        let manifest = format!(
            "{{\n  \"sourceBucket\" : \"{BUCKET}\",\n  \"destinationBucket\" : \"arn:aws:s3:::inventory-destination\",\n  \"version\" : \"2016-11-30\",\n  \"creationTimestamp\" : \"{creation_ms}\",\n  \"fileFormat\" : \"CSV\",\n  \"fileSchema\" : \"Bucket, Key, Size, LastModifiedDate, ETag, StorageClass\",\n  \"files\" : [ {} ]\n}}",
            files.join(", ")
        );
        fs::write(self.dir.join("manifest.json"), manifest)
    }
}

enum Sink {
    Aws(BufWriter<File>),
    S3Api(BufWriter<File>, bool),
    Inventory(InventoryWriter),
    Find(BufWriter<File>),
}

impl Sink {
    fn open(format: Format, out: &Path) -> io::Result<Self> {
        let path = format.path(out);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let file = || File::create(&path).map(|f| BufWriter::with_capacity(1 << 20, f));
        Ok(match format {
            Format::AwsS3Ls => Sink::Aws(file()?),
            Format::S3ApiJson => {
                let mut out = file()?;
                out.write_all(b"{\n    \"Contents\": [")?;
                Sink::S3Api(out, true)
            }
            Format::Inventory => {
                let dir = out.join("inventory");
                fs::create_dir_all(dir.join("data"))?;
                Sink::Inventory(InventoryWriter {
                    dir,
                    current: None,
                    rows_in_file: 0,
                    files: Vec::new(),
                })
            }
            Format::FindTsv => Sink::Find(file()?),
        })
    }

    fn object(&mut self, object: &Object) -> io::Result<()> {
        let modified = DateTime::from_timestamp_millis(object.mtime_ms).unwrap_or_default();
        match self {
            Sink::Aws(out) => writeln!(
                out,
                "{} {:>10} {}",
                modified.format("%Y-%m-%d %H:%M:%S"),
                object.size,
                object.key
            ),
            Sink::S3Api(out, first) => {
                let comma = if *first { "" } else { "," };
                *first = false;
                write!(
                    out,
                    "{comma}\n        {{\n            \"Key\": \"{}\",\n            \"LastModified\": \"{}\",\n            \"ETag\": \"\\\"{}\\\"\",\n            \"Size\": {},\n            \"StorageClass\": \"STANDARD\"\n        }}",
                    object.key,
                    modified.format("%Y-%m-%dT%H:%M:%S+00:00"),
                    etag(object),
                    object.size
                )
            }
            Sink::Inventory(writer) => writer.row(object),
            Sink::Find(out) => writeln!(
                out,
                "{}\t{}.{:09}0\t{}",
                object.size,
                object.mtime_ms.div_euclid(1000),
                object.mtime_ms.rem_euclid(1000) * 1_000_000,
                object.key
            ),
        }
    }

    fn finish(self, creation_ms: i64) -> io::Result<()> {
        match self {
            Sink::Aws(mut out) | Sink::Find(mut out) => out.flush(),
            Sink::S3Api(mut out, _) => {
                out.write_all(
                    b"\n    ],\n    \"RequestCharged\": null,\n    \"Prefix\": \"\"\n}\n",
                )?;
                out.flush()
            }
            Sink::Inventory(writer) => writer.finish(creation_ms),
        }
    }
}

/// What [`write_store`] wrote.
#[derive(Debug, Default)]
pub struct Written {
    /// Objects listed.
    pub objects: u64,
    /// SlateDB objects among them.
    pub slatedb_objects: u64,
    /// Manifest objects written under `manifests/`.
    pub manifests: u64,
    /// Keys referenced by the written manifests (`referenced.txt`).
    pub referenced: u64,
}

/// Writes the store's listings in `formats` under `out`, the manifest objects of the first
/// `shape.manifest_roots` roots under `out/manifests/<key>`, the SST keys their latest
/// manifests reference in `out/referenced.txt` (the baseline join's input) and, in
/// `out/plans.txt`, plans over those roots.
pub fn write_store(shape: &Shape, formats: &[Format], out: &Path) -> io::Result<Written> {
    fs::create_dir_all(out)?;
    let mut sinks = formats
        .iter()
        .map(|&f| Sink::open(f, out))
        .collect::<io::Result<Vec<_>>>()?;
    let mut referenced = BufWriter::new(File::create(out.join("referenced.txt"))?);
    let mut plans = Vec::new();
    let mut written = Written::default();
    let mut newest = 0i64;
    let mut emitted_unrelated = 0usize;
    for index in 0..shape.roots {
        let content = root_content(shape, index);
        for object in &content.objects {
            newest = newest.max(object.mtime_ms);
            for sink in &mut sinks {
                sink.object(object)?;
            }
        }
        written.objects += content.objects.len() as u64;
        written.slatedb_objects += content.objects.len() as u64;
        for (key, bytes) in &content.manifests {
            let path = out.join("manifests").join(key);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::write(path, bytes)?;
            written.manifests += 1;
        }
        if !content.manifests.is_empty() {
            for key in &content.referenced {
                writeln!(referenced, "{key}")?;
            }
            written.referenced += content.referenced.len() as u64;
            if plans.len() < 9 {
                let root = &content.root;
                plans.push(format!("clone:{root}@{}", content.checkpoint_names[0]));
                plans.push(format!("gc:{root}"));
                plans.push(format!("wipe-wal:{root}"));
            }
        }
        // Unrelated objects between the roots, as a bucket holds them.
        let until = (index + 1) * shape.unrelated / shape.roots.max(1);
        while emitted_unrelated < until {
            let object = unrelated_object(shape, emitted_unrelated);
            newest = newest.max(object.mtime_ms);
            for sink in &mut sinks {
                sink.object(&object)?;
            }
            emitted_unrelated += 1;
            written.objects += 1;
        }
    }
    for sink in sinks {
        sink.finish(newest + 3_600_000)?;
    }
    referenced.flush()?;
    fs::write(out.join("plans.txt"), plans.join("\n") + "\n")?;
    Ok(written)
}
