//! What a planned action can name: each root, and the checkpoints of its latest manifest.

use crate::model::ManifestId;
use crate::snapshot::Snapshot;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A checkpoint an action can start from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointChoice {
    /// Its id.
    pub id: String,
    /// Its name, if any.
    pub name: Option<String>,
    /// The manifest it pins.
    pub manifest_id: ManifestId,
    /// When it expires (`None`: never).
    pub expire_time: Option<DateTime<Utc>>,
}

/// A database root an action can name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RootChoice {
    /// The root path.
    pub root: String,
    /// Its latest manifest id, when known.
    pub latest_manifest: Option<ManifestId>,
    /// The checkpoints of the latest manifest, when it was given.
    pub checkpoints: Vec<CheckpointChoice>,
}

/// Every root of `snapshot`, in path order.
pub fn root_choices(snapshot: &Snapshot) -> Vec<RootChoice> {
    snapshot
        .roots
        .values()
        .map(|root| RootChoice {
            root: root.path.clone(),
            latest_manifest: root.latest_id,
            checkpoints: root
                .latest_given()
                .map(|manifest| {
                    manifest
                        .checkpoints
                        .iter()
                        .map(|c| CheckpointChoice {
                            id: c.id.to_string(),
                            name: c.name.clone(),
                            manifest_id: c.manifest_id,
                            expire_time: c.expire_time,
                        })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}
