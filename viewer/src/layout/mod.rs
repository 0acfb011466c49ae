//! Timeline rows and flame-graph blocks, computed once when the trace, the collapsed set or the
//! search changes, never per frame ([`TimelineLayout`], [`FlameLayout`]), narrowed to a subtree
//! or a time window ([`Narrow`]); the aggregated graph's sandwich of one operation
//! ([`Sandwich`]). Per frame only [`FlameLayout::visible`] runs.

mod flame;
mod narrow;
mod sandwich;
mod timeline;

use spindle_formats::{SpanId, TraceData};

use crate::index::{Node, Trace};

pub use flame::{Block, FlameKind, FlameLayout, Item, Level, MERGE_PX};
pub use narrow::{Narrow, ancestry, keep_with_ancestors, parent_node};
pub use sandwich::{Operation, Sandwich, operations};
pub use timeline::{MINIMAP_BUCKETS, Row, RowFilter, TimelineLayout};

/// Start and end of a node relative to the trace start.
pub fn node_range(data: &TraceData, trace: &Trace, node: Node) -> (u64, u64) {
    match node.span() {
        Some(i) => {
            let s = &data.spans[i];
            let a = s.start_unix_nanos.saturating_sub(trace.start);
            (a, s.end_unix_nanos.saturating_sub(trace.start).max(a))
        }
        None => {
            let mut range = (u64::MAX, 0);
            for &o in &trace.orphans {
                let s = &data.spans[o as usize];
                range.0 = range.0.min(s.start_unix_nanos.saturating_sub(trace.start));
                range.1 = range.1.max(s.end_unix_nanos.saturating_sub(trace.start));
            }
            (range.0.min(range.1), range.1)
        }
    }
}

/// The key a collapsed node is remembered by (stable across reloads).
pub fn node_key(data: &TraceData, node: Node) -> SpanId {
    node.span()
        .map_or(SpanId::INVALID, |i| data.spans[i].span_id)
}
