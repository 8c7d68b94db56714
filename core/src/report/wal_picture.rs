//! A picture of one root's WAL id line, as an HTML fragment laid out with CSS grid (no script,
//! no image): which WAL objects exist, are fences (0 B) or are missing, where
//! `replay_after_wal_id` and `next_wal_sst_id` point, and each checkpoint's WAL range.
//! The HTML report embeds it; so can the web page, with [`WAL_PICTURE_CSS`].

use super::escape::markup;
use super::{RootFacts, WalObjectFacts, WalStatus};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The picture's style sheet (class names all start with `walpic`).
pub const WAL_PICTURE_CSS: &str = "\
.walpic{margin:1em 0;overflow-x:auto}\
.walpic figcaption{font-weight:600;margin-bottom:.4em}\
.walpic-grid{display:grid;gap:2px;align-items:center;font:12px/1.4 ui-monospace,monospace}\
.walpic-label{color:#444;padding-right:.6em;white-space:nowrap}\
.walpic-id{text-align:center;color:#333}\
.walpic-cell{text-align:center;border:1px solid #888;border-radius:2px;min-height:1.4em}\
.walpic-present{background:#2e7d32;color:#fff}\
.walpic-fence{background:#fff;color:#555;border-style:dashed}\
.walpic-missing{background:#c62828;color:#fff;font-weight:700}\
.walpic-unknown{background:#f9a825;color:#000}\
.walpic-absent{background:#eee;color:#999;border-color:#ddd}\
.walpic-bar{background:#1565c0;color:#fff;border-radius:3px;padding:0 .3em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}\
.walpic-bar.walpic-replay{background:#6a1b9a}\
.walpic-marker{color:#6a1b9a;font-weight:600;white-space:nowrap}\
.walpic-legend{font-size:12px;color:#444;margin-top:.4em}\
.walpic-legend span{margin-right:1em}";

/// Columns drawn at most; the rest of the id line is summarised.
const MAX_COLUMNS: usize = 240;
/// Runs longer than this show their two ends and a `…` between.
const RUN_SHOWN: u64 = 4;

/// The state of one id on the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    Object(WalStatus),
    /// Not listed and not needed: collected by GC, or never written.
    Absent,
}

impl Shown {
    fn class(self) -> &'static str {
        match self {
            Shown::Object(WalStatus::Present) => "walpic-present",
            Shown::Object(WalStatus::Fence) => "walpic-fence",
            Shown::Object(WalStatus::Missing) => "walpic-missing",
            Shown::Object(WalStatus::Unknown) => "walpic-unknown",
            Shown::Absent => "walpic-absent",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Shown::Object(WalStatus::Present) => "■",
            Shown::Object(WalStatus::Fence) => "0",
            Shown::Object(WalStatus::Missing) => "✗",
            Shown::Object(WalStatus::Unknown) => "?",
            Shown::Absent => "·",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Shown::Object(status) => status.name(),
            Shown::Absent => "not listed, not needed",
        }
    }
}

/// One column: ids `first..=last`, all in the same state.
struct Column {
    first: u64,
    last: u64,
    shown: Shown,
}

/// A bar under the id line: a WAL range.
struct Bar {
    label: String,
    range: [u64; 2],
    replay: bool,
}

/// The picture of `root`'s WAL id line as an HTML fragment (a `<figure>`), styled by
/// [`WAL_PICTURE_CSS`].
pub fn wal_picture(root: &RootFacts) -> String {
    let subject = if root.root.is_empty() {
        "(store root)".to_string()
    } else {
        root.root.clone()
    };
    let mut out = String::new();
    let _ = write!(
        out,
        "<figure class=\"walpic\" data-root=\"{}\"><figcaption>WAL of <code>{}</code>: latest manifest {}, replay_after_wal_id {}, next_wal_sst_id {}</figcaption>",
        markup(&root.root),
        markup(&subject),
        optional(root.latest_manifest_id),
        optional(root.replay_after_wal_id),
        optional(root.next_wal_sst_id),
    );
    let mut bars = Vec::new();
    if let Some(range) = root.replay_range() {
        bars.push(Bar {
            label: "replay (latest manifest)".into(),
            range,
            replay: true,
        });
    }
    for checkpoint in &root.checkpoints {
        if let Some(range) = checkpoint.wal_range {
            let name = checkpoint
                .name
                .clone()
                .unwrap_or_else(|| checkpoint.id.chars().take(8).collect());
            bars.push(Bar {
                label: format!("checkpoint {name}"),
                range,
                replay: false,
            });
        }
    }
    // By id, for the columns' states and the sizes drawn: one map, in whatever order the facts
    // list them (a search through every object for every column made 48M comparisons for 100
    // roots of 2,000 WAL objects).
    let objects: BTreeMap<u64, &WalObjectFacts> = root
        .wal_objects
        .iter()
        .map(|object| (object.id, object))
        .collect();
    let columns = columns(root, &objects, &bars);
    if columns.is_empty() {
        out.push_str("<p>No WAL objects listed and no WAL range to replay or copy.</p></figure>");
        return out;
    }
    let truncated = columns.len() >= MAX_COLUMNS;
    let _ = write!(
        out,
        "<div class=\"walpic-grid\" style=\"grid-template-columns:max-content repeat({},minmax(1.6em,max-content))\">",
        columns.len()
    );
    let cell = |out: &mut String,
                row: usize,
                from: usize,
                to: usize,
                class: &str,
                title: &str,
                text: &str| {
        let _ = write!(
            out,
            "<div class=\"{class}\" style=\"grid-row:{row};grid-column:{from}/{to}\" title=\"{}\">{}</div>",
            markup(title),
            markup(text)
        );
    };
    cell(&mut out, 1, 1, 2, "walpic-label", "", "WAL id");
    cell(&mut out, 2, 1, 2, "walpic-label", "", "object");
    cell(&mut out, 3, 1, 2, "walpic-label", "", "manifest");
    for (index, column) in columns.iter().enumerate() {
        let line = index + 2;
        let (id_text, title) = if column.first == column.last {
            (
                column.first.to_string(),
                format!("WAL {}: {}", column.first, column.shown.name()),
            )
        } else {
            (
                "…".to_string(),
                format!(
                    "WAL {}–{}: {}",
                    column.first,
                    column.last,
                    column.shown.name()
                ),
            )
        };
        let size = (column.first == column.last)
            .then(|| objects.get(&column.first))
            .flatten()
            .and_then(|o| o.size)
            .map(|size| format!(", {size} B"))
            .unwrap_or_default();
        cell(&mut out, 1, line, line + 1, "walpic-id", &title, &id_text);
        cell(
            &mut out,
            2,
            line,
            line + 1,
            &format!("walpic-cell {}", column.shown.class()),
            &format!("{title}{size}"),
            column.shown.symbol(),
        );
    }
    let markers = [
        (root.replay_after_wal_id, "▲after", "replay_after_wal_id"),
        (root.next_wal_sst_id, "▲next", "next_wal_sst_id"),
    ];
    for (id, text, title) in markers {
        if let Some(line) = id.and_then(|id| column_of(&columns, id)) {
            cell(
                &mut out,
                3,
                line + 2,
                line + 3,
                "walpic-marker",
                title,
                text,
            );
        }
    }
    for (index, bar) in bars.iter().enumerate() {
        let row = index + 4;
        cell(&mut out, row, 1, 2, "walpic-label", "", &bar.label);
        let (Some(from), Some(to)) = (
            column_of(&columns, bar.range[0]),
            column_of(&columns, bar.range[1]),
        ) else {
            continue;
        };
        let class = if bar.replay {
            "walpic-bar walpic-replay"
        } else {
            "walpic-bar"
        };
        let text = format!("WAL {}–{}", bar.range[0], bar.range[1]);
        cell(
            &mut out,
            row,
            from + 2,
            to + 3,
            class,
            &format!("{}: {text}", bar.label),
            &text,
        );
    }
    out.push_str("</div><div class=\"walpic-legend\"><span>■ present</span><span>0 fence (0 B)</span><span>✗ missing</span><span>? unknown</span><span>· not listed, not needed</span></div>");
    if truncated || root.omitted_wal_objects > 0 {
        let _ = write!(
            out,
            "<p>The id line is cut short: {} WAL object(s) not recorded, {} column(s) drawn at most.</p>",
            root.omitted_wal_objects, MAX_COLUMNS
        );
    }
    out.push_str("</figure>");
    out
}

fn optional(value: Option<u64>) -> String {
    value.map_or_else(|| "unknown".to_string(), |v| v.to_string())
}

/// The index of the column holding `id`.
fn column_of(columns: &[Column], id: u64) -> Option<usize> {
    columns
        .iter()
        .position(|column| column.first <= id && id <= column.last)
}

/// The id line as columns: constant-state runs between every object, range end and marker,
/// long runs shortened to their ends and a `…`.
fn columns(
    root: &RootFacts,
    objects: &BTreeMap<u64, &WalObjectFacts>,
    bars: &[Bar],
) -> Vec<Column> {
    let mut breaks: Vec<u64> = Vec::new();
    let mut add = |id: u64| {
        breaks.push(id);
        breaks.push(id.saturating_add(1));
    };
    objects.keys().copied().for_each(&mut add);
    for bar in bars {
        add(bar.range[0]);
        add(bar.range[1]);
    }
    root.replay_after_wal_id.into_iter().for_each(&mut add);
    root.next_wal_sst_id.into_iter().for_each(&mut add);
    breaks.sort_unstable();
    breaks.dedup();
    // Runs of identical state, ignoring single-id breaks that change nothing.
    let mut runs: Vec<Column> = Vec::new();
    for pair in breaks.windows(2) {
        let (first, end) = (pair[0], pair[1]);
        if end <= first {
            continue;
        }
        let shown = objects
            .get(&first)
            .map_or(Shown::Absent, |object| Shown::Object(object.status));
        let last = end - 1;
        let marker = |id: u64| {
            root.replay_after_wal_id == Some(id)
                || root.next_wal_sst_id == Some(id)
                || bars
                    .iter()
                    .any(|bar| bar.range[0] == id || bar.range[1] == id)
        };
        match runs.last_mut() {
            Some(previous)
                if previous.shown == shown
                    && previous.last.checked_add(1) == Some(first)
                    && !marker(first)
                    && !marker(previous.last) =>
            {
                previous.last = last
            }
            _ => runs.push(Column { first, last, shown }),
        }
    }
    let mut columns = Vec::new();
    for run in runs {
        if columns.len() >= MAX_COLUMNS {
            break;
        }
        let length = run.last - run.first + 1;
        if run.shown == Shown::Absent && length > 1 {
            columns.push(run);
        } else if length > RUN_SHOWN {
            columns.push(Column {
                first: run.first,
                last: run.first,
                shown: run.shown,
            });
            columns.push(Column {
                first: run.first + 1,
                last: run.last - 1,
                shown: run.shown,
            });
            columns.push(Column {
                first: run.last,
                last: run.last,
                shown: run.shown,
            });
        } else {
            for id in run.first..=run.last {
                columns.push(Column {
                    first: id,
                    last: id,
                    shown: run.shown,
                });
            }
        }
    }
    columns.truncate(MAX_COLUMNS);
    columns
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CheckpointFacts, WalObjectFacts};

    fn root(replay_after: u64, next: u64, ids: &[(u64, WalStatus)]) -> RootFacts {
        RootFacts {
            root: "db".into(),
            latest_manifest_id: Some(1),
            replay_after_wal_id: Some(replay_after),
            next_wal_sst_id: Some(next),
            checkpoints: vec![CheckpointFacts {
                id: "0190c0de-0000-0000-0000-000000000000".into(),
                name: None,
                expire_time: None,
                manifest_id: 1,
                wal_range: Some([replay_after.saturating_add(1), next.saturating_sub(1)]),
            }],
            wal_objects: ids
                .iter()
                .map(|(id, status)| WalObjectFacts {
                    id: *id,
                    size: Some(1),
                    status: *status,
                })
                .collect(),
            omitted_wal_objects: 0,
        }
    }

    #[test]
    fn extreme_ids_draw_without_panicking_and_stay_small() {
        let huge = root(
            0,
            u64::MAX,
            &[
                (1, WalStatus::Present),
                (u64::MAX - 1, WalStatus::Missing),
                (u64::MAX, WalStatus::Fence),
            ],
        );
        let html = wal_picture(&huge);
        assert!(html.len() < 20_000, "{}", html.len());
        let many: Vec<(u64, WalStatus)> =
            (0..5000).map(|id| (id * 2, WalStatus::Present)).collect();
        let html = wal_picture(&root(3, 9000, &many));
        assert!(html.contains("cut short"));
    }

    #[test]
    fn each_object_drawn_alone_shows_its_size_in_any_order() {
        let mut facts = root(
            1,
            6,
            &[
                (2, WalStatus::Present),
                (3, WalStatus::Fence),
                (5, WalStatus::Present),
            ],
        );
        for (object, size) in facts.wal_objects.iter_mut().zip([34, 0, 1234]) {
            object.size = Some(size);
        }
        let in_order = wal_picture(&facts);
        assert!(
            in_order.contains("title=\"WAL 5: present, 1234 B\""),
            "{in_order}"
        );
        assert!(
            in_order.contains("title=\"WAL 2: present, 34 B\""),
            "{in_order}"
        );
        facts.wal_objects.reverse();
        assert_eq!(wal_picture(&facts), in_order);
    }

    #[test]
    fn long_runs_show_their_ends_and_an_ellipsis() {
        let missing: Vec<(u64, WalStatus)> = (2..=40).map(|id| (id, WalStatus::Missing)).collect();
        let html = wal_picture(&root(1, 41, &missing));
        assert!(html.contains("title=\"WAL 4–38: missing\""), "{html}");
        assert!(html.contains(">40</div>"));
    }
}
