//! `synthetic-store --objects 10M [--seed N] [--formats aws-s3-ls,s3api-json,s3-inventory,find-tsv]
//! [--manifest-roots K] --out DIR`: writes a seeded synthetic bucket's listings and manifests.

use slatecheck_bench::render::{write_store, Format};
use slatecheck_bench::store::Shape;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: synthetic-store --objects N[k|M] [--seed N] [--formats F,…] [--manifest-roots K] --out DIR";

fn count(text: &str) -> Option<u64> {
    let (digits, factor) = match text.as_bytes().last()? {
        b'k' | b'K' => (&text[..text.len() - 1], 1_000),
        b'M' | b'm' => (&text[..text.len() - 1], 1_000_000),
        _ => (text, 1),
    };
    digits.parse::<u64>().ok().map(|n| n * factor)
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut objects, mut seed, mut out, mut manifest_roots) = (None, 1u64, None, None);
    let mut formats = Format::ALL.to_vec();
    while let Some(flag) = args.next() {
        let value = args.next();
        let parsed = match (flag.as_str(), value.as_deref()) {
            ("--objects", Some(v)) => count(v).map(|n| objects = Some(n)),
            ("--seed", Some(v)) => v.parse().ok().map(|n| seed = n),
            ("--out", Some(v)) => {
                out = Some(PathBuf::from(v));
                Some(())
            }
            ("--manifest-roots", Some(v)) => {
                v.parse::<usize>().ok().map(|n| manifest_roots = Some(n))
            }
            ("--formats", Some(v)) => v
                .split(',')
                .map(Format::from_name)
                .collect::<Option<Vec<_>>>()
                .map(|f| formats = f),
            _ => None,
        };
        if parsed.is_none() {
            eprintln!("synthetic-store: bad argument `{flag}`\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let (Some(objects), Some(out)) = (objects, out) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let mut shape = Shape::for_objects(objects, seed);
    if let Some(k) = manifest_roots {
        shape.manifest_roots = k.min(shape.roots);
    }
    match write_store(&shape, &formats, &out) {
        Ok(written) => {
            println!(
                "{}: {} objects ({} SlateDB, {} roots), {} manifests, {} referenced keys",
                out.display(),
                written.objects,
                written.slatedb_objects,
                shape.roots,
                written.manifests,
                written.referenced
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("synthetic-store: {}: {err}", out.display());
            ExitCode::from(2)
        }
    }
}
