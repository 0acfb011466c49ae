//! Clock skew: a span of another service than its parent that starts before the parent or
//! ends after it by more than a tolerance was most likely timed by a clock that is off. Such
//! spans are marked; an adjustment is offered that never replaces the raw times.
//!
//! The adjustment (as Zipkin's and Jaeger's adjusters do) only trusts CLIENT → SERVER pairs: a
//! SERVER span that does not fit its CLIENT parent (as adjusted) is shifted so it sits in the
//! middle of it, and its service's subtree (the descendants in the same service) moves with
//! it. A span of yet another service below is checked against its parent's adjusted times.
//! No egui here.

use std::collections::HashMap;

use spindle_formats::{SpanKind, TraceData};

use crate::index::{Index, Trace};

/// How far a child may overhang its parent before it is marked: 1 ms (timestamps cut to
/// microseconds or milliseconds by some formats stay unmarked).
pub const DEFAULT_TOLERANCE: u64 = 1_000_000;

/// A span that overhangs its parent of another service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkewMark {
    pub span: u32,
    pub parent: u32,
    /// How long before the parent's start the span starts (0 when it does not).
    pub early: u64,
    /// How long after the parent's end the span ends (0 when it does not).
    pub late: u64,
}

/// The marks and the adjustment of one trace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClockSkew {
    pub tolerance: u64,
    /// In tree order.
    pub marks: Vec<SkewMark>,
    /// Per span index: nanoseconds to add to its raw times (absent: 0).
    shifts: HashMap<u32, i64>,
}

impl ClockSkew {
    pub fn of(data: &TraceData, index: &Index, trace: &Trace, tolerance: u64) -> ClockSkew {
        let mut skew = ClockSkew {
            tolerance,
            ..ClockSkew::default()
        };
        // Pre-order: a parent's shift is known before its children are seen.
        for i in trace.order.iter().filter_map(|n| n.span()) {
            let Some(p) = index.parent.get(i).copied().filter(|&p| p != u32::MAX) else {
                continue;
            };
            let p = p as usize;
            let inherited = skew.shift(p as u32);
            if index.service_of[p] == index.service_of[i] {
                if inherited != 0 {
                    skew.shifts.insert(i as u32, inherited);
                }
                continue;
            }
            let (span, parent) = (&data.spans[i], &data.spans[p]);
            let raw = overhang(times(parent, 0), times(span, 0));
            if raw.0 > tolerance || raw.1 > tolerance {
                skew.marks.push(SkewMark {
                    span: i as u32,
                    parent: p as u32,
                    early: raw.0,
                    late: raw.1,
                });
            }
            if parent.kind == SpanKind::Client && span.kind == SpanKind::Server {
                let shift = centring_shift(parent, span, inherited, tolerance);
                if shift != 0 {
                    skew.shifts.insert(i as u32, shift);
                }
            }
        }
        skew
    }

    /// Nanoseconds the adjustment adds to span `span`'s times.
    pub fn shift(&self, span: u32) -> i64 {
        self.shifts.get(&span).copied().unwrap_or(0)
    }

    /// The span's (start, end) as adjusted.
    pub fn adjusted(&self, data: &TraceData, span: u32) -> (u64, u64) {
        let s = &data.spans[span as usize];
        let shift = self.shift(span);
        (
            s.start_unix_nanos.saturating_add_signed(shift),
            s.end_unix_nanos.saturating_add_signed(shift),
        )
    }

    pub fn mark(&self, span: u32) -> Option<&SkewMark> {
        self.marks.iter().find(|m| m.span == span)
    }

    /// How many spans the adjustment moves.
    pub fn shifted_spans(&self) -> usize {
        self.shifts.len()
    }
}

/// A span's (start, end) shifted by `shift`, wide enough that no input overflows.
fn times(span: &spindle_formats::Span, shift: i64) -> (i128, i128) {
    let shift = i128::from(shift);
    (
        i128::from(span.start_unix_nanos) + shift,
        i128::from(span.end_unix_nanos) + shift,
    )
}

/// How far `child` starts before and ends after `parent`, as (early, late), never negative.
fn overhang(parent: (i128, i128), child: (i128, i128)) -> (u64, u64) {
    let clamp = |x: i128| x.clamp(0, i128::from(u64::MAX)) as u64;
    (clamp(parent.0 - child.0), clamp(child.1 - parent.1))
}

/// The shift that centres a SERVER span in its CLIENT parent (shifted by `parent_shift`), or
/// 0 when it already fits within the tolerance.
fn centring_shift(
    client: &spindle_formats::Span,
    server: &spindle_formats::Span,
    parent_shift: i64,
    tolerance: u64,
) -> i64 {
    let (start, end) = times(client, parent_shift);
    let (s, e) = times(server, 0);
    let (early, late) = overhang((start, end), (s, e));
    if early <= tolerance && late <= tolerance {
        return 0;
    }
    let latency = ((end - start) - (e - s)) / 2;
    (start + latency - s).clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
}

#[cfg(test)]
mod tests;
