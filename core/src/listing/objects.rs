//! The SlateDB objects of a listing: per-root tables of manifests, WAL objects and compacted
//! SSTs (see [`super::table`]), and the few other objects (`.deleting`, GC boundaries,
//! compactor state, unexpected files) by key.
//!
//! [`ListedObjects`] also answers as the map of key to [`StoreObject`] it replaces (`keys`,
//! `iter`, `get`, indexing, `retain`): that view is built on first use, for small listings and
//! tests; the checks read the tables.

use super::builder::{RootSummary, StoreObject};
use super::object_key::{classify_key, split_at_last_slash, ObjectKey, SlateObject};
use super::table::{Kind, NewEntry, RowFacts, RowId, Table};
use crate::model::SstId;
use serde::{Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

/// One root's tables.
#[derive(Clone, Debug)]
pub struct RootTables {
    /// Manifest objects, by id.
    pub manifests: Arc<Table<u64>>,
    /// WAL objects, by id.
    pub wal: Arc<Table<u64>>,
    /// Compacted SSTs, by id.
    pub compacted: Arc<Table<SstId>>,
}

/// The SlateDB objects of a listing.
#[derive(Clone, Debug, Default)]
pub struct ListedObjects {
    roots: BTreeMap<String, RootTables>,
    others: BTreeMap<String, StoreObject>,
    source_names: Vec<String>,
    view: OnceLock<BTreeMap<String, StoreObject>>,
}

/// Where a listed object came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectOrigin<'a> {
    /// The listing file.
    pub source: &'a str,
    /// Its line there, for text formats.
    pub line: Option<u64>,
}

/// One listed object, without its key built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectSummary<'a> {
    /// Its root.
    pub root: &'a str,
    /// What it is.
    pub object: SlateObject,
    /// Size in bytes.
    pub size: u64,
    /// Whether the size is exact.
    pub size_exact: bool,
    /// The listing file it came from.
    pub source: &'a str,
}

impl ListedObjects {
    /// SlateDB objects listed.
    pub fn len(&self) -> usize {
        self.roots
            .values()
            .map(|t| t.manifests.len() + t.wal.len() + t.compacted.len())
            .sum::<usize>()
            + self.others.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each root's tables, by root.
    pub fn root_tables(&self) -> impl Iterator<Item = (&str, &RootTables)> {
        self.roots
            .iter()
            .map(|(root, tables)| (root.as_str(), tables))
    }

    /// The objects that have no table (`.deleting`, GC boundaries, compactor state,
    /// unexpected files), by key.
    pub fn others(&self) -> &BTreeMap<String, StoreObject> {
        &self.others
    }

    fn source_name(&self, index: u32) -> &str {
        self.source_names
            .get(index as usize)
            .map_or("", String::as_str)
    }

    /// Each root's counts, from its tables row by row (the objects of a large listing, without
    /// an object or a key built for each).
    pub(crate) fn root_summaries(&self) -> BTreeMap<String, RootSummary> {
        fn add_rows<K: RowId>(summary: &mut RootSummary, table: &Table<K>) {
            for row in table.rows() {
                let (size, size_exact, _) = table.size_and_source(row);
                summary.add(&table.object_of(row.0), size, size_exact);
            }
        }
        let mut roots: BTreeMap<String, RootSummary> = BTreeMap::new();
        for (root, tables) in &self.roots {
            let summary = roots.entry(root.clone()).or_default();
            add_rows(summary, &tables.manifests);
            add_rows(summary, &tables.wal);
            add_rows(summary, &tables.compacted);
        }
        for object in self.others.values() {
            let summary = roots.entry(object.root.clone()).or_default();
            summary.add(&object.object, object.size, object.size_exact);
        }
        roots
    }

    /// Every object, in no particular order, without building keys.
    pub fn summaries(&self) -> impl Iterator<Item = ObjectSummary<'_>> {
        fn rows<'a, K: RowId>(
            listed: &'a ListedObjects,
            root: &'a str,
            table: &'a Table<K>,
        ) -> impl Iterator<Item = ObjectSummary<'a>> + 'a {
            table.rows().iter().map(move |row| {
                let (size, size_exact, source) = table.size_and_source(row);
                ObjectSummary {
                    root,
                    object: table.object_of(row.0),
                    size,
                    size_exact,
                    source: listed.source_name(source),
                }
            })
        }
        let tables = self.roots.iter().flat_map(move |(root, tables)| {
            rows(self, root, &tables.manifests)
                .chain(rows(self, root, &tables.wal))
                .chain(rows(self, root, &tables.compacted))
        });
        let others = self.others.values().map(|object| ObjectSummary {
            root: &object.root,
            object: object.object.clone(),
            size: object.size,
            size_exact: object.size_exact,
            source: &object.source,
        });
        tables.chain(others)
    }

    /// Where the object of `key` was listed, if it was.
    pub fn origin(&self, key: &str) -> Option<ObjectOrigin<'_>> {
        if let Some(object) = self.others.get(key) {
            return Some(ObjectOrigin {
                source: &object.source,
                line: object.line,
            });
        }
        let classified = classify_key(key)?;
        let tables = self.roots.get(classified.root)?;
        let facts = match classified.object {
            SlateObject::Manifest { id } => find(&tables.manifests, id, key),
            SlateObject::Wal { id } => find(&tables.wal, id, key),
            SlateObject::Compacted { id } => find(&tables.compacted, id, key),
            _ => None,
        }?;
        Some(ObjectOrigin {
            source: self.source_name(facts.source),
            line: facts.line,
        })
    }

    /// Every object with its key, in key order. Builds every key: for bundles and small
    /// listings.
    pub fn sorted(&self) -> Vec<(String, StoreObject)> {
        let mut all: Vec<(String, StoreObject)> = Vec::with_capacity(self.len());
        for (root, tables) in &self.roots {
            self.materialize(root, &tables.manifests, &mut all);
            self.materialize(root, &tables.wal, &mut all);
            self.materialize(root, &tables.compacted, &mut all);
        }
        all.extend(self.others.iter().map(|(k, o)| (k.clone(), o.clone())));
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }

    fn materialize<K: RowId>(
        &self,
        root: &str,
        table: &Table<K>,
        out: &mut Vec<(String, StoreObject)>,
    ) {
        for row in table.rows() {
            let facts = table.facts(row);
            out.push((
                table.key_of(row),
                StoreObject {
                    root: root.to_string(),
                    object: table.object_of(row.0),
                    size: facts.size,
                    size_exact: facts.size_exact,
                    last_modified: facts.last_modified,
                    etag: facts.etag.map(|etag| etag.into_owned()),
                    version_id: facts.version_id.map(str::to_string),
                    source: self.source_name(facts.source).to_string(),
                    line: facts.line,
                },
            ));
        }
    }

    /// The objects as a map of key to object (built on first use).
    pub fn as_map(&self) -> &BTreeMap<String, StoreObject> {
        self.view
            .get_or_init(|| self.sorted().into_iter().collect())
    }

    /// The object of `key`.
    pub fn get(&self, key: &str) -> Option<&StoreObject> {
        self.as_map().get(key)
    }

    /// Whether `key` is listed.
    pub fn contains_key(&self, key: &str) -> bool {
        self.origin(key).is_some()
    }

    /// Keys, in order.
    pub fn keys(&self) -> std::collections::btree_map::Keys<'_, String, StoreObject> {
        self.as_map().keys()
    }

    /// Objects, in key order.
    pub fn values(&self) -> std::collections::btree_map::Values<'_, String, StoreObject> {
        self.as_map().values()
    }

    /// Keys and objects, in key order.
    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, String, StoreObject> {
        self.as_map().iter()
    }

    /// Keeps only the objects `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&String, &mut StoreObject) -> bool) {
        let mut map = std::mem::take(self).into_map();
        map.retain(keep);
        *self = Self::from_objects(map);
    }

    fn into_map(mut self) -> BTreeMap<String, StoreObject> {
        match self.view.take() {
            Some(map) => map,
            None => self.sorted().into_iter().collect(),
        }
    }

    /// Objects given by key, as a listing would hold them.
    pub fn from_objects(objects: impl IntoIterator<Item = (String, StoreObject)>) -> Self {
        let mut tables = TablesBuilder::default();
        for (key, object) in objects {
            let Some(classified) = classify_key(&key) else {
                continue;
            };
            let source = tables.source_index(&object.source);
            tables.insert(
                &key,
                classified,
                NewEntry {
                    size: object.size,
                    size_exact: object.size_exact,
                    last_modified: object.last_modified,
                    etag: object.etag.as_deref(),
                    version_id: object.version_id.as_deref(),
                    line: object.line,
                    source,
                },
                &object.source,
            );
        }
        tables.finish()
    }
}

fn find<'a, K: RowId>(table: &'a Table<K>, id: K, key: &str) -> Option<RowFacts<'a>> {
    // Rows of one id differ only in spelling: the one whose key is `key`.
    let start = table.rows().partition_point(|row| row.0 < id);
    table.rows()[start..]
        .iter()
        .take_while(|row| row.0 == id)
        .find(|row| table.key_of(row) == key)
        .map(|row| table.facts(row))
}

impl std::ops::Index<&str> for ListedObjects {
    type Output = StoreObject;
    fn index(&self, key: &str) -> &StoreObject {
        match self.get(key) {
            Some(object) => object,
            None => panic!("no listed object {key}"),
        }
    }
}

impl IntoIterator for ListedObjects {
    type Item = (String, StoreObject);
    type IntoIter = std::collections::btree_map::IntoIter<String, StoreObject>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_map().into_iter()
    }
}

impl<'a> IntoIterator for &'a ListedObjects {
    type Item = (&'a String, &'a StoreObject);
    type IntoIter = std::collections::btree_map::Iter<'a, String, StoreObject>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for ListedObjects {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.sorted() == other.sorted()
    }
}

impl Serialize for ListedObjects {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.sorted())
    }
}

/// The tables of one root while a listing is read.
#[derive(Debug)]
struct RootBuild {
    manifests: Table<u64>,
    wal: Table<u64>,
    compacted: Table<SstId>,
}

/// Tables under construction.
#[derive(Debug, Default)]
pub(crate) struct TablesBuilder {
    roots: Vec<(String, RootBuild)>,
    index: HashMap<String, usize>,
    /// The root of the previous object: listings come sorted, so usually the same.
    last: Option<usize>,
    others: BTreeMap<String, StoreObject>,
    source_names: Vec<String>,
    /// Rows and objects added so far (replaced and deleted ones included).
    added: u64,
}

/// The file name of `key` when it is not spelled as SlateDB spells it: kept, to be shown.
fn unusual_name<'k>(key: &'k str, classified: &ObjectKey<'_>) -> Option<&'k str> {
    (!classified.spelled_as_slatedb).then(|| split_at_last_slash(key).map_or(key, |(_, file)| file))
}

impl TablesBuilder {
    /// The index of a source name (added when new).
    pub(crate) fn source_index(&mut self, name: &str) -> u32 {
        match self.source_names.iter().rposition(|s| s == name) {
            Some(index) => index as u32,
            None => {
                self.source_names.push(name.to_string());
                (self.source_names.len() - 1) as u32
            }
        }
    }

    fn root(&mut self, root: &str) -> &mut RootBuild {
        let index = match self.last.filter(|&i| self.roots[i].0 == root) {
            Some(index) => index,
            None => match self.index.get(root) {
                Some(&index) => index,
                None => {
                    let shared: Arc<str> = Arc::from(root);
                    self.roots.push((
                        root.to_string(),
                        RootBuild {
                            manifests: Table::new(shared.clone(), Kind::Manifest),
                            wal: Table::new(shared.clone(), Kind::Wal),
                            compacted: Table::new(shared, Kind::Compacted),
                        },
                    ));
                    self.index.insert(root.to_string(), self.roots.len() - 1);
                    self.roots.len() - 1
                }
            },
        };
        self.last = Some(index);
        &mut self.roots[index].1
    }

    /// Adds the object of store-relative `key`, classified.
    pub(crate) fn insert(
        &mut self,
        key: &str,
        classified: ObjectKey<'_>,
        new: NewEntry<'_>,
        source: &str,
    ) {
        self.added += 1;
        let name = unusual_name(key, &classified);
        match classified.object {
            SlateObject::Manifest { id } => {
                self.root(classified.root).manifests.push(id, new, name);
            }
            SlateObject::Wal { id } => self.root(classified.root).wal.push(id, new, name),
            SlateObject::Compacted { id } => {
                self.root(classified.root).compacted.push(id, new, name);
            }
            object => {
                let stored = StoreObject {
                    root: classified.root.to_string(),
                    object,
                    size: new.size,
                    size_exact: new.size_exact,
                    last_modified: new.last_modified,
                    etag: new.etag.map(str::to_string),
                    version_id: new.version_id.map(str::to_string),
                    source: source.to_string(),
                    line: new.line,
                };
                self.others.insert(key.to_string(), stored);
            }
        }
    }

    /// Adds the tables of a builder that read the part of the input after this one's (see
    /// [`Table::append`]). Only for formats without delete markers: a later part's marker
    /// could not remove an object kept outside the tables.
    pub(crate) fn absorb(&mut self, later: TablesBuilder, line_offset: u64) {
        let sources: Vec<u32> = later
            .source_names
            .iter()
            .map(|name| self.source_index(name))
            .collect();
        for (root, build) in later.roots {
            let mine = self.root(&root);
            mine.manifests
                .append(build.manifests, line_offset, &sources);
            mine.wal.append(build.wal, line_offset, &sources);
            mine.compacted
                .append(build.compacted, line_offset, &sources);
        }
        for (key, mut object) in later.others {
            object.line = object.line.map(|line| line + line_offset);
            self.others.insert(key, object);
        }
        self.added += later.added;
    }

    /// Records that `key`'s current version is a delete marker: its object is gone.
    pub(crate) fn remove(&mut self, key: &str, classified: &ObjectKey<'_>) {
        self.added += 1;
        let (root, name) = (classified.root, unusual_name(key, classified));
        match classified.object {
            SlateObject::Manifest { id } => self.root(root).manifests.push_tombstone(id, name),
            SlateObject::Wal { id } => self.root(root).wal.push_tombstone(id, name),
            SlateObject::Compacted { id } => self.root(root).compacted.push_tombstone(id, name),
            _ => {
                self.others.remove(key);
            }
        }
    }

    /// SlateDB objects added so far (replaced and deleted ones still counted until the end).
    pub(crate) fn rows(&self) -> u64 {
        self.added
    }

    pub(crate) fn finish(self) -> ListedObjects {
        let mut roots = BTreeMap::new();
        for (root, mut build) in self.roots {
            build.manifests.finish();
            build.wal.finish();
            build.compacted.finish();
            if build.manifests.len() + build.wal.len() + build.compacted.len() == 0 {
                continue;
            }
            roots.insert(
                root,
                RootTables {
                    manifests: Arc::new(build.manifests),
                    wal: Arc::new(build.wal),
                    compacted: Arc::new(build.compacted),
                },
            );
        }
        ListedObjects {
            roots,
            others: self.others,
            source_names: self.source_names,
            view: OnceLock::new(),
        }
    }
}
