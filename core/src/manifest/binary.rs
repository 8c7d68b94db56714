//! Binary manifest objects: a 2-byte big-endian format version, then a `ManifestV1` or
//! `ManifestV2` FlatBuffer (no checksum, no length prefix).

use super::error::{one_line, ManifestError, ManifestErrorKind};
use super::flatbuf::{
    bound_type, verifier_options, FbBytesBound, FbBytesRange, FbCheckpoint, FbCompactedSsTable,
    FbCompactedSsTableV2, FbExternalDb, FbManifestV1, FbManifestV2, FbSegment, FbSortedRunV2,
    FbSsTableInfo, FbSsTableView, FbUlid, FbUuid, Tables, APPARENT_SIZE_FACTOR,
};
use super::key_range;
use crate::limits::{LimitExceeded, Limits};
use crate::model::{
    Checkpoint, CompressionCodec, ExternalDb, FilterFormat, KeyBound, KeyRange, LsmTree, Manifest,
    ManifestFile, ManifestFormat, ManifestId, Segment, SortedRun, SstHandle, SstId, SstInfo,
    SstType, SstView,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use ulid::Ulid;

/// SST format version assumed when a manifest entry records none.
const DEFAULT_SST_FORMAT_VERSION: u16 = 1;

/// What SlateDB encodes for a sequence tracker with no samples (RFC-0012 layout: format byte 1,
/// sample count 0, then two empty Gorilla series of a 32-bit count each). Used when a manifest
/// has no tracker bytes, as SlateDB then starts from an empty tracker.
const EMPTY_SEQUENCE_TRACKER: [u8; 13] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

type Inconsistency = String;

/// Decodes a binary manifest object. `path` names it in errors; `id` is its manifest id (the
/// FlatBuffer's own `manifest_id` field is a placeholder SlateDB never reads).
pub fn decode_binary(
    path: &str,
    bytes: &[u8],
    id: ManifestId,
) -> Result<ManifestFile, ManifestError> {
    decode_binary_with_limits(path, bytes, id, &Limits::default())
}

/// [`decode_binary`] under `limits` (`manifest-bytes`, `manifest-tables`).
pub fn decode_binary_with_limits(
    path: &str,
    bytes: &[u8],
    id: ManifestId,
    limits: &Limits,
) -> Result<ManifestFile, ManifestError> {
    let fail = |kind| ManifestError::new(path, kind);
    if let Err(exceeded) = limits.check_manifest_bytes("the manifest", bytes.len() as u64) {
        return Err(fail(ManifestErrorKind::Limit {
            detail: exceeded.to_string(),
        }));
    }
    let options = verifier_options(limits.manifest_tables, bytes.len());
    let [hi, lo, body @ ..] = bytes else {
        return Err(fail(ManifestErrorKind::Empty { len: bytes.len() }));
    };
    let version = u16::from_be_bytes([*hi, *lo]);
    let malformed = |err: flatbuffers::InvalidFlatbuffer| {
        let over = |what: String| fail(ManifestErrorKind::Limit { detail: what });
        match err {
            flatbuffers::InvalidFlatbuffer::TooManyTables => {
                return over(
                    LimitExceeded {
                        name: "manifest-tables",
                        limit: limits.manifest_tables,
                        what: "the manifest's FlatBuffer tables (SSTs, views, checkpoints, key bounds)".into(),
                    }
                    .to_string(),
                )
            }
            flatbuffers::InvalidFlatbuffer::ApparentSizeTooLarge => {
                return over(format!(
                    "the manifest's FlatBuffer points at the same data over and over (more than {APPARENT_SIZE_FACTOR} times its own size of it): refused before decoding it would copy that much"
                ))
            }
            _ => {}
        }
        fail(ManifestErrorKind::MalformedFlatbuffer {
            version,
            detail: one_line(&err.to_string()),
        })
    };
    let inconsistent =
        |detail: Inconsistency| fail(ManifestErrorKind::Inconsistent { version, detail });
    match version {
        1 => {
            let root =
                flatbuffers::root_with_opts::<FbManifestV1>(&options, body).map_err(malformed)?;
            let manifest = manifest_v1(id, &root).map_err(inconsistent)?;
            Ok(ManifestFile {
                format: ManifestFormat::V1,
                manifest,
            })
        }
        2 => {
            let root =
                flatbuffers::root_with_opts::<FbManifestV2>(&options, body).map_err(malformed)?;
            let manifest = manifest_v2(id, &root).map_err(inconsistent)?;
            Ok(ManifestFile {
                format: ManifestFormat::V2,
                manifest,
            })
        }
        version => Err(fail(ManifestErrorKind::UnsupportedVersion { version })),
    }
}

fn manifest_v1(id: ManifestId, root: &FbManifestV1) -> Result<Manifest, Inconsistency> {
    // Format version 1 has no view ids: each view's id is its SST id, and the last compacted L0
    // is recorded by SST id, which SlateDB reports as both the view id and the SST id.
    let last_compacted = root.l0_last_compacted().map(|ulid| ulid.value());
    let l0 = required(root.l0(), "l0")?
        .iter()
        .map(|sst| sst_v1(&sst).map(Arc::new))
        .collect::<Result<_, _>>()?;
    let compacted = required(root.compacted(), "compacted")?
        .iter()
        .map(|run| {
            let views = required(run.ssts(), "sorted run ssts")?
                .iter()
                .map(|sst| sst_v1(&sst).map(Arc::new))
                .collect::<Result<_, _>>()?;
            Ok(SortedRun {
                id: run.id(),
                sst_views: views,
            })
        })
        .collect::<Result<_, Inconsistency>>()?;
    Ok(Manifest {
        id,
        external_dbs: external_dbs(root.external_dbs())?,
        initialized: root.initialized(),
        tree: LsmTree {
            last_compacted_l0_sst_view_id: last_compacted,
            last_compacted_l0_sst_id: last_compacted,
            l0,
            compacted,
        },
        segments: Vec::new(),
        segment_extractor_name: None,
        next_wal_sst_id: next_wal_sst_id(root.wal_id_last_seen())?,
        replay_after_wal_id: root.replay_after_wal_id(),
        last_l0_clock_tick: root.last_l0_clock_tick(),
        last_l0_seq: root.last_l0_seq(),
        recent_snapshot_min_seq: root.recent_snapshot_min_seq(),
        sequence_tracker: sequence_tracker(root.sequence_tracker()),
        checkpoints: checkpoints(root.checkpoints())?,
        wal_object_store_uri: root.wal_object_store_uri().map(str::to_string),
        writer_epoch: root.writer_epoch(),
        compactor_epoch: root.compactor_epoch(),
    })
}

fn manifest_v2(id: ManifestId, root: &FbManifestV2) -> Result<Manifest, Inconsistency> {
    let mut lookup = SstLookup::new(required(root.ssts(), "ssts")?)?;
    let segments_stored = root.segments();
    let trees = std::iter::once((root.l0(), root.compacted())).chain(
        segments_stored
            .iter()
            .flat_map(|segments| segments.iter().map(|s| (s.l0(), s.compacted()))),
    );
    for (l0, compacted) in trees {
        lookup.count_views(l0, compacted);
    }
    let tree = tree_v2(
        root.last_compacted_l0_sst_view_id(),
        root.l0(),
        root.compacted(),
        &mut lookup,
    )?;
    let mut segments = root
        .segments()
        .map(|segments| {
            segments
                .iter()
                .map(|segment| segment_v2(&segment, &mut lookup))
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();
    // SlateDB keeps segments sorted by prefix whatever the stored order.
    segments.sort_by(|a, b| a.prefix.cmp(&b.prefix));
    let manifest = Manifest {
        id,
        external_dbs: external_dbs(root.external_dbs())?,
        initialized: root.initialized(),
        tree,
        segments,
        segment_extractor_name: root.segment_extractor_name().map(str::to_string),
        next_wal_sst_id: next_wal_sst_id(root.wal_id_last_seen())?,
        replay_after_wal_id: root.replay_after_wal_id(),
        last_l0_clock_tick: root.last_l0_clock_tick(),
        last_l0_seq: root.last_l0_seq(),
        recent_snapshot_min_seq: root.recent_snapshot_min_seq(),
        sequence_tracker: sequence_tracker(root.sequence_tracker()),
        checkpoints: checkpoints(root.checkpoints())?,
        // Format version 2 has no slot for the WAL-store flag.
        wal_object_store_uri: None,
        writer_epoch: root.writer_epoch(),
        compactor_epoch: root.compactor_epoch(),
    };
    Ok(manifest)
}

/// A V2 manifest's SST table (`ManifestV2.ssts`) by id, for its views: each view takes a copy
/// of its SST's handle, and the view that uses it last takes the handle itself, so that a
/// table of thousands of SSTs, each with its first and last keys, is not held twice.
struct SstLookup {
    /// The handle, and how many views still reference it.
    by_id: HashMap<Ulid, (SstHandle, usize)>,
}

impl SstLookup {
    fn new(table: Tables<'_, FbCompactedSsTableV2<'_>>) -> Result<Self, Inconsistency> {
        let mut by_id = HashMap::with_capacity(table.len());
        for sst in table.iter() {
            let id = ulid(sst.id(), "ssts id")?;
            let handle = SstHandle {
                id: SstId(id),
                format_version: sst.format_version().unwrap_or(DEFAULT_SST_FORMAT_VERSION),
                info: sst_info(required(sst.info(), "ssts info")?)?,
            };
            // Later entries win on duplicate ids, as in SlateDB's lookup map.
            by_id.insert(id, (handle, 0));
        }
        Ok(Self { by_id })
    }

    /// Counts the references of the views of one tree (L0 and sorted runs).
    fn count_views(
        &mut self,
        l0: Option<Tables<'_, FbSsTableView<'_>>>,
        compacted: Option<Tables<'_, FbSortedRunV2<'_>>>,
    ) {
        let runs = compacted.iter().flat_map(|runs| runs.iter());
        let views = l0
            .iter()
            .flat_map(|l0| l0.iter())
            .chain(runs.flat_map(|run| run.ssts().into_iter().flat_map(|ssts| ssts.iter())));
        for view in views {
            if let Some(id) = view.sst_id() {
                if let Some((_, uses)) = self.by_id.get_mut(&id.value()) {
                    *uses += 1;
                }
            }
        }
    }

    /// The handle of SST `id` for one view of it.
    fn take(&mut self, id: &Ulid) -> Option<SstHandle> {
        let (handle, uses) = self.by_id.get_mut(id)?;
        if *uses > 1 {
            *uses -= 1;
            return Some(handle.clone());
        }
        self.by_id.remove(id).map(|(handle, _)| handle)
    }
}

fn segment_v2(segment: &FbSegment, lookup: &mut SstLookup) -> Result<Segment, Inconsistency> {
    Ok(Segment {
        prefix: required(segment.prefix(), "segment prefix")?.to_vec(),
        tree: tree_v2(
            segment.last_compacted_l0_sst_view_id(),
            segment.l0(),
            segment.compacted(),
            lookup,
        )?,
    })
}

fn tree_v2<'a>(
    last_compacted_view: Option<FbUlid<'a>>,
    l0: Option<Tables<'a, FbSsTableView<'a>>>,
    compacted: Option<Tables<'a, FbSortedRunV2<'a>>>,
    lookup: &mut SstLookup,
) -> Result<LsmTree, Inconsistency> {
    let l0 = required(l0, "l0")?
        .iter()
        .map(|view| view_v2(&view, lookup).map(Arc::new))
        .collect::<Result<_, _>>()?;
    let compacted = required(compacted, "compacted")?
        .iter()
        .map(|run| {
            let views = required(run.ssts(), "sorted run ssts")?
                .iter()
                .map(|view| view_v2(&view, lookup).map(Arc::new))
                .collect::<Result<_, _>>()?;
            Ok(SortedRun {
                id: run.id(),
                sst_views: views,
            })
        })
        .collect::<Result<_, Inconsistency>>()?;
    Ok(LsmTree {
        last_compacted_l0_sst_view_id: last_compacted_view.map(|ulid| ulid.value()),
        // Only format version 1 records the SST id of the last compacted L0.
        last_compacted_l0_sst_id: None,
        l0,
        compacted,
    })
}

fn view_v2(view: &FbSsTableView, lookup: &mut SstLookup) -> Result<SstView, Inconsistency> {
    let id = ulid(view.id(), "view id")?;
    let sst_id = ulid(view.sst_id(), "view sst_id")?;
    let sst = lookup.take(&sst_id).ok_or_else(|| {
        format!("SST view {id} references SST {sst_id}, which is not in the manifest's SST table")
    })?;
    make_view(id, sst, view.visible_range())
}

fn sst_v1(sst: &FbCompactedSsTable) -> Result<SstView, Inconsistency> {
    let id = ulid(sst.id(), "SST id")?;
    let handle = SstHandle {
        id: SstId(id),
        format_version: sst.format_version().unwrap_or(DEFAULT_SST_FORMAT_VERSION),
        info: sst_info(required(sst.info(), "SST info")?)?,
    };
    make_view(id, handle, sst.visible_range())
}

/// A view's effective range is its SST's physical range narrowed by the projection; SlateDB
/// refuses (panics on) an SST without a first entry, a projection starting with an excluded
/// bound, and an empty intersection.
fn make_view(
    id: Ulid,
    sst: SstHandle,
    visible: Option<FbBytesRange>,
) -> Result<SstView, Inconsistency> {
    let physical = key_range::physical_range(
        sst.info.first_entry.as_deref(),
        sst.info.last_entry.as_deref(),
    )
    .ok_or_else(|| format!("SST {} records no first entry", sst.id))?;
    let visible_range = visible.map(|range| bytes_range(&range)).transpose()?;
    let effective_range = match &visible_range {
        None => physical,
        Some(visible) => {
            if matches!(visible.start, KeyBound::Excluded(_)) {
                return Err(format!(
                    "view {id} has a visible range starting with an excluded bound"
                ));
            }
            key_range::intersect(&physical, visible)
                .ok_or_else(|| format!("view {id} has a visible range outside its SST's keys"))?
        }
    };
    Ok(SstView {
        id,
        sst,
        visible_range,
        effective_range,
    })
}

fn bytes_range(range: &FbBytesRange) -> Result<KeyRange, Inconsistency> {
    let result = KeyRange {
        start: bound(required(range.start_bound(), "range start_bound")?)?,
        end: bound(required(range.end_bound(), "range end_bound")?)?,
    };
    if !key_range::is_non_empty(&result) {
        return Err("empty visible range".to_string());
    }
    Ok(result)
}

fn bound(bound: FbBytesBound) -> Result<KeyBound, Inconsistency> {
    match (bound.bound_type(), bound.key()) {
        (bound_type::INCLUDED, Some(key)) => Ok(KeyBound::Included(key.to_vec())),
        (bound_type::EXCLUDED, Some(key)) => Ok(KeyBound::Excluded(key.to_vec())),
        (bound_type::UNBOUNDED, None) => Ok(KeyBound::Unbounded),
        (other, key) => Err(format!(
            "unsupported key bound: type {other} {} a key",
            if key.is_some() { "with" } else { "without" }
        )),
    }
}

fn sst_info(info: FbSsTableInfo) -> Result<SstInfo, Inconsistency> {
    Ok(SstInfo {
        first_entry: info.first_entry().map(<[u8]>::to_vec),
        last_entry: info.last_entry().map(<[u8]>::to_vec),
        index_offset: info.index_offset(),
        index_len: info.index_len(),
        filter_offset: info.filter_offset(),
        filter_len: info.filter_len(),
        // Like SlateDB, an unknown compression value reads as "none".
        compression_codec: match info.compression_format() {
            1 => Some(CompressionCodec::Snappy),
            2 => Some(CompressionCodec::Zlib),
            3 => Some(CompressionCodec::Lz4),
            4 => Some(CompressionCodec::Zstd),
            _ => None,
        },
        sst_type: match info.sst_type() {
            0 => SstType::Compacted,
            1 => SstType::Wal,
            other => return Err(format!("unknown SST type {other}")),
        },
        stats_offset: info.stats_offset(),
        stats_len: info.stats_len(),
        filter_format: match info.filter_format() {
            0 => FilterFormat::Legacy,
            1 => FilterFormat::Composite,
            other => return Err(format!("unknown filter format {other}")),
        },
    })
}

fn checkpoints<'a>(
    list: Option<Tables<'a, FbCheckpoint<'a>>>,
) -> Result<Vec<Checkpoint>, Inconsistency> {
    required(list, "checkpoints")?
        .iter()
        .map(|checkpoint| {
            let expire = checkpoint.expire_time_s();
            Ok(Checkpoint {
                id: uuid(checkpoint.id(), "checkpoint id")?,
                manifest_id: checkpoint.manifest_id(),
                // 0 means the checkpoint never expires.
                expire_time: (expire != 0).then(|| seconds(expire)),
                create_time: seconds(checkpoint.create_time_s()),
                name: checkpoint.name().map(str::to_string),
            })
        })
        .collect()
}

fn external_dbs<'a>(
    list: Option<Tables<'a, FbExternalDb<'a>>>,
) -> Result<Vec<ExternalDb>, Inconsistency> {
    let Some(list) = list else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|db| {
            Ok(ExternalDb {
                path: required(db.path(), "external_db path")?.to_string(),
                source_checkpoint_id: uuid(
                    db.source_checkpoint_id(),
                    "external_db source_checkpoint_id",
                )?,
                final_checkpoint_id: db.final_checkpoint_id().map(|id| id.value()),
                sst_ids: required(db.sst_ids(), "external_db sst_ids")?
                    .iter()
                    .map(|id| SstId(id.value()))
                    .collect(),
            })
        })
        .collect()
}

fn next_wal_sst_id(wal_id_last_seen: u64) -> Result<u64, Inconsistency> {
    wal_id_last_seen
        .checked_add(1)
        .ok_or_else(|| "wal_id_last_seen is u64::MAX".to_string())
}

fn sequence_tracker(bytes: Option<&[u8]>) -> Vec<u8> {
    bytes.map_or_else(|| EMPTY_SEQUENCE_TRACKER.to_vec(), <[u8]>::to_vec)
}

fn seconds(value: u32) -> DateTime<Utc> {
    // Every u32 second count is a valid instant (1970 to 2106).
    DateTime::from_timestamp(i64::from(value), 0).unwrap_or_default()
}

fn ulid(value: Option<FbUlid>, what: &str) -> Result<Ulid, Inconsistency> {
    Ok(required(value, what)?.value())
}

fn uuid(value: Option<FbUuid>, what: &str) -> Result<uuid::Uuid, Inconsistency> {
    Ok(required(value, what)?.value())
}

/// Required fields are checked by the verifier; this turns a violation into an error anyway
/// rather than trusting that invariant with a panic.
fn required<T>(value: Option<T>, what: &str) -> Result<T, Inconsistency> {
    value.ok_or_else(|| format!("required field `{what}` is missing"))
}
