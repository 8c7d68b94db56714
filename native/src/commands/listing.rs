//! `slatecheck listing FILE...`: read listings as one store and summarize what they show.

use crate::cli::{ListingArgs, OutputFormat};
use crate::exit::{print, Failure, INCONCLUSIVE, SAFE};
use crate::listing_parts::{read_files_apart, read_in_parts, PartsRead};
use serde_json::json;
use slatecheck_core::listing::{
    detect_format, read_listing, Listing, ListingBuilder, ListingFormat, ListingOptions,
};
use std::fmt::Write as _;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

pub fn run(args: &ListingArgs) -> Result<u8, Failure> {
    let (mut listing, _) = read_files_hashed(
        &args.files,
        args.reading.listing_options(),
        args.reading.max_objects(),
        args.listing_format,
        false,
    )?;
    if args.reading.listing_complete {
        slatecheck_core::listing::assume_complete(&mut listing.warnings);
    }
    let text = match args.format {
        OutputFormat::Json => {
            serde_json::to_string_pretty(&summary_json(&listing))
                .map_err(|err| Failure::input(format!("rendering JSON: {err}")))?
                + "\n"
        }
        OutputFormat::Text => summary_text(&listing),
    };
    print(&text)?;
    let code = if listing.warnings.is_empty() {
        SAFE
    } else {
        INCONCLUSIVE
    };
    crate::exit::leave_to_exit(listing);
    Ok(code)
}

/// Reads listing files as one listing; also returns each file's SHA-256 (hex), in the order given.
pub fn read_files(
    files: &[PathBuf],
    options: ListingOptions,
    max_objects: Option<u64>,
    format: Option<ListingFormat>,
) -> Result<(Listing, Vec<(PathBuf, String)>), Failure> {
    let (listing, hashes) = read_files_hashed(files, options, max_objects, format, true)?;
    let hashes = hashes
        .into_iter()
        .map(|(path, hash)| (path, hash.unwrap_or_default()))
        .collect();
    Ok((listing, hashes))
}

/// Each listing file with its SHA-256 (hex), when taken.
type FileHashes = Vec<(PathBuf, Option<String>)>;

/// Reads listing files as one listing, with each file's SHA-256 when `hash` (a sixth of the
/// work on a large listing, wasted where no report names the inputs).
fn read_files_hashed(
    files: &[PathBuf],
    options: ListingOptions,
    max_objects: Option<u64>,
    format: Option<ListingFormat>,
    hash: bool,
) -> Result<(Listing, FileHashes), Failure> {
    let mut builder = ListingBuilder::new(options);
    builder.set_max_objects(max_objects);
    let mut hashes = Vec::new();
    let ordered = inventory_manifests_first(files)?;
    // Inventory data files are read apart only when read as detected (or as such).
    let apart_allowed = format.is_none_or(|format| format == ListingFormat::S3InventoryCsv);
    let mut next = 0;
    while let Some(path) = ordered.get(next) {
        // A run of inventory data files: each read whole, on every core.
        let apart: Vec<&Path> = ordered[next..]
            .iter()
            .take_while(|path| apart_allowed && builder.reads_apart(&path.display().to_string()))
            .map(PathBuf::as_path)
            .collect();
        if apart.len() > 1 {
            let read = read_files_apart(&mut builder, &apart, hash)?;
            hashes.extend(apart.iter().map(|path| path.to_path_buf()).zip(read));
            next += apart.len();
            continue;
        }
        next += 1;
        let name = path.display().to_string();
        if let PartsRead::Read { sha256 } = read_in_parts(&mut builder, path, &name, format, hash)?
        {
            hashes.push((path.clone(), sha256));
            continue;
        }
        let file = File::open(path)
            .map_err(|err| Failure::input(format!("{name}: cannot read: {err}")))?;
        if hash {
            let mut hashing = crate::hash_thread::HashedReader::new(file);
            read_listing(&mut builder, &name, &mut hashing, format)?;
            let sha256 = hashing
                .finish_hex()
                .map_err(|err| Failure::input(format!("{name}: cannot read: {err}")))?;
            hashes.push((path.clone(), Some(sha256)));
        } else {
            read_listing(&mut builder, &name, file, format)?;
            hashes.push((path.clone(), None));
        }
    }
    let order = |p: &PathBuf| files.iter().position(|f| f == p);
    hashes.sort_by_key(|(path, _)| order(path));
    Ok((builder.finish(), hashes))
}

/// An S3 Inventory's data files can only be read after its manifest.json, whatever order the
/// shell expanded them in.
fn inventory_manifests_first(files: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut manifests = Vec::new();
    let mut others = Vec::new();
    for path in files {
        // A pipe (`<(…)`, `/dev/stdin`) cannot be read twice: looking at its head would lose it.
        if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
            others.push(path.clone());
            continue;
        }
        let mut head = vec![0u8; 4096];
        let read = File::open(path)
            .and_then(|mut file| file.read(&mut head))
            .map_err(|err| Failure::input(format!("{}: cannot read: {err}", path.display())))?;
        head.truncate(read);
        if detect_format(&head, false) == Some(ListingFormat::S3InventoryManifest) {
            manifests.push(path.clone());
        } else {
            others.push(path.clone());
        }
    }
    manifests.extend(others);
    Ok(manifests)
}

fn format_names(listing: &Listing) -> String {
    let names: Vec<&str> = listing.formats.iter().map(|format| format.name()).collect();
    names.join(", ")
}

fn summary_json(listing: &Listing) -> serde_json::Value {
    let warnings: Vec<serde_json::Value> = listing
        .warnings
        .iter()
        .map(|warning| json!({ "code": warning.code(), "message": warning.message(), "detail": warning }))
        .collect();
    json!({
        "format": format_names(listing),
        "sources": listing.sources,
        "objects": listing.total_objects,
        "bytes": listing.total_bytes,
        "slatedb_objects": listing.objects.len(),
        "outside_prefix": listing.outside_prefix,
        "listing_time": listing.listing_time,
        "newest_object_time": listing.newest_object_time,
        "roots": listing.roots,
        "deleted_slatedb_objects": listing.deleted.len(),
        "warnings": warnings,
    })
}

fn summary_text(listing: &Listing) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "format: {}", format_names(listing));
    let _ = writeln!(
        out,
        "objects: {} ({} SlateDB objects)",
        listing.total_objects,
        listing.objects.len()
    );
    let _ = writeln!(out, "bytes: {}", listing.total_bytes);
    if listing.outside_prefix > 0 {
        let _ = writeln!(
            out,
            "outside the prefix: {} objects (ignored)",
            listing.outside_prefix
        );
    }
    let time = match (listing.listing_time, listing.newest_object_time) {
        (Some(at), _) => at.to_rfc3339(),
        (None, Some(newest)) => format!("unknown (newest object modified {})", newest.to_rfc3339()),
        (None, None) => "unknown".to_string(),
    };
    let _ = writeln!(out, "listing time: {time}");
    if listing.roots.is_empty() {
        let _ = writeln!(
            out,
            "roots: none found (no <root>/manifest/, wal/ or compacted/ objects)"
        );
    } else {
        let _ = writeln!(out, "roots:");
        for (root, summary) in &listing.roots {
            let name = if root.is_empty() {
                "(store root)"
            } else {
                root.as_str()
            };
            let latest = summary
                .latest_manifest
                .map(|id| format!(", latest {id}"))
                .unwrap_or_default();
            let _ =
                writeln!(
                out,
                "  {name}: {} manifests{latest}; {} WAL objects ({} fences); {} compacted SSTs{}",
                summary.manifests,
                summary.wal_objects,
                summary.wal_fences,
                summary.compacted_ssts,
                if summary.delete_in_progress { "; .deleting present" } else { "" },
            );
        }
    }
    if !listing.deleted.is_empty() {
        let _ = writeln!(
            out,
            "deleted (recoverable versions): {} SlateDB objects",
            listing.deleted.len()
        );
    }
    if listing.warnings.is_empty() {
        let _ = writeln!(out, "warnings: none");
    } else {
        let _ = writeln!(out, "warnings:");
        for warning in &listing.warnings {
            let _ = writeln!(out, "  - [{}] {}", warning.code(), warning.message());
        }
    }
    out
}
