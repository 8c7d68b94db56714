//! Listed SlateDB objects kept compactly: per database root, one table per object kind with
//! numeric ids (manifests and WAL objects by id, compacted SSTs by ULID), each row 40–48
//! bytes, instead of a map of owned key strings. A bucket of 9M SlateDB objects fits in a
//! few hundred MB; keys are rebuilt from root and id when asked for.
//!
//! A key SlateDB did not write itself (`wal/5.sst` for WAL 5, a lower-case ULID) keeps its
//! text in the row's extras, so every listed key stays apart and is reported as listed.

use super::builder::ListedTime;
use super::object_key::{object_key, SlateObject};
use crate::model::SstId;
use chrono::{DateTime, Utc};
use std::borrow::Cow;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

const LINE_MASK: u64 = (1 << 56) - 1;
const HAS_TIME: u64 = 1 << 56;
const ZONE_KNOWN: u64 = 1 << 57;
const SIZE_EXACT: u64 = 1 << 58;
const TOMBSTONE: u64 = 1 << 59;
const TIME_IN_EXTRA: u64 = 1 << 60;
/// `extra` indexes the table's MD5 ETags instead of its extras.
const ETAG_MD5: u64 = 1 << 61;
const NO_EXTRA: u32 = u32::MAX;

/// One listed object's facts, packed into 32 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    size: u64,
    /// Nanoseconds since the epoch (1677–2262); other instants live in the extras.
    time_nanos: i64,
    /// The 1-based line (0: none) in the low 56 bits, flags above.
    line_flags: u64,
    source: u32,
    extra: u32,
}

/// What few rows need: their ETag, version id, a key not in SlateDB's own spelling, or an
/// instant outside the packed range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Extra {
    pub etag: Option<Box<str>>,
    pub version_id: Option<Box<str>>,
    /// The key's last segment, when SlateDB would spell it differently.
    pub file_name: Option<Box<str>>,
    pub time: Option<DateTime<Utc>>,
}

/// The facts of one object being added.
pub(crate) struct NewEntry<'a> {
    pub size: u64,
    pub size_exact: bool,
    pub last_modified: Option<ListedTime>,
    pub etag: Option<&'a str>,
    pub version_id: Option<&'a str>,
    pub line: Option<u64>,
    pub source: u32,
}

/// The kinds of object that have tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Manifest objects.
    Manifest,
    /// WAL objects.
    Wal,
    /// Compacted SSTs.
    Compacted,
}

/// An id of a table row.
pub trait RowId: Copy + Ord + std::fmt::Debug {
    /// The object this id names in a table of `kind`.
    fn object(self, kind: Kind) -> SlateObject;
}

impl RowId for u64 {
    fn object(self, kind: Kind) -> SlateObject {
        match kind {
            Kind::Manifest => SlateObject::Manifest { id: self },
            _ => SlateObject::Wal { id: self },
        }
    }
}

impl RowId for SstId {
    fn object(self, _: Kind) -> SlateObject {
        SlateObject::Compacted { id: self }
    }
}

/// One kind of object of one root, sorted by id once the listing is finished.
#[derive(Clone, Debug)]
pub struct Table<K> {
    root: Arc<str>,
    kind: Kind,
    rows: Vec<(K, Entry)>,
    extras: Vec<Extra>,
    /// ETags that are an MD5 in lower-case hex (single-part uploads), as 16 bytes.
    md5s: Vec<[u8; 16]>,
    /// Several rows share an id (differently spelled keys of one object).
    shared_ids: bool,
}

/// A listed object as a root's view shows it: key, size and age.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    /// Object key.
    pub key: String,
    /// Size in bytes.
    pub size: u64,
    /// Last modification, when the listing shows it.
    pub last_modified: Option<DateTime<Utc>>,
}

/// The facts of one row, as the listing holds them.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct RowFacts<'a> {
    pub size: u64,
    pub size_exact: bool,
    pub last_modified: Option<ListedTime>,
    pub etag: Option<Cow<'a, str>>,
    pub version_id: Option<&'a str>,
    pub line: Option<u64>,
    pub source: u32,
}

/// An ETag of 32 lower-case hex digits as its 16 bytes.
/// [`DateTime::timestamp_nanos_opt`], without its checked multiply for times within 285
/// years of 1970 (in WASM a checked multiply is a call to a 128-bit multiply).
fn nanos_since_epoch(at: &DateTime<Utc>) -> Option<i64> {
    let seconds = at.timestamp();
    if seconds.unsigned_abs() < 9_000_000_000 {
        return Some(seconds * 1_000_000_000 + i64::from(at.timestamp_subsec_nanos()));
    }
    at.timestamp_nanos_opt()
}

/// Each byte's value as a lower-case hex digit, or 0xFF.
const HEX_DIGITS: [u8; 256] = {
    let mut digits = [0xFF; 256];
    let mut at = 0;
    while at < 10 {
        digits[b'0' as usize + at] = at as u8;
        at += 1;
    }
    while at < 16 {
        digits[b'a' as usize + at - 10] = at as u8;
        at += 1;
    }
    digits
};

/// The 16 bytes an MD5 ETag's 32 lower-case hex digits spell (other ETags are kept as text,
/// so that they print as listed). A table and no branch per digit: this runs for every listed
/// object of the JSON and inventory formats.
fn md5_bytes(etag: &str) -> Option<[u8; 16]> {
    let digits: &[u8; 32] = etag.as_bytes().try_into().ok()?;
    let mut out = [0u8; 16];
    let mut invalid = 0u8;
    for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
        let (high, low) = (
            HEX_DIGITS[usize::from(pair[0])],
            HEX_DIGITS[usize::from(pair[1])],
        );
        invalid |= high | low;
        *byte = high << 4 | low;
    }
    (invalid & 0xF0 == 0).then_some(out)
}

fn md5_hex(bytes: &[u8; 16]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(32);
    for byte in bytes {
        hex.push(char::from(DIGITS[usize::from(byte >> 4)]));
        hex.push(char::from(DIGITS[usize::from(byte & 0xf)]));
    }
    hex
}

impl<K: RowId> Table<K> {
    pub(crate) fn new(root: Arc<str>, kind: Kind) -> Self {
        Self {
            root,
            kind,
            rows: Vec::new(),
            extras: Vec::new(),
            md5s: Vec::new(),
            shared_ids: false,
        }
    }

    /// The root the table belongs to.
    pub fn root(&self) -> &str {
        &self.root
    }

    fn extra_mut(&mut self, entry: &mut Entry) -> &mut Extra {
        if entry.extra == NO_EXTRA {
            entry.extra = self.extras.len() as u32;
            self.extras.push(Extra::default());
        }
        &mut self.extras[entry.extra as usize]
    }

    /// Adds a row; `file_name` is the key's last segment when it is not SlateDB's spelling.
    pub(crate) fn push(&mut self, id: K, new: NewEntry<'_>, file_name: Option<&str>) {
        let mut entry = Entry {
            size: new.size,
            time_nanos: 0,
            line_flags: new.line.unwrap_or(0).min(LINE_MASK),
            source: new.source,
            extra: NO_EXTRA,
        };
        if new.size_exact {
            entry.line_flags |= SIZE_EXACT;
        }
        if let Some(time) = new.last_modified {
            entry.line_flags |= HAS_TIME;
            if time.zone_known {
                entry.line_flags |= ZONE_KNOWN;
            }
            match nanos_since_epoch(&time.at) {
                // Leap seconds (a nanosecond part past 1e9) do not survive the round trip.
                Some(nanos) if time.at.timestamp_subsec_nanos() < 1_000_000_000 => {
                    entry.time_nanos = nanos;
                }
                _ => {
                    entry.line_flags |= TIME_IN_EXTRA;
                    self.extra_mut(&mut entry).time = Some(time.at);
                }
            }
        }
        if let Some(etag) = new.etag {
            match md5_bytes(etag) {
                Some(md5)
                    if entry.extra == NO_EXTRA
                        && new.version_id.is_none()
                        && file_name.is_none() =>
                {
                    entry.line_flags |= ETAG_MD5;
                    entry.extra = self.md5s.len() as u32;
                    self.md5s.push(md5);
                }
                _ => self.extra_mut(&mut entry).etag = Some(etag.into()),
            }
        }
        if let Some(version) = new.version_id {
            self.extra_mut(&mut entry).version_id = Some(version.into());
        }
        if let Some(name) = file_name {
            self.extra_mut(&mut entry).file_name = Some(name.into());
        }
        self.rows.push((id, entry));
    }

    /// Appends the rows of a table of the same root and kind read from the part of the input
    /// after this one's: they stay after these (a later row of the same key still wins), their
    /// line numbers move down by `line_offset`, and their source indices become `sources[i]`.
    pub(crate) fn append(&mut self, later: Table<K>, line_offset: u64, sources: &[u32]) {
        let extras_base = self.extras.len() as u32;
        let md5s_base = self.md5s.len() as u32;
        let mut rows = later.rows;
        for (_, entry) in &mut rows {
            let line = entry.line_flags & LINE_MASK;
            if line > 0 {
                entry.line_flags =
                    (entry.line_flags & !LINE_MASK) | (line + line_offset).min(LINE_MASK);
            }
            if let Some(&source) = sources.get(entry.source as usize) {
                entry.source = source;
            }
            if entry.extra != NO_EXTRA {
                entry.extra += if entry.line_flags & ETAG_MD5 != 0 {
                    md5s_base
                } else {
                    extras_base
                };
            }
        }
        if self.rows.is_empty() {
            self.rows = rows;
        } else {
            self.rows.extend(rows);
        }
        self.extras.extend(later.extras);
        self.md5s.extend(later.md5s);
    }

    /// Records that the object's current version is a delete marker.
    pub(crate) fn push_tombstone(&mut self, id: K, file_name: Option<&str>) {
        let mut entry = Entry {
            size: 0,
            time_nanos: 0,
            line_flags: TOMBSTONE,
            source: 0,
            extra: NO_EXTRA,
        };
        if let Some(name) = file_name {
            self.extra_mut(&mut entry).file_name = Some(name.into());
        }
        self.rows.push((id, entry));
    }

    fn extra_of(&self, entry: &Entry) -> Option<&Extra> {
        (entry.extra != NO_EXTRA && entry.line_flags & ETAG_MD5 == 0)
            .then(|| &self.extras[entry.extra as usize])
    }

    fn file_name_of(&self, row: &(K, Entry)) -> Option<&str> {
        self.extra_of(&row.1).and_then(|e| e.file_name.as_deref())
    }

    /// Sorts by key, keeps the last of rows with the same key (a later listing line, or a
    /// delete marker, replaces an earlier one), and drops deleted rows.
    pub(crate) fn finish(&mut self) {
        let irregular = self.rows.iter().any(|row| self.file_name_of(row).is_some());
        if irregular {
            let mut rows = std::mem::take(&mut self.rows);
            let names: Vec<String> = rows.iter().map(|row| self.sort_name(row)).collect();
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by(|&a, &b| rows[a].0.cmp(&rows[b].0).then(names[a].cmp(&names[b])));
            let mut sorted: Vec<(K, Entry)> = Vec::with_capacity(rows.len());
            let mut sorted_names: Vec<&str> = Vec::with_capacity(rows.len());
            for index in order {
                let same = sorted.last().is_some_and(|last: &(K, Entry)| {
                    last.0 == rows[index].0 && sorted_names.last() == Some(&names[index].as_str())
                });
                if same {
                    sorted.pop();
                    sorted_names.pop();
                }
                sorted.push(rows[index]);
                sorted_names.push(&names[index]);
            }
            rows.clear();
            self.rows = sorted;
        } else {
            // Stable: of equal ids, the later row stays last, and replaces the kept one. In
            // place: a copy would leave the rows' old buffer unused in the arena of the
            // thread that read them (a third more memory when a listing is read in parts).
            self.rows.sort_by_key(|row| row.0);
            self.rows.dedup_by(|later, kept| {
                let same = later.0 == kept.0;
                if same {
                    *kept = *later;
                }
                same
            });
        }
        self.rows.retain(|row| row.1.line_flags & TOMBSTONE == 0);
        self.rows.shrink_to_fit();
        self.extras.shrink_to_fit();
        self.md5s.shrink_to_fit();
        self.shared_ids = self.rows.windows(2).any(|pair| pair[0].0 == pair[1].0);
    }

    /// The key's last segment as it sorts.
    fn sort_name(&self, row: &(K, Entry)) -> String {
        match self.file_name_of(row) {
            Some(name) => name.to_string(),
            None => self
                .canonical_key(row.0)
                .rsplit('/')
                .next()
                .unwrap_or("")
                .to_string(),
        }
    }

    fn canonical_key(&self, id: K) -> String {
        object_key(&self.root, &id.object(self.kind))
    }

    /// A row's key.
    pub(crate) fn key_of(&self, row: &(K, Entry)) -> String {
        match self.file_name_of(row) {
            Some(name) => {
                let folder = match self.kind {
                    Kind::Manifest => "manifest",
                    Kind::Wal => "wal",
                    Kind::Compacted => "compacted",
                };
                if self.root.is_empty() {
                    format!("{folder}/{name}")
                } else {
                    format!("{}/{folder}/{name}", self.root)
                }
            }
            None => self.canonical_key(row.0),
        }
    }

    /// The object a row's id names.
    pub(crate) fn object_of(&self, id: K) -> SlateObject {
        id.object(self.kind)
    }

    /// Every row (all spellings), in key order within the table.
    pub(crate) fn rows(&self) -> &[(K, Entry)] {
        &self.rows
    }

    /// A row's size, whether it is exact, and its source: what summaries need, without the
    /// rest of [`Table::facts`] (an ETag rebuilt as hex for every row was a sixth of reading
    /// an S3 Inventory).
    pub(crate) fn size_and_source(&self, row: &(K, Entry)) -> (u64, bool, u32) {
        let entry = &row.1;
        (entry.size, entry.line_flags & SIZE_EXACT != 0, entry.source)
    }

    /// A row's facts.
    pub(crate) fn facts(&self, row: &(K, Entry)) -> RowFacts<'_> {
        let entry = &row.1;
        let extra = self.extra_of(entry);
        let flags = entry.line_flags;
        let last_modified = (flags & HAS_TIME != 0).then(|| {
            let at = if flags & TIME_IN_EXTRA != 0 {
                extra.and_then(|e| e.time).unwrap_or_default()
            } else {
                DateTime::from_timestamp_nanos(entry.time_nanos)
            };
            ListedTime {
                at,
                zone_known: flags & ZONE_KNOWN != 0,
            }
        });
        let line = flags & LINE_MASK;
        RowFacts {
            size: entry.size,
            size_exact: flags & SIZE_EXACT != 0,
            last_modified,
            etag: if flags & ETAG_MD5 != 0 {
                Some(Cow::Owned(md5_hex(&self.md5s[entry.extra as usize])))
            } else {
                extra.and_then(|e| e.etag.as_deref()).map(Cow::Borrowed)
            },
            version_id: extra.and_then(|e| e.version_id.as_deref()),
            line: (line > 0).then_some(line),
            source: entry.source,
        }
    }

    fn listed(&self, row: &(K, Entry)) -> Listed {
        let facts = self.facts(row);
        Listed {
            key: self.key_of(row),
            size: facts.size,
            last_modified: facts.last_modified.map(|t| t.at),
        }
    }

    /// Whether row `index` is the one a lookup by id sees: of differently spelled keys of one
    /// id, the greatest key (a map keyed by key and then by id keeps that one).
    fn visible(&self, index: usize) -> bool {
        !self.shared_ids
            || self
                .rows
                .get(index + 1)
                .is_none_or(|next| next.0 != self.rows[index].0)
    }

    /// Rows a lookup by id sees, in id order.
    fn visible_rows(&self) -> impl DoubleEndedIterator<Item = &(K, Entry)> + '_ {
        self.rows
            .iter()
            .enumerate()
            .filter(|(index, _)| self.visible(*index))
            .map(|(_, row)| row)
    }

    /// The row of `id` a lookup sees.
    pub(crate) fn row(&self, id: &K) -> Option<&(K, Entry)> {
        let end = self.rows.partition_point(|row| row.0 <= *id);
        self.rows[..end].last().filter(|row| row.0 == *id)
    }

    /// The ids listed, in order (an id spelled several ways once).
    pub fn ids(&self) -> impl Iterator<Item = K> + '_ {
        self.visible_rows().map(|row| row.0)
    }

    /// Every listed key of `id` (one, unless keys spell it differently), with its size and
    /// whether that size is exact.
    pub fn spellings(&self, id: K) -> impl Iterator<Item = (String, u64, bool)> + '_ {
        let start = self.rows.partition_point(|row| row.0 < id);
        self.rows[start..]
            .iter()
            .take_while(move |row| row.0 == id)
            .map(|row| {
                let facts = self.facts(row);
                (self.key_of(row), facts.size, facts.size_exact)
            })
    }

    /// Rows listed, all spellings counted.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One kind of a root's objects, by id: what `RootState` answers existence questions from.
/// It shares the listing's table instead of copying it.
#[derive(Clone, Debug)]
pub struct ObjectsById<K> {
    table: Option<Arc<Table<K>>>,
    /// Ids that a lookup sees (all spellings of one id count once).
    len: usize,
}

impl<K> Default for ObjectsById<K> {
    fn default() -> Self {
        Self {
            table: None,
            len: 0,
        }
    }
}

impl<K: RowId> ObjectsById<K> {
    pub(crate) fn new(table: Arc<Table<K>>) -> Self {
        let len = if table.shared_ids {
            table.visible_rows().count()
        } else {
            table.rows.len()
        };
        Self {
            table: Some(table),
            len,
        }
    }

    /// The object of `id`, if listed.
    pub fn get(&self, id: &K) -> Option<Listed> {
        let table = self.table.as_deref()?;
        table.row(id).map(|row| table.listed(row))
    }

    /// Whether `id` is listed.
    pub fn contains_key(&self, id: &K) -> bool {
        self.table.as_deref().is_some_and(|t| t.row(id).is_some())
    }

    /// Objects listed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether none is listed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Ids, in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.table
            .iter()
            .flat_map(|table| table.visible_rows().map(|row| &row.0))
    }

    /// Ids and objects, in id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, Listed)> + '_ {
        self.table.iter().flat_map(|table| {
            table
                .visible_rows()
                .map(move |row| (&row.0, table.listed(row)))
        })
    }

    /// Ids and objects with ids in `range`, in id order.
    pub fn range<R: RangeBounds<K>>(
        &self,
        range: R,
    ) -> impl DoubleEndedIterator<Item = (&K, Listed)> + '_ {
        let span = self.table.as_deref().map(|table| {
            let rows = &table.rows;
            let start = match range.start_bound() {
                Bound::Included(id) => rows.partition_point(|row| row.0 < *id),
                Bound::Excluded(id) => rows.partition_point(|row| row.0 <= *id),
                Bound::Unbounded => 0,
            };
            let end = match range.end_bound() {
                Bound::Included(id) => rows.partition_point(|row| row.0 <= *id),
                Bound::Excluded(id) => rows.partition_point(|row| row.0 < *id),
                Bound::Unbounded => rows.len(),
            };
            (table, start..end.max(start))
        });
        span.into_iter().flat_map(|(table, indices)| {
            indices
                .filter(move |&index| table.visible(index))
                .map(move |index| (&table.rows[index].0, table.listed(&table.rows[index])))
        })
    }

    /// Objects, in id order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = Listed> + '_ {
        self.iter().map(|(_, listed)| listed)
    }

    /// The size of `id`, if listed (no key built).
    pub fn size_of(&self, id: &K) -> Option<u64> {
        let table = self.table.as_deref()?;
        table.row(id).map(|row| row.1.size)
    }

    /// The size of `id`, if listed with its exact size (not rounded for humans).
    pub fn exact_size_of(&self, id: &K) -> Option<u64> {
        let table = self.table.as_deref()?;
        let row = table.row(id)?;
        let (size, exact, _) = table.size_and_source(row);
        exact.then_some(size)
    }

    /// Ids and sizes, in id order (no key built).
    pub fn sizes(&self) -> impl DoubleEndedIterator<Item = (&K, u64)> + '_ {
        self.table
            .iter()
            .flat_map(|table| table.visible_rows().map(|row| (&row.0, row.1.size)))
    }
}

impl<'a, K: RowId> IntoIterator for &'a ObjectsById<K> {
    type Item = (&'a K, Listed);
    type IntoIter = Box<dyn DoubleEndedIterator<Item = (&'a K, Listed)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl<K: RowId> PartialEq for ObjectsById<K> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// An ETag is taken as MD5 bytes exactly when it is 32 lower-case hex digits, which
        /// print back as it was listed; anything else is kept as text.
        #[test]
        fn md5_bytes_are_the_lower_case_hex_digits(
            etag in prop_oneof![
                "[0-9a-f]{32}",
                "[0-9a-fA-F]{32}",
                "[0-9a-f]{31,33}",
                "[0-9a-f]{0,31}[^0-9a-f][0-9a-f]{0,31}",
                ".{0,40}",
            ],
        ) {
            let expected = (etag.len() == 32
                && etag.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
            .then(|| {
                let mut bytes = [0u8; 16];
                for (at, byte) in bytes.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(&etag[2 * at..2 * at + 2], 16).expect("hex");
                }
                bytes
            });
            prop_assert_eq!(md5_bytes(&etag), expected);
            if let Some(bytes) = expected {
                prop_assert_eq!(md5_hex(&bytes), etag);
            }
        }

        /// The shortcut is chrono's own answer, near 1970 and far from it (where chrono's
        /// checked arithmetic gives none).
        #[test]
        fn nanos_since_epoch_is_chronos(
            seconds in prop_oneof![-10_000_000_000i64..10_000_000_000, -8_200_000_000_000i64..8_200_000_000_000],
            nanos in 0u32..1_000_000_000,
        ) {
            let at = DateTime::from_timestamp(seconds, nanos).expect("in chrono's range");
            prop_assert_eq!(nanos_since_epoch(&at), at.timestamp_nanos_opt());
        }
    }
}
