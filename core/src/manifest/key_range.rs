//! Key ranges of SST views: the physical range of an SST, projections, and their intersection,
//! with SlateDB's ordering of start and end bounds.

use crate::model::{KeyBound, KeyRange};
use std::cmp::Ordering;

/// The keys an SST physically holds: `[first_entry, last_entry]`, or `[first_entry, ∞)` when the
/// last entry is not recorded. `None` when the SST records no first entry.
pub(crate) fn physical_range(first: Option<&[u8]>, last: Option<&[u8]>) -> Option<KeyRange> {
    let first = first?;
    Some(KeyRange {
        start: KeyBound::Included(first.to_vec()),
        end: last.map_or(KeyBound::Unbounded, |last| {
            KeyBound::Included(last.to_vec())
        }),
    })
}

/// The keys visible through a view: the physical range intersected with the projection.
/// `None` when the intersection is empty.
pub(crate) fn intersect(a: &KeyRange, b: &KeyRange) -> Option<KeyRange> {
    let start = if cmp_bounds(&a.start, &b.start, BoundSide::Start) == Ordering::Less {
        b.start.clone()
    } else {
        a.start.clone()
    };
    let end = if cmp_bounds(&a.end, &b.end, BoundSide::End) == Ordering::Greater {
        b.end.clone()
    } else {
        a.end.clone()
    };
    let range = KeyRange { start, end };
    is_non_empty(&range).then_some(range)
}

/// Whether a range holds at least one key (SlateDB's rule, which ignores the
/// `("p", "p\0")` both-excluded corner case).
pub(crate) fn is_non_empty(range: &KeyRange) -> bool {
    use KeyBound::{Excluded, Included, Unbounded};
    match (&range.start, &range.end) {
        (Unbounded, _) | (_, Unbounded) => true,
        (Included(a), Included(b)) => a <= b,
        (Included(a), Excluded(b)) | (Excluded(a), Excluded(b)) | (Excluded(a), Included(b)) => {
            a < b
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum BoundSide {
    Start,
    End,
}

/// Orders two bounds of the same side: an unbounded start is the smallest start, an unbounded
/// end the largest end; at equal keys an included start precedes an excluded one and an
/// excluded end precedes an included one.
fn cmp_bounds(a: &KeyBound, b: &KeyBound, side: BoundSide) -> Ordering {
    use KeyBound::{Excluded, Included, Unbounded};
    let unbounded_first = if side == BoundSide::Start {
        Ordering::Less
    } else {
        Ordering::Greater
    };
    match (a, b) {
        (Unbounded, Unbounded) => Ordering::Equal,
        (Unbounded, _) => unbounded_first,
        (_, Unbounded) => unbounded_first.reverse(),
        (Included(x), Included(y)) | (Excluded(x), Excluded(y)) => x.cmp(y),
        (Included(x), Excluded(y)) => x.cmp(y).then(unbounded_first),
        (Excluded(x), Included(y)) => x.cmp(y).then(unbounded_first.reverse()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use KeyBound::{Excluded, Included, Unbounded};

    fn range(start: KeyBound, end: KeyBound) -> KeyRange {
        KeyRange { start, end }
    }
    fn key(s: &str) -> Vec<u8> {
        s.as_bytes().to_vec()
    }

    #[test]
    fn physical_range_is_closed_or_open_ended() {
        assert_eq!(
            physical_range(Some(b"a"), Some(b"z")),
            Some(range(Included(key("a")), Included(key("z"))))
        );
        assert_eq!(
            physical_range(Some(b"a"), None),
            Some(range(Included(key("a")), Unbounded))
        );
        assert_eq!(physical_range(None, Some(b"z")), None);
    }

    #[test]
    fn projection_narrows_the_physical_range() {
        let physical = range(Included(key("b")), Included(key("y")));
        let projection = range(Included(key("c")), Excluded(key("m")));
        assert_eq!(intersect(&physical, &projection), Some(projection.clone()));
        let wider = range(Unbounded, Unbounded);
        assert_eq!(intersect(&physical, &wider), Some(physical.clone()));
    }

    #[test]
    fn equal_keys_pick_the_tighter_bound() {
        let a = range(Included(key("k")), Included(key("p")));
        let b = range(Included(key("k")), Excluded(key("p")));
        assert_eq!(intersect(&a, &b), Some(b.clone()));
        assert_eq!(intersect(&b, &a), Some(b));
    }

    #[test]
    fn disjoint_ranges_have_no_intersection() {
        let a = range(Included(key("a")), Included(key("c")));
        let b = range(Included(key("d")), Unbounded);
        assert_eq!(intersect(&a, &b), None);
        let touching = range(Included(key("c")), Excluded(key("c")));
        assert!(!is_non_empty(&touching));
    }
}
