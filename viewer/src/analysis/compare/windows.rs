//! Two sets from one file by time: the traces that start inside a window (e.g. before and
//! after a deploy), windows given as offsets from the first trace's start.

use crate::index::Index;

/// When the loaded traces start and end: (earliest start, latest end) in Unix nanoseconds;
/// `None` when nothing is loaded.
pub fn extent(index: &Index) -> Option<(u64, u64)> {
    let start = index.traces.iter().map(|t| t.start).min()?;
    let end = index.traces.iter().map(|t| t.end).max()?;
    Some((start, end.max(start)))
}

/// The traces (indices into `index.traces`) whose start lies in `from..to`, offsets in
/// nanoseconds from the first trace's start; in index order.
pub fn traces_starting_in(index: &Index, (from, to): (u64, u64)) -> Vec<u32> {
    let Some((origin, _)) = extent(index) else {
        return Vec::new();
    };
    let window = origin.saturating_add(from)..origin.saturating_add(to);
    (0..index.traces.len() as u32)
        .filter(|&t| window.contains(&index.traces[t as usize].start))
        .collect()
}

/// The two halves of the loaded time range as windows (A before the middle, B from it on),
/// offsets from the first trace's start; B's end is one past the last trace's start.
pub fn halves(index: &Index) -> Option<((u64, u64), (u64, u64))> {
    let (start, _) = extent(index)?;
    let last = index.traces.iter().map(|t| t.start).max()?;
    let span = last - start + 1;
    let middle = span / 2;
    Some(((0, middle), (middle, span)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// `many_traces` starts trace `t` at `t * 3` ms.
    fn index(traces: usize) -> Index {
        Index::build(&fixture::many_traces(traces, 3))
    }

    fn starts_ms(index: &Index, set: &[u32]) -> Vec<u64> {
        let (origin, _) = extent(index).expect("traces");
        set.iter()
            .map(|&t| (index.traces[t as usize].start - origin) / 1_000_000)
            .collect()
    }

    #[test]
    fn a_window_keeps_the_traces_starting_inside_it() {
        let index = index(10);
        let set = traces_starting_in(&index, (6_000_000, 15_000_000));
        assert_eq!(starts_ms(&index, &set), [6, 9, 12]);
        assert!(traces_starting_in(&index, (100_000_000, 200_000_000)).is_empty());
        assert!(traces_starting_in(&Index::default(), (0, u64::MAX)).is_empty());
    }

    #[test]
    fn halves_split_the_traces_before_and_after_the_middle() {
        let index = index(10);
        let (a, b) = halves(&index).expect("traces");
        let (sa, sb) = (traces_starting_in(&index, a), traces_starting_in(&index, b));
        assert_eq!(starts_ms(&index, &sa), [0, 3, 6, 9, 12]);
        assert_eq!(starts_ms(&index, &sb), [15, 18, 21, 24, 27]);
        assert_eq!(halves(&Index::default()), None);
    }
}
