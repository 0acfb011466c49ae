//! The selection model the views read and change: which trace, span and aggregated block are
//! selected, what is collapsed, the search and its matches, one-frame requests from the keyboard
//! to the view on screen, and the layouts derived from all that (rebuilt only when it changes).

use std::collections::HashSet;

use spindle_formats::SpanId;

use crate::index::{Node, Trace};
use crate::layout::{FlameLayout, RowFilter, TimelineLayout, node_key};
use crate::load::Document;

/// Which view the central area shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Tab {
    #[default]
    Timeline,
    Flame,
    Aggregate,
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
        self.flame = match self.current(doc) {
            Some(t) => FlameLayout::for_trace(&doc.data, t),
            None => FlameLayout::default(),
        };
        self.run_search(doc);
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
            let mut at = node.span();
            while let Some(i) = at {
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
        let filter = RowFilter {
            collapsed: &self.collapsed,
            matches: &self.match_set,
            matches_only: self.matches_only && !self.query.trim().is_empty(),
        };
        self.timeline = TimelineLayout::build(&doc.data, &doc.index, trace, filter);
    }
}
