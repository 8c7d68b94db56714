//! Decisions about dropped inputs that need no bytes: which store a listing or a folder
//! probably shows, which files of a store folder count, and what each listing source holds.

use super::Store;
use crate::listing::{classify_key, Listing, SlateObject};
use std::collections::{BTreeMap, BTreeSet};

/// The store a listing file named `name` probably shows: names like `wal.tsv`,
/// `wal-listing.json` or `…wal-store…` are the WAL store's; everything else the main store's.
pub fn store_for_listing_name(name: &str) -> Store {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with("wal") || lower.contains("wal-store") || lower.contains("wal_store") {
        Store::Wal
    } else {
        Store::Main
    }
}

/// What a store folder holds, by the paths below it (its object keys).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FolderPlan {
    /// Indices of the paths that are SlateDB objects (to be listed).
    pub objects: Vec<usize>,
    /// Indices of those that are manifest objects (to be read and decoded as well).
    pub manifests: Vec<usize>,
    /// The main store, unless every SlateDB object is a WAL object (a WAL store's folder).
    pub guessed_store: Store,
}

/// Sorts the paths of a folder: SlateDB objects, manifests among them, the store it shows.
pub fn plan_folder<'a>(paths: impl IntoIterator<Item = &'a str>) -> FolderPlan {
    let mut plan = FolderPlan::default();
    let mut only_wal = true;
    for (index, path) in paths.into_iter().enumerate() {
        let Some(classified) = classify_key(path) else {
            continue;
        };
        only_wal &= matches!(classified.object, SlateObject::Wal { .. });
        if matches!(classified.object, SlateObject::Manifest { .. }) {
            plan.manifests.push(index);
        }
        plan.objects.push(index);
    }
    if only_wal && !plan.objects.is_empty() {
        plan.guessed_store = Store::Wal;
    }
    plan
}

/// SlateDB objects and roots per listing source (file name, or `bundle:member`).
pub fn objects_by_source<'a>(
    listings: impl IntoIterator<Item = &'a Listing>,
) -> BTreeMap<String, (u64, BTreeSet<String>)> {
    let mut counts: BTreeMap<String, (u64, BTreeSet<String>)> = BTreeMap::new();
    for listing in listings {
        for source in &listing.sources {
            counts.entry(source.clone()).or_default();
        }
        // Objects come root by root, mostly from one source: counted in runs of the same
        // source and root, so that the maps are looked up once a run, not once an object.
        let mut run: Option<(&str, &str, u64)> = None;
        for object in listing.objects.summaries() {
            match &mut run {
                Some((source, root, count)) if *source == object.source && *root == object.root => {
                    *count += 1;
                }
                _ => {
                    add_run(&mut counts, run.take());
                    run = Some((object.source, object.root, 1));
                }
            }
        }
        add_run(&mut counts, run);
    }
    counts
}

fn add_run(counts: &mut BTreeMap<String, (u64, BTreeSet<String>)>, run: Option<(&str, &str, u64)>) {
    let Some((source, root, count)) = run else {
        return;
    };
    let entry = counts.entry(source.to_string()).or_default();
    entry.0 += count;
    if !entry.1.contains(root) {
        entry.1.insert(root.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::listing::{ListingBuilder, ListingOptions, RawEntry};

    #[test]
    fn listing_names_tell_the_wal_store() {
        assert_eq!(store_for_listing_name("wal.tsv"), Store::Wal);
        assert_eq!(store_for_listing_name("WAL-listing.json"), Store::Wal);
        assert_eq!(store_for_listing_name("prod-wal-store.txt"), Store::Wal);
        assert_eq!(store_for_listing_name("main.tsv"), Store::Main);
        assert_eq!(store_for_listing_name("s3-inventory.csv.gz"), Store::Main);
    }

    #[test]
    fn folders_of_wal_objects_only_are_wal_stores() {
        let wal = plan_folder(["db/wal/00000000000000000002.sst", "README.md"]);
        assert_eq!((wal.objects, wal.guessed_store), (vec![0], Store::Wal));
        let main = plan_folder([
            "db/wal/00000000000000000002.sst",
            "db/manifest/00000000000000000001.manifest",
            "notes.txt",
        ]);
        assert_eq!(main.objects, [0, 1]);
        assert_eq!(main.manifests, [1]);
        assert_eq!(main.guessed_store, Store::Main);
        assert_eq!(plan_folder(["x.txt"]).guessed_store, Store::Main);
    }

    #[test]
    fn objects_are_counted_per_source() {
        let mut builder = ListingBuilder::new(ListingOptions::default());
        builder.push_unlisted(
            "a/",
            [
                RawEntry::new("db/wal/00000000000000000001.sst", 1),
                RawEntry::new("other/wal/00000000000000000001.sst", 1),
            ],
        );
        builder.push_unlisted("b/", []);
        let counts = objects_by_source([&builder.finish()]);
        assert_eq!(counts["a/"].0, 2);
        assert_eq!(counts["a/"].1.iter().collect::<Vec<_>>(), ["db", "other"]);
        assert_eq!(counts["b/"].0, 0);
    }
}
