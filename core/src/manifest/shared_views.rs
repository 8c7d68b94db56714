//! One copy of each SST view, however many manifests name it.
//!
//! A database root keeps every manifest written since GC last ran (SlateDB's default `min_age`
//! for manifests is five minutes, and a busy writer publishes an L0 every few seconds), and
//! each repeats nearly all the SST views of the one before. Decoded apart, a bucket's
//! manifests cost their SST count times their manifest count; shared, only their distinct SSTs.

use crate::limits::{LimitExceeded, Limits};
use crate::model::{Manifest, SstView};
use std::collections::HashMap;
use std::sync::Arc;
use ulid::Ulid;

/// Memory one distinct SST view takes once decoded, with its keys and the table's slack: an
/// upper estimate (measured: about 870 bytes for views with 15-byte keys).
const BYTES_PER_VIEW: u64 = 1024;

/// The SST views seen so far, by view id; a view equal to one seen is replaced by it.
#[derive(Debug, Default)]
pub struct SharedSstViews {
    by_id: HashMap<Ulid, Arc<SstView>>,
    /// Views named by the manifests shared, each time named.
    references: u64,
}

impl SharedSstViews {
    /// Replaces each view of `manifest` that equals one already seen by that one, and
    /// remembers the others. A view whose id was seen with other contents (a damaged or
    /// hand-made manifest) keeps its own copy, so decoding stays exact.
    pub fn share(&mut self, manifest: &mut Manifest) {
        for tree in manifest.trees_mut() {
            let runs = tree.compacted.iter_mut().flat_map(|run| &mut run.sst_views);
            for view in tree.l0.iter_mut().chain(runs) {
                self.share_view(view);
                self.references += 1;
            }
        }
    }

    /// [`share`](Self::share)s `manifest`, then checks what all the manifests shared hold
    /// against the `held-manifests-bytes` limit.
    pub fn share_within(
        &mut self,
        manifest: &mut Manifest,
        limits: &Limits,
    ) -> Result<(), LimitExceeded> {
        self.share(manifest);
        limits.check_held_manifests(self.held_bytes())
    }

    fn share_view(&mut self, view: &mut Arc<SstView>) {
        match self.by_id.get(&view.id) {
            Some(seen) if Arc::ptr_eq(seen, view) => {}
            Some(seen) if **seen == **view => *view = Arc::clone(seen),
            Some(_) => {}
            None => {
                self.by_id.insert(view.id, Arc::clone(view));
            }
        }
    }

    /// The memory the manifests shared hold in SST views, estimated: each distinct view once,
    /// and a pointer for each time a manifest names one. What the `held-manifests-bytes` limit
    /// bounds.
    pub fn held_bytes(&self) -> u64 {
        let distinct = self.by_id.len() as u64;
        distinct
            .saturating_mul(BYTES_PER_VIEW)
            .saturating_add(self.references.saturating_mul(8))
    }

    /// How many distinct views are shared.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no view has been seen.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::SharedSstViews;
    use crate::manifest::decode_manifest_file;
    use crate::model::Manifest;
    use std::sync::Arc;

    /// A SlateDB-written manifest with L0 SSTs.
    const MANIFEST: &[u8] = include_bytes!(
        "../../../fixtures/v2/k-rollback-intact/main/p/manifest/00000000000000000009.manifest"
    );

    fn fixture() -> Manifest {
        decode_manifest_file("p/manifest/00000000000000000009.manifest", MANIFEST, None)
            .expect("the fixture decodes")
            .remove(0)
            .manifest
    }

    #[test]
    fn equal_views_are_one_allocation_and_decode_the_same() {
        let first = fixture();
        let (mut a, mut b) = (first.clone(), fixture());
        let mut shared = SharedSstViews::default();
        shared.share(&mut a);
        shared.share(&mut b);
        assert!(!a.tree.l0.is_empty());
        assert_eq!(shared.len(), a.sst_views().count());
        let views = a.sst_views().count() as u64;
        assert_eq!(shared.held_bytes(), views * 1024 + 2 * views * 8);
        for (x, y) in a.sst_views().zip(b.sst_views()) {
            assert!(std::ptr::eq(x, y), "view {} is shared", x.id);
        }
        assert_eq!(a, first);
        assert_eq!(b, first);
    }

    #[test]
    fn a_view_id_seen_with_other_contents_keeps_its_own() {
        let mut a = fixture();
        let mut b = a.clone();
        let changed = b.tree.l0.first_mut().map(Arc::make_mut).expect("an L0");
        changed.sst.info.index_len += 1;
        let wanted = b.clone();
        let mut shared = SharedSstViews::default();
        shared.share(&mut a);
        shared.share(&mut b);
        assert_eq!(b, wanted);
        assert!(!Arc::ptr_eq(&a.tree.l0[0], &b.tree.l0[0]));
    }
}
