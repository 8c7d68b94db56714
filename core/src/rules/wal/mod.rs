//! WAL objects: what clones copy and writers replay (`SDB-WAL-*`).

pub mod fence_accumulation;
pub mod wal_fence_gap;
pub mod wal_hole;
pub mod wal_id_regression;
pub mod wal_range_missing;
pub mod wal_replay_range_missing;
pub mod wal_store_required;
pub mod wal_tail_missing;
pub mod wal_unreadable;
pub mod wal_uri_mismatch;
pub mod wal_writes_lost;

/// `2–3, 7` for the ids `[2, 3, 7]`.
pub fn id_ranges(ids: &[u64]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut iter = ids.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while end
            .checked_add(1)
            .is_some_and(|next| iter.peek() == Some(&next))
        {
            end += 1;
            iter.next();
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn id_ranges_collapse_runs() {
        assert_eq!(super::id_ranges(&[2, 3, 4, 7, 9, 10]), "2–4, 7, 9–10");
        assert_eq!(super::id_ranges(&[]), "");
    }
}
