//! `slatecheck manifest FILE...`: decode manifests and print SlateDB's JSON for them.

use crate::cli::ManifestArgs;
use crate::exit::{print, Failure, SAFE};
use serde_json::Value;
use slatecheck_core::manifest::{decode_manifest_file, to_slatedb_json};

pub fn run(args: &ManifestArgs) -> Result<u8, Failure> {
    if args.id.is_some() && args.files.len() > 1 {
        return Err(Failure::input("--id applies to a single FILE"));
    }
    let mut manifests = Vec::new();
    let mut from_json_array = false;
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|err| Failure::input(format!("{name}: cannot read: {err}")))?;
        let decoded = decode_manifest_file(&name, &bytes, args.id)?;
        from_json_array |= decoded.len() > 1;
        manifests.extend(decoded.iter().map(|file| to_slatedb_json(&file.manifest)));
    }
    // One manifest prints as `read-manifest` does; several as `list-manifests` does.
    let output = match (manifests.len(), from_json_array) {
        (1, false) => manifests.remove(0),
        _ => Value::Array(manifests),
    };
    let text = if args.pretty {
        serde_json::to_string_pretty(&output)
    } else {
        serde_json::to_string(&output)
    }
    .map_err(|err| Failure::input(format!("rendering JSON: {err}")))?;
    print(&(text + "\n"))?;
    Ok(SAFE)
}
