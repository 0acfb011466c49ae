//! What only the aggregated flame graph has: the left-heavy order (speedscope's: each node's
//! children by total time, heaviest on the left) and the sandwich view of one operation, with
//! the layouts they need kept until the aggregated tree changes.

use eframe::egui::{self, Ui};

use crate::focus::Focus;
use crate::layout::{FlameLayout, Operation, Sandwich, operations};
use crate::load::Document;
use crate::views::time_window::TimeWindow;

/// Identifies one aggregated tree: (documents installed, nodes, total time).
type TreeKey = (u64, usize, u64);

/// An operation of the aggregated graph: (service id, name).
type OperationKey = (u32, String);

/// What the derived layouts were made for: the tree, left-heavy or not, the sandwich's
/// operation.
type MadeFor = (TreeKey, bool, Option<OperationKey>);

fn tree_key(doc: &Document, focus: &Focus) -> TreeKey {
    (focus.generation, doc.index.agg.len(), doc.aggregate.extent)
}

/// The aggregated graph's order and sandwich, and what was derived for them.
#[derive(Debug, Clone, Default)]
pub struct AggregateExtras {
    /// Children heaviest first instead of by name.
    pub left_heavy: bool,
    /// The operation whose sandwich is shown instead of the graph: (service, name).
    pub sandwich_of: Option<OperationKey>,
    pub(super) left_heavy_layout: Option<FlameLayout>,
    pub(super) sandwich: Option<Sandwich>,
    pub(super) operations: Vec<Operation>,
    /// The visible stretch of the sandwich's axis.
    pub(super) window: TimeWindow,
    /// The tree and settings the derived layouts belong to.
    made_for: Option<MadeFor>,
}

impl AggregateExtras {
    /// Redoes the left-heavy layout, the operation list and the sandwich when the tree, the
    /// order or the operation changed.
    pub(super) fn refresh(&mut self, doc: &Document, focus: &Focus) {
        let wanted = (
            tree_key(doc, focus),
            self.left_heavy,
            self.sandwich_of.clone(),
        );
        if self.made_for.as_ref() == Some(&wanted) {
            return;
        }
        let tree_changed = self.made_for.as_ref().map(|m| m.0) != Some(wanted.0);
        if tree_changed || self.operations.is_empty() {
            self.operations = operations(&doc.index.agg);
        }
        self.left_heavy_layout = self
            .left_heavy
            .then(|| FlameLayout::aggregate_left_heavy(&doc.index));
        let old_extent = self.sandwich.as_ref().map(|s| s.callees_layout.extent);
        self.sandwich = (self.sandwich_of.as_ref())
            .map(|(service, name)| Sandwich::of(&doc.index.agg, *service, name, self.left_heavy));
        let extent = self.sandwich.as_ref().map(|s| s.callees_layout.extent);
        if extent != old_extent || tree_changed {
            self.window = TimeWindow::new(0.0, extent.unwrap_or(1).max(1) as f64);
        }
        self.made_for = Some(wanted);
    }

    /// The width of the sandwich's axis (its operation's total time).
    pub(super) fn window_extent(&self) -> f64 {
        let extent = self
            .sandwich
            .as_ref()
            .map_or(1, |s| s.callees_layout.extent);
        extent.max(1) as f64
    }

    /// The left-heavy checkbox and the operation picker of the toolbar.
    pub(super) fn controls(&mut self, ui: &mut Ui, doc: &Document) {
        ui.checkbox(&mut self.left_heavy, "Left-heavy")
            .on_hover_text("Sort each block's children by total time, the heaviest on the left");
        let shown = match &self.sandwich_of {
            Some((service, name)) => format!("{name} ({})", doc.index.service_name(*service)),
            None => "Pick an operation".to_string(),
        };
        egui::ComboBox::from_label("in sandwich view")
            .selected_text(shown)
            .height(400.0)
            .show_ui(ui, |ui| {
                for op in &self.operations {
                    let text = format!("{} ({})", op.name, doc.index.service_name(op.service));
                    let picked = self.sandwich_of.as_ref() == Some(&(op.service, op.name.clone()));
                    if ui.selectable_label(picked, text).clicked() {
                        self.sandwich_of = Some((op.service, op.name.clone()));
                    }
                }
            });
        if self.sandwich_of.is_some() && ui.button("Back to the flame graph").clicked() {
            self.sandwich_of = None;
        }
    }
}
