//! Redaction for reports that leave the team: database roots become `root-1`, `root-2`, …
//! (in sorted order), store URLs `scheme://bucket-1/prefix-1`, and input file paths `input-1`
//! plus their extension, in every string of the model, so every format agrees.

use super::{fingerprint, Report};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A name to replace and what with.
struct Name {
    text: String,
    placeholder: String,
    /// Whether the name may follow a `/` (bucket names in URLs; roots only start keys).
    after_slash: bool,
}

struct Redactor {
    /// Longest first, so `a/b` wins over `a`.
    names: Vec<Name>,
}

impl Redactor {
    /// `text` with every whole occurrence of a name replaced: a name must not continue a word
    /// (`[A-Za-z0-9_.-]` on either side), and a root must not follow a `/`.
    fn text(&self, text: &str) -> String {
        let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-');
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut previous: Option<char> = None;
        'scan: while !rest.is_empty() {
            for name in &self.names {
                if !rest.starts_with(&name.text) {
                    continue;
                }
                let before_ok = match previous {
                    None => true,
                    Some('/') => name.after_slash,
                    Some(c) => !word(c),
                };
                let after_ok = rest[name.text.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !word(c));
                if before_ok && after_ok {
                    out.push_str(&name.placeholder);
                    rest = &rest[name.text.len()..];
                    previous = name.text.chars().next_back();
                    continue 'scan;
                }
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                out.push(c);
                previous = Some(c);
            }
            rest = chars.as_str();
        }
        out
    }

    fn value(&self, value: &mut Value) {
        match value {
            Value::String(text) => *text = self.text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.value(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                for (key, mut item) in entries {
                    self.value(&mut item);
                    map.insert(self.text(&key), item);
                }
            }
            _ => {}
        }
    }

    fn evidence(&self, evidence: &mut BTreeMap<String, Value>) {
        evidence.values_mut().for_each(|value| self.value(value));
    }
}

/// `scheme://bucket/prefix` split into its bucket and prefix.
fn bucket_and_prefix(url: &str) -> Option<(&str, &str)> {
    let (_, rest) = url.split_once("://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    Some((bucket, prefix.trim_matches('/')))
}

impl Report {
    /// Replaces store names by placeholders everywhere in the report (see the module
    /// documentation). Fingerprints are recomputed from the redacted findings, so they do not
    /// carry the names either; compare baselines made the same way.
    pub fn redact(&mut self) {
        let mut roots: BTreeSet<String> = self.roots.iter().map(|r| r.root.clone()).collect();
        roots.extend(self.findings.iter().map(|f| f.root.clone()));
        roots.extend(self.suppressed.iter().map(|s| s.root.clone()));
        roots.extend(self.plans.iter().map(|p| {
            let target = p.plan.split_once(':').map_or("", |(_, rest)| rest);
            target
                .split('@')
                .next()
                .unwrap_or("")
                .trim_matches('/')
                .to_string()
        }));
        roots.remove("");
        let mut names: Vec<Name> = roots
            .iter()
            .enumerate()
            .map(|(index, root)| Name {
                text: root.clone(),
                placeholder: format!("root-{}", index + 1),
                after_slash: false,
            })
            .collect();
        let mut buckets: BTreeSet<&str> = BTreeSet::new();
        let mut prefixes: BTreeSet<&str> = BTreeSet::new();
        for url in self.inputs.iter().filter_map(|input| input.url.as_deref()) {
            if let Some((bucket, prefix)) = bucket_and_prefix(url) {
                buckets.insert(bucket);
                prefixes.insert(prefix);
            }
        }
        prefixes.remove("");
        buckets.remove("");
        names.extend(buckets.iter().enumerate().map(|(index, bucket)| Name {
            text: bucket.to_string(),
            placeholder: format!("bucket-{}", index + 1),
            after_slash: true,
        }));
        names.extend(prefixes.iter().enumerate().map(|(index, prefix)| Name {
            text: prefix.to_string(),
            placeholder: format!("prefix-{}", index + 1),
            after_slash: true,
        }));
        names.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(&b.text)));
        let redactor = Redactor { names };
        let mut paths: Vec<String> = Vec::new();
        for input in &mut self.inputs {
            input.url = input
                .url
                .as_deref()
                .map(|url| match bucket_and_prefix(url) {
                    Some(_) => redactor.text(url),
                    // A local directory given as the store.
                    None => redacted_path(&mut paths, url),
                });
            if let Some(path) = input.path.take() {
                input.path = Some(redacted_path(&mut paths, &path));
            }
        }
        for plan in &mut self.plans {
            plan.plan = redactor.text(&plan.plan);
            plan.predicted_error = plan.predicted_error.as_deref().map(|e| redactor.text(e));
            for object in &mut plan.objects {
                object.key = redactor.text(&object.key);
                object.role = redactor.text(&object.role);
            }
            for finding in &mut plan.findings {
                redact_finding(&redactor, finding);
            }
        }
        for reported in &mut self.findings {
            redact_finding(&redactor, &mut reported.finding);
            reported.fingerprint = fingerprint(&reported.finding);
            for place in &mut reported.locations {
                place.file = redacted_path(&mut paths, &place.file);
                place.key = place.key.as_deref().map(|key| redactor.text(key));
            }
        }
        for root in &mut self.roots {
            root.root = redactor.text(&root.root);
        }
        for entry in &mut self.suppressed {
            entry.root = redactor.text(&entry.root);
            entry.fingerprint = String::new();
        }
        self.redacted = true;
    }
}

fn redact_finding(redactor: &Redactor, finding: &mut crate::finding::Finding) {
    finding.root = redactor.text(&finding.root);
    finding.message = redactor.text(&finding.message);
    finding.remediation = redactor.text(&finding.remediation);
    redactor.evidence(&mut finding.evidence);
    if let crate::finding::Impact::Unsafe { predicted_error } = &mut finding.impact {
        *predicted_error = redactor.text(predicted_error);
    }
}

/// `input-N` plus the path's extension (`.tar.gz`, `.tsv`), numbered by first appearance.
fn redacted_path(seen: &mut Vec<String>, path: &str) -> String {
    let index = match seen.iter().position(|p| p == path) {
        Some(index) => index,
        None => {
            seen.push(path.to_string());
            seen.len() - 1
        }
    };
    let name = path.rsplit(['/', '\\']).next().unwrap_or("");
    let extension = name.find('.').map_or("", |dot| &name[dot..]);
    let extension = if extension
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '.')
    {
        extension
    } else {
        ""
    };
    format!("input-{}{extension}", index + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(names: &[(&str, &str, bool)]) -> Redactor {
        Redactor {
            names: names
                .iter()
                .map(|(text, placeholder, after_slash)| Name {
                    text: text.to_string(),
                    placeholder: placeholder.to_string(),
                    after_slash: *after_slash,
                })
                .collect(),
        }
    }

    #[test]
    fn only_whole_names_are_replaced() {
        let r = redactor(&[("shard", "root-1", false), ("wal", "root-2", false)]);
        assert_eq!(
            r.text("cloning `shard` copies shard/wal/1.sst; shards stay"),
            "cloning `root-1` copies root-1/wal/1.sst; shards stay"
        );
        assert_eq!(r.text("clone:shard@split"), "clone:root-1@split");
        let b = redactor(&[("prod-bucket", "bucket-1", true)]);
        assert_eq!(b.text("s3://prod-bucket/dbs"), "s3://bucket-1/dbs");
    }

    #[test]
    fn paths_keep_only_their_extension() {
        let mut seen = Vec::new();
        assert_eq!(
            redacted_path(&mut seen, "/home/x/prod.tar.gz"),
            "input-1.tar.gz"
        );
        assert_eq!(redacted_path(&mut seen, "b/main.tsv"), "input-2.tsv");
        assert_eq!(
            redacted_path(&mut seen, "/home/x/prod.tar.gz"),
            "input-1.tar.gz"
        );
    }
}
