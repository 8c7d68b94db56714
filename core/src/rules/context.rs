//! What rules look at: the snapshot, the time, and the options of the check.

use crate::listing::ObjectsById;
use crate::model::{Manifest, SstId, WalId};
use crate::snapshot::{RootState, RowsError, Snapshot, Unknown, WalPlacement};
use crate::sst::SstRows;
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

/// How missing WAL objects at the start of a clone's range are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum WalPolicy {
    /// Upstream SlateDB: every WAL id in the range must exist.
    #[default]
    Upstream,
    /// The seed fork's clone policy: missing WALs at the start of the range are skipped; a hole
    /// after a copied WAL is still fatal.
    SkipLeadingMissing,
}

/// Options of a check.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// GC's `min_age` (SlateDB's default is 300 s).
    pub min_age: Duration,
    /// How long an action may take: checkpoints expiring sooner are flagged.
    pub expiry_margin: Duration,
    /// Clone WAL policy.
    pub wal_policy: WalPolicy,
    /// The databases keep their WAL in the main store (`--no-wal-store`, or a bundle that
    /// `collect` made without a WAL store): a root whose WAL objects the main store listing
    /// does not show has none, instead of perhaps keeping them in an unlisted WAL store.
    pub no_wal_store: bool,
    /// The user states that GC runs in the background against the databases (an open writer's
    /// collector, or a standalone one): expired and soon-expiring checkpoints are then unsafe
    /// to clone from, not only a race to warn about.
    pub gc_running: bool,
    /// The user states that every writer of the databases has stopped with `Db::close()` and
    /// its default memtable flush (`--writers-closed`): every acknowledged write is then in
    /// L0, so a WAL object after the replay point that the store does not prove held other
    /// writes held only rows of L0 or a fence.
    pub writers_closed: bool,
    /// The database roots the user states the same of (`--writers-closed=ROOT,…`), as plans
    /// name them: an operator who shut one shard down cleanly can say so of that one alone.
    pub writers_closed_roots: Vec<String>,
    /// The user states that every writer of the databases stopped with
    /// `Db::close_with_options` flushing only its WAL, or nothing (`--writers-closed-wal-only`):
    /// none crashed, was killed or still runs, so each recorded its WAL position in a last
    /// manifest write and wrote nothing after it, but its last writes may be in the WAL alone.
    /// Weaker than `writers_closed`, which implies it.
    pub writers_closed_wal_only: bool,
    /// The database roots the user states the same of (`--writers-closed-wal-only=ROOT,…`).
    pub writers_closed_wal_only_roots: Vec<String>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        Self {
            min_age: Duration::seconds(300),
            expiry_margin: Duration::seconds(3600),
            wal_policy: WalPolicy::Upstream,
            no_wal_store: false,
            gc_running: false,
            writers_closed: false,
            writers_closed_roots: Vec::new(),
            writers_closed_wal_only: false,
            writers_closed_wal_only_roots: Vec::new(),
        }
    }
}

/// The inputs of every rule.
#[derive(Clone, Copy, Debug)]
pub struct RuleContext<'a> {
    /// The store.
    pub snapshot: &'a Snapshot,
    /// "Now", as given (never read from a clock).
    pub now: DateTime<Utc>,
    /// Options.
    pub options: &'a CheckOptions,
}

impl<'a> RuleContext<'a> {
    /// Whether `--writers-closed` settles the WAL after `latest`'s replay point: only where a
    /// writer of `root` itself wrote that WAL. A clone that never opened a writer holds copies
    /// of its source's WAL range as the checkpoint left it: writes its source's writer had not
    /// flushed then, which a later close of that writer put in the source's L0, not the
    /// clone's.
    pub fn writers_closed_over(&self, root: &RootState, latest: &Manifest) -> bool {
        let options = self.options;
        self.stated_of(root, options.writers_closed, &options.writers_closed_roots)
            && crate::snapshot::writer_opened_here(root, latest)
    }

    /// Whether the user states that the last writer of `root` closed, whatever it flushed
    /// (`--writers-closed` or `--writers-closed-wal-only`): it then recorded its WAL position
    /// in a last manifest write and wrote nothing after it. (A clone no writer has opened on
    /// wrote nothing of its own either way.)
    pub fn writers_recorded_wal_over(&self, root: &RootState, latest: &Manifest) -> bool {
        let options = self.options;
        self.writers_closed_over(root, latest)
            || self.stated_of(
                root,
                options.writers_closed_wal_only,
                &options.writers_closed_wal_only_roots,
            )
    }

    /// Whether a statement made of every database (`every`) or of the roots named covers `root`.
    fn stated_of(&self, root: &RootState, every: bool, named: &[String]) -> bool {
        every
            || named.iter().any(|named| {
                self.snapshot
                    .root(named)
                    .is_some_and(|r| r.path == root.path)
            })
    }

    /// Why main-store absence cannot be settled, if it cannot.
    pub fn main_unknown(&self) -> Option<Unknown> {
        self.snapshot.main_unknown()
    }

    /// Why WAL-store absence cannot be settled, if it cannot.
    pub fn wal_unknown(&self) -> Option<Unknown> {
        self.snapshot.wal_store_unknown()
    }

    /// Why absence of `root`'s objects in the main store cannot be settled, if it cannot: the
    /// listing is absent or incomplete, or older than the manifests given for the root.
    pub fn root_main_unknown(&self, root: &RootState) -> Option<Unknown> {
        self.main_unknown().or_else(|| root.stale.clone())
    }

    /// Why absence of `root`'s WAL objects cannot be settled, if it cannot.
    pub fn root_wal_unknown(&self, root: &RootState) -> Option<Unknown> {
        self.wal_unknown().or_else(|| root.stale.clone())
    }

    /// Whether `root` keeps its WAL in the main store, as the user states (`--no-wal-store`)
    /// or the store shows (a clone's copies of its WAL objects there).
    pub fn keeps_wal_in_main(&self, root: &RootState) -> bool {
        self.options.no_wal_store || root.wal_in_main_shown
    }

    /// The WAL objects a client configured for `root` sees, or why the inputs cannot tell.
    pub fn wal_objects(&self, root: &'a RootState) -> Result<&'a ObjectsById<WalId>, Unknown> {
        if self.keeps_wal_in_main(root) && root.wal_placement == WalPlacement::NotListed {
            return match self.root_main_unknown(root) {
                Some(why) => Err(why),
                None => Ok(&root.wal_in_main),
            };
        }
        root.wal_objects(
            self.root_main_unknown(root).as_ref(),
            self.root_wal_unknown(root).as_ref(),
        )
    }

    /// The rows read of WAL object `id`, from the store [`RuleContext::wal_objects`] answers
    /// with, when a live check or a bundle read them from the object that store lists.
    pub fn wal_rows(
        &self,
        root: &'a RootState,
        id: WalId,
    ) -> Option<&'a Result<SstRows, RowsError>> {
        let objects = self.wal_objects(root).ok()?;
        root.object_rows.wal(root.wal_side(), objects, id)
    }

    /// The rows read of compacted SST `id` of `root`, when they were read from the object the
    /// main store lists.
    pub fn sst_rows(
        &self,
        root: &'a RootState,
        id: SstId,
    ) -> Option<&'a Result<SstRows, RowsError>> {
        root.object_rows.compacted(&root.compacted, id)
    }

    /// The ids of [`RuleContext::wal_objects`].
    pub fn wal_ids(&self, root: &'a RootState) -> Result<BTreeSet<WalId>, Unknown> {
        self.wal_objects(root)
            .map(|objects| objects.keys().copied().collect())
    }

    /// Every root, in order.
    pub fn roots(&self) -> impl Iterator<Item = &'a RootState> {
        self.snapshot.roots.values()
    }

    /// Every root whose latest manifest was given, with that manifest.
    pub fn roots_with_latest(&self) -> impl Iterator<Item = (&'a RootState, &'a Manifest)> {
        self.roots()
            .filter_map(|root| root.latest_given().map(|latest| (root, latest)))
    }
}
