//! `slatecheck manifest FILE...`: decode manifests and print SlateDB's JSON for them.

use crate::cli::ManifestArgs;
use crate::exit::{print, Failure, SAFE};
use slatecheck_core::manifest::{decode_manifest_file, to_slatedb_json};
use slatecheck_core::model::ManifestFile;

pub fn run(args: &ManifestArgs) -> Result<u8, Failure> {
    if args.id.is_some() && args.files.len() > 1 {
        return Err(Failure::input("--id applies to a single FILE"));
    }
    // Every file is decoded before anything is printed, so that a bad one is an error and not
    // half an array; the JSON is made one manifest at a time, as it is many times the size of
    // the decoded manifest (a 1.3 MB manifest of 7,000 SSTs prints 4 MB).
    let mut manifests: Vec<ManifestFile> = Vec::new();
    let mut from_json_array = false;
    for path in &args.files {
        let name = path.display().to_string();
        let bytes = std::fs::read(path)
            .map_err(|err| Failure::input(format!("{name}: cannot read: {err}")))?;
        let decoded = decode_manifest_file(&name, &bytes, args.id)?;
        from_json_array |= decoded.len() > 1;
        manifests.extend(decoded);
    }
    // One manifest prints as `read-manifest` does; several as `list-manifests` does.
    if let ([only], false) = (manifests.as_slice(), from_json_array) {
        return print(&(render(only, args.pretty, "")? + "\n")).map(|()| SAFE);
    }
    let indent = if args.pretty { "  " } else { "" };
    let (open, separator, close) = if args.pretty {
        ("[\n", ",\n", "\n]\n")
    } else {
        ("[", ",", "]\n")
    };
    if manifests.is_empty() {
        return print("[]\n").map(|()| SAFE);
    }
    print(open)?;
    for (index, file) in manifests.iter().enumerate() {
        if index > 0 {
            print(separator)?;
        }
        print(&render(file, args.pretty, indent)?)?;
    }
    print(close)?;
    Ok(SAFE)
}

/// One manifest's JSON, each line after the first indented by `indent` (an element of a
/// pretty array; JSON strings hold no raw line breaks, so only structure is indented).
fn render(file: &ManifestFile, pretty: bool, indent: &str) -> Result<String, Failure> {
    let value = to_slatedb_json(&file.manifest);
    let text = if pretty {
        serde_json::to_string_pretty(&value)
    } else {
        serde_json::to_string(&value)
    }
    .map_err(|err| Failure::input(format!("rendering JSON: {err}")))?;
    Ok(if indent.is_empty() {
        text
    } else {
        format!("{indent}{}", text.replace('\n', &format!("\n{indent}")))
    })
}
