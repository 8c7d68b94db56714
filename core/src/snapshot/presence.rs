//! Whether an object exists, as far as the inputs can tell.

use serde::Serialize;
use std::fmt;

/// The answer to "does this object exist?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Presence {
    /// Listed, with its size.
    Present {
        /// Object key.
        key: String,
        /// Size in bytes.
        size: u64,
    },
    /// A complete listing of the store that would hold it does not show it.
    Missing {
        /// Object key.
        key: String,
    },
    /// The inputs cannot tell.
    Unknown(Unknown),
}

impl Presence {
    /// Whether the object is known to exist.
    pub fn is_present(&self) -> bool {
        matches!(self, Presence::Present { .. })
    }
}

/// Why a question cannot be answered from the inputs: what to provide to settle it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Unknown {
    /// No listing of that store was given.
    NoListing {
        /// `main` or `WAL`.
        store: String,
    },
    /// The listing may be missing objects.
    IncompleteListing {
        /// `main` or `WAL`.
        store: String,
        /// Why.
        why: String,
    },
    /// The database keeps no WAL objects in the main store, and no WAL store listing was given:
    /// it may use a separate WAL store.
    WalStoreNotListed {
        /// The database root.
        root: String,
    },
    /// The manifest object is listed (or needed) but its bytes were not provided.
    ManifestNotProvided {
        /// The database root.
        root: String,
        /// The manifest id.
        id: u64,
    },
    /// The listing shows no objects at all: more likely a listing of the wrong place, or the
    /// output of a command that failed, than an empty store.
    EmptyListing {
        /// `main`.
        store: String,
    },
    /// The manifest object was given, in a format this slatecheck does not read.
    UnsupportedManifest {
        /// The database root.
        root: String,
        /// The manifest id.
        id: u64,
        /// What is unsupported.
        what: String,
    },
    /// The manifest object was given damaged: SlateDB cannot decode it either.
    DamagedManifest {
        /// The database root.
        root: String,
        /// The manifest id.
        id: u64,
        /// What is wrong with it.
        what: String,
    },
    /// The listing is older than the manifests given: objects written since may be missing.
    StaleListing {
        /// The database root.
        root: String,
        /// The newest manifest id given.
        manifest: u64,
        /// The newest manifest id listed.
        listed: u64,
    },
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::NoListing { store } => write!(f, "no listing of the {store} store was given"),
            Unknown::IncompleteListing { store, why } => write!(f, "the {store} store listing may be incomplete ({why})"),
            Unknown::WalStoreNotListed { root } => write!(
                f,
                "`{root}` keeps no WAL objects in the main store and no WAL store listing was given; if it uses a separate WAL store, list it (--wal-listing)"
            ),
            Unknown::ManifestNotProvided { root, id } => {
                write!(f, "manifest {id} of `{root}` was not provided (give the manifest objects, --manifests)")
            }
            Unknown::EmptyListing { store } => write!(
                f,
                "the {store} store listing shows no objects inside the store, which looks like a listing of the wrong place or a command that failed, not a store"
            ),
            Unknown::UnsupportedManifest { root, id, what } => write!(
                f,
                "manifest {id} of `{root}` is in {what}"
            ),
            Unknown::DamagedManifest { root, id, what } => write!(
                f,
                "manifest {id} of `{root}` is damaged ({what})"
            ),
            Unknown::StaleListing { root, manifest, listed } => write!(
                f,
                "the listing shows `{root}` up to manifest {listed} but manifest {manifest} was given: the listing is older than the manifests"
            ),
        }
    }
}
