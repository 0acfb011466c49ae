//! The selection model the views read and change: which trace, span and aggregated block are
//! selected, what is collapsed, the search and its matches, the selected trace's analysis
//! (critical path, repeats, N+1; computed once per trace), the spans the statistics table
//! highlights, the narrowing to one subtree or a time window, one-frame requests from the
//! keyboard to the view on screen, and the layouts derived from all that (rebuilt only when
//! it changes).

use std::collections::HashSet;

use spindle_formats::SpanId;

use crate::analysis::findings::Findings;
use crate::index::{Node, Trace};
use crate::layout::{FlameLayout, Narrow, RowFilter, TimelineLayout, node_key, parent_node};
use crate::load::Document;

/// Which view the central area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    #[default]
    Timeline,
    Flame,
    Aggregate,
    Statistics,
    /// Trace A against trace B, merged by call path.
    Compare,
    /// Services and the calls between them.
    ServiceMap,
}

/// A one-frame request from the keyboard or another view to the view on screen.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ViewRequest {
    /// Bring the selected row into view.
    pub scroll_to_selected: bool,
    /// Zoom the time axis to the selected span (`F`).
    pub zoom_to_selected: bool,
    /// Show the whole trace (`0`).
    pub reset_zoom: bool,
    /// Multiply the visible time range by this (keyboard zoom); 1 for none.
    pub zoom: f64,
    /// Move the visible range by this fraction of its width (keyboard pan).
    pub pan: f64,
}

/// What is selected and everything derived from it: the current trace, the selected node, the
/// collapsed set, search matches, and the layouts (rebuilt only when one of those changes).
#[derive(Debug, Default)]
pub struct Focus {
    pub tab: Tab,
    pub trace: Option<usize>,
    pub node: Option<Node>,
    /// The block selected in the aggregated flame graph (an index into `Index::agg`).
    pub agg_node: Option<u32>,
    pub collapsed: HashSet<SpanId>,
    pub query: String,
    pub matches: Vec<Node>,
    pub match_set: HashSet<Node>,
    pub current_match: Option<usize>,
    pub matches_only: bool,
    pub timeline: TimelineLayout,
    pub flame: FlameLayout,
    pub request: ViewRequest,
    /// A node whose collapsed ancestors are expanded on the next refresh.
    pub pending_reveal: Option<Node>,
    /// Set when the collapsed set, the search or the trace changed: rows need a rebuild.
    pub dirty: bool,
    /// Critical path, repeats and N+1 findings of the current trace.
    pub findings: Findings,
    /// Show only the spans on the critical path (and their ancestors).
    pub critical_only: bool,
    /// The critical section last jumped to (an index into `findings.critical.sections`).
    pub current_section: Option<usize>,
    /// Spans of the statistics row last clicked.
    pub highlighted: HashSet<Node>,
    /// Show only the highlighted spans (and their ancestors).
    pub highlighted_only: bool,
    /// Runs of repeated siblings shown expanded, by the span id of their first span.
    pub expanded_repeats: HashSet<SpanId>,
    /// Counts installed documents, so views can tell when what they cached is stale.
    pub generation: u64,
    /// The timeline and flame graph show only this subtree and time window.
    pub narrow: Narrow,
    /// The traces picked as A and B for a comparison (indices into `Index::traces`).
    pub compare_a: Option<usize>,
    pub compare_b: Option<usize>,
    /// Two sets of traces picked for a comparison (the trace list's rows when picked, or
    /// the traces of two time windows); see [`Focus::compare_set`].
    pub compare_sets: [Option<Vec<u32>>; 2],
    /// Counts picks of `compare_sets`, so a comparison knows when they changed.
    pub compare_set_picks: u64,
    /// The sets compared are the open files (A) against the comparison file (B), not
    /// `compare_sets`.
    pub compare_sets_files: bool,
    /// The compare tab shows the sets (else the two traces).
    pub compare_sets_shown: bool,
    /// Show clock-skew-adjusted times first in the details (the raw ones stay beside them).
    pub adjust_skew: bool,
    /// Keep only the traces through this service or call (set by the service map).
    pub through: Option<crate::filter::Through>,
}

impl Focus {
    /// The current trace.
    pub fn current<'d>(&self, doc: &'d Document) -> Option<&'d Trace> {
        self.trace.and_then(|t| doc.index.traces.get(t))
    }

    /// Opens a trace (or none): resets selection, collapse state and view, re-runs the search.
    pub fn select_trace(&mut self, doc: &Document, trace: Option<usize>) {
        if self.trace == trace {
            return;
        }
        self.trace = trace;
        self.node = None;
        self.collapsed.clear();
        self.current_match = None;
        self.request.reset_zoom = true;
        self.narrow = Narrow::default();
        self.rebuild_flame(doc);
        self.findings = match self.current(doc) {
            Some(t) => Findings::of(&doc.data, &doc.index, t),
            None => Findings::default(),
        };
        self.current_section = None;
        self.highlighted.clear();
        self.expanded_repeats.clear();
        self.run_search(doc);
    }

    /// The current trace gained spans: its flame graph, search and rows are redone; the
    /// selection, collapsed spans and zoom stay (span indices do not change on append).
    pub fn trace_grew(&mut self, doc: &Document) {
        self.rebuild_flame(doc);
        self.run_search(doc);
    }

    fn rebuild_flame(&mut self, doc: &Document) {
        self.flame = match self.current(doc) {
            Some(t) => FlameLayout::for_trace_narrowed(&doc.data, t, &self.narrow),
            None => FlameLayout::default(),
        };
    }

    /// Shows only `node`'s subtree (`None`: the whole trace again) and selects it.
    pub fn focus_subtree(&mut self, doc: &Document, node: Option<Node>) {
        if self.narrow.subtree == node {
            return;
        }
        self.narrow.subtree = node;
        if node.is_some() {
            self.node = node;
        }
        self.request.scroll_to_selected = true;
        self.rebuild_flame(doc);
        self.dirty = true;
    }

    /// Goes one level up from the subtree shown (to the whole trace from its top).
    pub fn subtree_up(&mut self, doc: &Document) {
        let (Some(node), Some(trace)) = (self.narrow.subtree, self.current(doc)) else {
            return;
        };
        let up = parent_node(&doc.index, trace, node);
        self.focus_subtree(doc, up);
    }

    /// Shows only the spans overlapping `window` (nanoseconds from the trace start; `None`:
    /// all of them again).
    pub fn set_time_window(&mut self, doc: &Document, window: Option<(u64, u64)>) {
        let window = window.filter(|(a, b)| a < b);
        if self.narrow.window == window {
            return;
        }
        self.narrow.window = window;
        self.rebuild_flame(doc);
        self.dirty = true;
    }

    /// Picks trace `t` as A of a comparison.
    pub fn pick_compare_a(&mut self, t: usize) {
        self.compare_a = Some(t);
    }

    /// Picks trace `t` as B of a comparison and shows the comparison (with A, when picked).
    pub fn pick_compare_b(&mut self, t: usize) {
        self.compare_b = Some(t);
        self.compare_sets_shown = false;
        self.tab = Tab::Compare;
    }

    /// Picks traces as set A (`side` 0) or B (1); with B, shows the comparison of the sets.
    pub fn pick_compare_set(&mut self, side: usize, traces: &[u32]) {
        if let Some(slot) = self.compare_sets.get_mut(side) {
            *slot = Some(traces.to_vec());
            self.compare_set_picks += 1;
        }
        if side == 1 {
            self.compare_sets_shown = true;
            self.tab = Tab::Compare;
        }
    }

    /// Set A (`side` 0) or B (1) of a two-set comparison as indices into the open document's
    /// traces, when picked (from the trace list or from two time windows). While
    /// `compare_sets_files` is on, the view compares the open files with the comparison file
    /// instead.
    pub fn compare_set(&self, side: usize) -> Option<&[u32]> {
        self.compare_sets.get(side)?.as_deref()
    }

    /// A new document: trace indices picked for comparing mean other traces now.
    pub fn forget_comparison(&mut self) {
        self.compare_a = None;
        self.compare_b = None;
        self.compare_sets = [None, None];
        self.compare_set_picks += 1;
    }

    /// Selects a node and asks the view to scroll to it.
    pub fn select_node(&mut self, node: Option<Node>) {
        self.node = node;
        self.request.scroll_to_selected = true;
    }

    /// Sets the search text and finds matches in the current trace.
    pub fn set_query(&mut self, doc: &Document, query: &str) {
        if self.query != query {
            self.query = query.to_string();
            self.current_match = None;
            self.run_search(doc);
        }
    }

    fn run_search(&mut self, doc: &Document) {
        self.matches = match self.current(doc) {
            Some(t) => doc.index.search(&doc.data, t, &self.query),
            None => Vec::new(),
        };
        self.match_set = self.matches.iter().copied().collect();
        self.dirty = true;
    }

    /// Jumps to the next (`forward`) or previous match and selects it.
    pub fn step_match(&mut self, forward: bool) {
        if self.matches.is_empty() {
            return;
        }
        let n = self.matches.len();
        let next = match self.current_match {
            None if forward => 0,
            None => n - 1,
            Some(i) if forward => (i + 1) % n,
            Some(i) => (i + n - 1) % n,
        };
        self.current_match = Some(next);
        let node = self.matches[next];
        self.reveal(node);
        self.select_node(Some(node));
    }

    /// Expands collapsed ancestors so `node` has a row. Needs the parent links of the index,
    /// so it only records the wish; [`Focus::refresh`] does it.
    fn reveal(&mut self, node: Node) {
        self.pending_reveal = Some(node);
        self.dirty = true;
    }

    /// Expands what hides `node` and selects it (links, search results).
    pub fn reveal_and_select(&mut self, node: Node) {
        self.reveal(node);
        self.select_node(Some(node));
    }

    /// Collapses or expands one node.
    pub fn toggle(&mut self, doc: &Document, node: Node) {
        let key = node_key(&doc.data, node);
        if !self.collapsed.remove(&key) {
            self.collapsed.insert(key);
        }
        self.dirty = true;
    }

    /// Jumps to the next (`forward`) or previous critical section and selects its span.
    pub fn step_critical(&mut self, forward: bool) {
        let Some(k) = self.findings.step_section(self.current_section, forward) else {
            return;
        };
        self.current_section = Some(k);
        let span = self.findings.critical.sections[k].span;
        self.reveal_and_select(Node(span));
    }

    /// Shows or hides the spans on the critical path only.
    pub fn set_critical_only(&mut self, on: bool) {
        self.critical_only = on;
        self.dirty = true;
    }

    /// Highlights these spans (a statistics row); the timeline may show only them.
    pub fn set_highlighted(&mut self, spans: impl IntoIterator<Item = u32>) {
        self.highlighted = spans.into_iter().map(Node).collect();
        self.dirty = true;
    }

    /// Shows or hides everything but the highlighted spans.
    pub fn set_highlighted_only(&mut self, on: bool) {
        self.highlighted_only = on;
        self.dirty = true;
    }

    /// Expands or collapses the group row of run `k` of `findings.repeats`.
    pub fn toggle_repeat(&mut self, doc: &Document, k: u32) {
        let Some(run) = self.findings.repeats.get(k as usize) else {
            return;
        };
        let key = node_key(&doc.data, Node(run.first));
        if !self.expanded_repeats.remove(&key) {
            self.expanded_repeats.insert(key);
        }
        self.dirty = true;
    }

    /// Expands the run of repeated siblings holding span `i`, if one does.
    fn expand_run_holding(&mut self, doc: &Document, trace: &Trace, i: usize) {
        let parent = match doc.index.parent[i] {
            u32::MAX => Node::MISSING_PARENT,
            p => Node(p),
        };
        let children = doc.index.node_children(trace, parent);
        let at = |span: u32| children.iter().position(|&c| c == span);
        for run in self.findings.repeats.iter().filter(|r| r.parent == parent) {
            if let (Some(a), Some(b), Some(x)) = (at(run.first), at(run.last), at(i as u32))
                && (a..=b).contains(&x)
            {
                self.expanded_repeats
                    .insert(node_key(&doc.data, Node(run.first)));
            }
        }
    }

    /// The spans the span filters keep (critical only, highlighted only), when one is on.
    fn kept_spans(&self) -> Option<HashSet<Node>> {
        let critical = self.critical_only.then(|| {
            (self.findings.critical.per_span().iter())
                .map(|&(span, _)| Node(span))
                .collect::<HashSet<Node>>()
        });
        let highlighted = self.highlighted_only.then(|| self.highlighted.clone());
        match (critical, highlighted) {
            (Some(a), Some(b)) => Some(a.intersection(&b).copied().collect()),
            (a, b) => a.or(b),
        }
    }

    /// Collapses every node with children (`true`) or expands all (`false`).
    pub fn collapse_all(&mut self, doc: &Document, collapse: bool) {
        self.collapsed.clear();
        if collapse && let Some(trace) = self.current(doc) {
            for &node in &trace.order {
                if !doc.index.node_children(trace, node).is_empty() {
                    self.collapsed.insert(node_key(&doc.data, node));
                }
            }
        }
        self.dirty = true;
    }

    /// Rebuilds the rows if anything they depend on changed. Call once per frame.
    pub fn refresh(&mut self, doc: &Document) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let Some(trace) = self.trace.and_then(|t| doc.index.traces.get(t)) else {
            self.timeline = TimelineLayout::default();
            return;
        };
        if let Some(node) = self.pending_reveal.take() {
            // A jump (search, critical path, link) outside the subtree shown widens to the trace.
            let (inside, _) = self.narrow.positions(trace);
            if !trace.order[inside].contains(&node) {
                self.narrow.subtree = None;
                self.rebuild_flame(doc);
            }
            let mut at = node.span();
            while let Some(i) = at {
                self.expand_run_holding(doc, trace, i);
                let p = doc.index.parent[i];
                if p == u32::MAX {
                    if trace.orphans.contains(&(i as u32)) {
                        self.collapsed.remove(&SpanId::INVALID);
                    }
                    break;
                }
                self.collapsed.remove(&doc.data.spans[p as usize].span_id);
                at = Some(p as usize);
            }
        }
        let kept = self.kept_spans();
        let filter = RowFilter {
            collapsed: &self.collapsed,
            matches: &self.match_set,
            matches_only: self.matches_only && !self.query.trim().is_empty(),
            only: kept.as_ref(),
            highlighted: &self.highlighted,
            repeats: &self.findings.repeats,
            expanded: &self.expanded_repeats,
            narrow: self.narrow,
        };
        self.timeline = TimelineLayout::build(&doc.data, &doc.index, trace, filter);
    }
}
