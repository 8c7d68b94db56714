//! What a report records about the store itself: each root's WAL id line (for the HTML
//! picture) and, for each finding, the listing or manifest file and line its evidence came from
//! (for SARIF locations).

use super::{InputRef, Report};
use crate::listing::ObjectsById;
use crate::listing::{object_key, Listing, SlateObject};
use crate::model::{Manifest, WalId};
use crate::snapshot::{RootState, Snapshot};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many WAL objects are recorded per root; the rest are counted.
pub const WAL_OBJECTS_PER_ROOT: usize = 2000;
/// At most this many locations are recorded per finding.
const LOCATIONS_PER_FINDING: usize = 10;

/// Whether a WAL object exists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WalStatus {
    /// Listed, with data.
    Present,
    /// Listed with 0 bytes: a writer's fence.
    Fence,
    /// Needed (inside the latest manifest's or a checkpoint's WAL range) and not in a complete
    /// listing.
    Missing,
    /// Needed, and the inputs cannot tell whether it exists.
    Unknown,
}

impl WalStatus {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            WalStatus::Present => "present",
            WalStatus::Fence => "fence",
            WalStatus::Missing => "missing",
            WalStatus::Unknown => "unknown",
        }
    }
}

/// One WAL object of a root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WalObjectFacts {
    /// WAL id.
    pub id: WalId,
    /// Size in bytes, when listed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// Present, fence, missing or unknown.
    pub status: WalStatus,
}

/// A checkpoint of a root's latest manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckpointFacts {
    /// Checkpoint id.
    pub id: String,
    /// Its name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it expires (`null`: never).
    pub expire_time: Option<DateTime<Utc>>,
    /// The manifest it pins.
    pub manifest_id: u64,
    /// The WAL ids a clone from it copies (`[first, last]`), when its manifest was given and
    /// the range is not empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wal_range: Option<[WalId; 2]>,
}

/// A database root's WAL facts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RootFacts {
    /// The root path.
    pub root: String,
    /// The latest manifest id (listed or given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_manifest_id: Option<u64>,
    /// The latest manifest's `replay_after_wal_id`, when it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_after_wal_id: Option<WalId>,
    /// The latest manifest's `next_wal_sst_id`, when it was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_wal_sst_id: Option<WalId>,
    /// The latest manifest's checkpoints.
    pub checkpoints: Vec<CheckpointFacts>,
    /// WAL objects: every listed one, and every needed one that is missing or unknown, by id.
    pub wal_objects: Vec<WalObjectFacts>,
    /// WAL objects left out beyond `WAL_OBJECTS_PER_ROOT`.
    #[serde(skip_serializing_if = "is_zero")]
    pub omitted_wal_objects: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl RootFacts {
    /// The WAL range replay reads from the latest manifest (`[first, last]`), if not empty.
    pub fn replay_range(&self) -> Option<[WalId; 2]> {
        wal_range(self.replay_after_wal_id?, self.next_wal_sst_id?)
    }
}

/// Where a finding's evidence came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceLocation {
    /// The file: a listing file, a bundle, or a manifest folder.
    pub file: String,
    /// The member inside a bundle file (`listings/main.tsv`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// The 1-based line in that file, when the object is listed in a text listing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// The object key the evidence names.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// `[replay_after + 1, next - 1]`, when not empty.
fn wal_range(replay_after: WalId, next: WalId) -> Option<[WalId; 2]> {
    let first = replay_after.checked_add(1)?;
    let last = next.checked_sub(1)?;
    (first <= last).then_some([first, last])
}

impl Report {
    /// Adds what the snapshot shows: each root's WAL facts, and the source locations of every
    /// finding's evidence.
    pub fn describe_store(&mut self, snapshot: &Snapshot) {
        self.roots = snapshot
            .roots
            .values()
            .map(|root| root_facts(snapshot, root))
            .collect();
        let inputs = self.inputs.clone();
        for finding in &mut self.findings {
            finding.locations = locations(snapshot, &inputs, &finding.root, &finding.evidence);
        }
    }
}

fn root_facts(snapshot: &Snapshot, root: &RootState) -> RootFacts {
    let latest = root.latest_given();
    let checkpoints: Vec<CheckpointFacts> = latest
        .map(|manifest| {
            manifest
                .checkpoints
                .iter()
                .map(|checkpoint| CheckpointFacts {
                    id: checkpoint.id.to_string(),
                    name: checkpoint.name.clone(),
                    expire_time: checkpoint.expire_time,
                    manifest_id: checkpoint.manifest_id,
                    wal_range: root
                        .manifest(checkpoint.manifest_id)
                        .ok()
                        .and_then(manifest_wal_range),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut needed: Vec<[WalId; 2]> = checkpoints.iter().filter_map(|c| c.wal_range).collect();
    needed.extend(latest.and_then(manifest_wal_range));
    let main_unknown = snapshot.main_unknown().or_else(|| root.stale.clone());
    let wal_unknown = snapshot.wal_store_unknown().or_else(|| root.stale.clone());
    let seen = root.wal_objects(main_unknown.as_ref(), wal_unknown.as_ref());
    let (listed, absent_status): (&ObjectsById<WalId>, WalStatus) = match seen {
        Ok(listed) => (listed, WalStatus::Missing),
        Err(_) if !root.wal_in_wal_store.is_empty() => (&root.wal_in_wal_store, WalStatus::Unknown),
        Err(_) => (&root.wal_in_main, WalStatus::Unknown),
    };
    // The listed objects come in id order and are most of them: a vector, with a set only
    // for the absent ids that the WAL ranges add.
    let mut objects: Vec<WalObjectFacts> = Vec::new();
    let mut absent: BTreeSet<WalId> = BTreeSet::new();
    let mut omitted: u64 = 0;
    for (id, size) in listed.sizes() {
        if objects.len() >= WAL_OBJECTS_PER_ROOT {
            omitted = omitted.saturating_add(1);
            continue;
        }
        let status = if size == 0 {
            WalStatus::Fence
        } else {
            WalStatus::Present
        };
        objects.push(WalObjectFacts {
            id: *id,
            size: Some(size),
            status,
        });
    }
    for [first, last] in needed {
        for id in first..=last {
            if absent.contains(&id) || listed.contains_key(&id) {
                continue;
            }
            if objects.len() + absent.len() >= WAL_OBJECTS_PER_ROOT {
                omitted = omitted.saturating_add((last - id).saturating_add(1));
                break;
            }
            absent.insert(id);
        }
    }
    objects.extend(absent.into_iter().map(|id| WalObjectFacts {
        id,
        size: None,
        status: absent_status,
    }));
    objects.sort_unstable_by_key(|object| object.id);
    RootFacts {
        root: root.path.clone(),
        latest_manifest_id: root.latest_id,
        replay_after_wal_id: latest.map(|m| m.replay_after_wal_id),
        next_wal_sst_id: latest.map(|m| m.next_wal_sst_id),
        checkpoints,
        wal_objects: objects,
        omitted_wal_objects: omitted,
    }
}

fn manifest_wal_range(manifest: &Manifest) -> Option<[WalId; 2]> {
    wal_range(manifest.replay_after_wal_id, manifest.next_wal_sst_id)
}

/// Object keys named by a finding's evidence: string values (and strings in arrays) that are
/// listed or look like keys of `root`, plus the manifest object of a `manifest_id`.
fn evidence_keys(root: &str, evidence: &BTreeMap<String, Value>) -> Vec<String> {
    let looks_like_key = |text: &str| {
        text.contains('/') && (root.is_empty() || text.starts_with(&format!("{root}/")))
    };
    let mut keys = Vec::new();
    for (name, value) in evidence {
        match value {
            Value::String(text) if looks_like_key(text) => keys.push(text.clone()),
            Value::Array(items) => keys.extend(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|text| looks_like_key(text))
                    .map(str::to_string),
            ),
            Value::Number(id) if name == "manifest_id" => {
                if let Some(id) = id.as_u64() {
                    keys.push(object_key(root, &SlateObject::Manifest { id }));
                }
            }
            _ => {}
        }
    }
    keys.dedup();
    keys
}

fn locations(
    snapshot: &Snapshot,
    inputs: &[InputRef],
    root: &str,
    evidence: &BTreeMap<String, Value>,
) -> Vec<SourceLocation> {
    let mut found = Vec::new();
    for key in evidence_keys(root, evidence) {
        if found.len() >= LOCATIONS_PER_FINDING {
            break;
        }
        let is_wal = key.contains("/wal/") || key.starts_with("wal/");
        let listings = [&snapshot.main_listing, &snapshot.wal_listing];
        let listed = listings
            .iter()
            .filter_map(|listing| listing.as_ref())
            .find_map(|listing| listing.objects.origin(&key));
        let location = match listed {
            Some(origin) => Some(split_source(inputs, origin.source, origin.line)),
            None => {
                let holder = if is_wal && snapshot.wal_listing.is_some() {
                    &snapshot.wal_listing
                } else {
                    &snapshot.main_listing
                };
                first_source(holder.as_ref()).map(|source| split_source(inputs, source, None))
            }
        };
        if let Some(mut location) = location {
            location.key = Some(key);
            found.push(location);
        }
    }
    if found.is_empty() {
        let fallback = first_source(snapshot.main_listing.as_ref())
            .map(|source| split_source(inputs, source, None))
            .or_else(|| {
                inputs.first().map(|input| SourceLocation {
                    file: input
                        .path
                        .clone()
                        .or_else(|| input.url.clone())
                        .unwrap_or_default(),
                    member: None,
                    line: None,
                    key: None,
                })
            });
        found.extend(fallback);
    }
    found
}

fn first_source(listing: Option<&Listing>) -> Option<&str> {
    listing?.sources.first().map(String::as_str)
}

/// A listing source as file and bundle member: bundles name their listings `bundle:member`.
fn split_source(inputs: &[InputRef], source: &str, line: Option<u64>) -> SourceLocation {
    let bundle = inputs
        .iter()
        .filter(|input| input.kind == "bundle")
        .filter_map(|input| input.path.as_deref())
        .find_map(|path| {
            source
                .strip_prefix(path)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|member| (path, member))
        });
    match bundle {
        Some((path, member)) => SourceLocation {
            file: path.to_string(),
            member: Some(member.to_string()),
            line,
            key: None,
        },
        None => SourceLocation {
            file: source.to_string(),
            member: None,
            line,
            key: None,
        },
    }
}
