//! The synthetic store reads back as generated: every format lists the same objects, and the
//! manifests decode (with slatecheck's own decoder) to what the generator put in them.

use slatecheck_bench::render::{write_store, Format};
use slatecheck_bench::store::{root_content, Shape};
use slatecheck_core::listing::{read_listing, Listing, ListingBuilder, ListingOptions};
use slatecheck_core::manifest::decode_manifest_file;
use std::fs::File;
use std::path::PathBuf;

fn shape() -> Shape {
    Shape {
        roots: 11,
        ssts_per_root: 200,
        wal_per_root: 60,
        unrelated: 300,
        manifest_roots: 11,
        seed: 3,
    }
}

fn read(paths: &[PathBuf]) -> Listing {
    let mut builder = ListingBuilder::new(ListingOptions {
        utc_offset_seconds: Some(0),
        ..ListingOptions::default()
    });
    for path in paths {
        let file = File::open(path).unwrap();
        read_listing(&mut builder, &path.display().to_string(), file, None).unwrap();
    }
    builder.finish()
}

#[test]
fn every_format_lists_every_object() {
    let out = std::env::temp_dir().join(format!("slatecheck-bench-formats-{}", std::process::id()));
    let written = write_store(&shape(), &Format::ALL, &out).unwrap();
    assert_eq!(written.objects, shape().objects());
    let mut seen = Vec::new();
    for format in Format::ALL {
        let mut paths = vec![format.path(&out)];
        if format == Format::Inventory {
            for entry in std::fs::read_dir(out.join("inventory/data")).unwrap() {
                paths.push(entry.unwrap().path());
            }
        }
        let listing = read(&paths);
        assert!(
            listing.warnings.is_empty(),
            "{format:?}: {:?}",
            listing.warnings
        );
        assert_eq!(listing.total_objects, written.objects, "{format:?}");
        assert_eq!(
            listing.objects.len() as u64,
            written.slatedb_objects,
            "{format:?}"
        );
        assert_eq!(listing.roots.len(), shape().roots, "{format:?}");
        seen.push((listing.total_bytes, listing.newest_object_time));
    }
    std::fs::remove_dir_all(&out).ok();
    assert!(seen.windows(2).all(|w| w[0] == w[1]), "{seen:?}");
}

#[test]
fn manifests_decode_to_what_was_generated() {
    let shape = shape();
    for index in [0, 8, 9] {
        let content = root_content(&shape, index);
        let (key, bytes) = content.manifests.last().unwrap();
        let manifest = decode_manifest_file(key, bytes, None)
            .unwrap()
            .remove(0)
            .manifest;
        let views = manifest.tree.l0.len()
            + manifest
                .tree
                .compacted
                .iter()
                .map(|run| run.sst_views.len())
                .sum::<usize>();
        assert_eq!(views, content.referenced.len(), "root {index}");
        assert!(manifest.replay_after_wal_id < manifest.next_wal_sst_id);
        let names: Vec<_> = manifest
            .checkpoints
            .iter()
            .filter_map(|c| c.name.clone())
            .collect();
        assert_eq!(names, ["nightly", "hourly"]);
        // Root 8 is the parent of clone 9: it carries the clone's pin, the clone names it.
        assert_eq!(manifest.checkpoints.len(), if index == 8 { 3 } else { 2 });
        assert_eq!(manifest.external_dbs.len(), usize::from(index == 9));
        if index == 9 {
            let parent = root_content(&shape, 8);
            let (_, parent_bytes) = parent.manifests.last().unwrap();
            let parent = decode_manifest_file("p", parent_bytes, Some(1))
                .unwrap()
                .remove(0)
                .manifest;
            let db = &manifest.external_dbs[0];
            assert_eq!(db.path, "shards/shard-00008");
            assert_eq!(
                Some(db.source_checkpoint_id),
                parent.checkpoints.first().map(|c| c.id)
            );
            assert_eq!(
                db.final_checkpoint_id,
                parent.checkpoints.get(2).map(|c| c.id)
            );
        }
    }
}
