//! Manifest ids from object names.

use crate::model::ManifestId;

/// The manifest id of a path whose last segment is `<decimal id>.manifest`, as SlateDB names
/// them (`{id:020}.manifest`; shorter zero-padding is accepted too).
///
/// ```
/// use slatecheck_core::manifest::manifest_id_from_path;
/// assert_eq!(manifest_id_from_path("db/manifest/00000000000000000011.manifest"), Some(11));
/// assert_eq!(manifest_id_from_path("C:\\dump\\00000000000000000002.manifest"), Some(2));
/// assert_eq!(manifest_id_from_path("db/manifest/latest.manifest"), None);
/// ```
pub fn manifest_id_from_path(path: &str) -> Option<ManifestId> {
    let name = path.rsplit(['/', '\\']).next()?;
    let digits = name.strip_suffix(".manifest")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
