//! The details panel while the aggregated flame graph is shown: the selected block's call path
//! (service: operation from the top), how many spans it merges, their total, average and self
//! time, its share of all time, and its heaviest callees.

use eframe::egui::{RichText, Ui};

use crate::focus::Focus;
use crate::index::{AggNode, Index};
use crate::load::Document;
use crate::units;
use crate::views::View;
use crate::views::widgets::{field, wrapped};

/// Callees listed under a block, heaviest first.
const MAX_CALLEES: usize = 8;

/// State of the call-path panel (none yet; the selection lives in [`Focus::agg_node`]).
#[derive(Debug, Clone, Default)]
pub struct CallPathView;

impl View for CallPathView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.heading("Call path details");
        let Some((id, node)) = focus
            .agg_node
            .and_then(|id| doc.index.agg.get(id as usize).map(|n| (id, n)))
        else {
            ui.weak("Click a block in the aggregated flame graph to see its call path, span count, total and self time.");
            return;
        };
        let index = &doc.index;
        path(ui, index, id);
        ui.add_space(6.0);
        numbers(ui, index, node);
        callees(ui, index, node);
    }
}

/// `service: operation` of a node (the root is "all traces").
fn step_name(index: &Index, node: &AggNode, id: u32) -> String {
    if id == 0 {
        node.name.clone()
    } else {
        format!("{}: {}", index.service_name(node.service), node.name)
    }
}

/// The path from the top, one indented line per step, the selected one strong.
fn path(ui: &mut Ui, index: &Index, id: u32) {
    let mut steps = Vec::new();
    let mut at = Some(id);
    while let Some(i) = at.filter(|&i| i != 0) {
        let Some(node) = index.agg.get(i as usize) else {
            break;
        };
        steps.push(step_name(index, node, i));
        at = node.parent;
    }
    steps.reverse();
    if steps.is_empty() {
        steps.push("all traces".to_string());
    }
    ui.strong("Call path");
    let last = steps.len().saturating_sub(1);
    for (depth, step) in steps.into_iter().enumerate() {
        ui.horizontal_top(|ui| {
            ui.add_space(depth.min(12) as f32 * 10.0);
            let text = RichText::new(step);
            wrapped(ui, if depth == last { text.strong() } else { text });
        });
    }
}

fn numbers(ui: &mut Ui, index: &Index, node: &AggNode) {
    let all = index.agg.first().map_or(1, |root| root.total.max(1));
    let share = |t: u64| format!("{:.1}% of all time", t as f64 * 100.0 / all as f64);
    field(ui, "Spans merged", |ui| wrapped(ui, node.count.to_string()));
    field(ui, "Total time", |ui| {
        wrapped(ui, units::duration(node.total));
        ui.weak(share(node.total));
    });
    field(ui, "Self time", |ui| {
        wrapped(ui, units::duration(node.self_time));
        ui.weak(share(node.self_time));
    });
    let average = node.total / node.count.max(1);
    field(ui, "Average", |ui| wrapped(ui, units::duration(average)));
}

fn callees(ui: &mut Ui, index: &Index, node: &AggNode) {
    if node.children.is_empty() {
        return;
    }
    let mut children: Vec<u32> = node.children.clone();
    children.sort_by_key(|&c| std::cmp::Reverse(index.agg[c as usize].total));
    ui.add_space(6.0);
    ui.strong(format!("Calls ({})", children.len()));
    for &c in children.iter().take(MAX_CALLEES) {
        let child = &index.agg[c as usize];
        let name = step_name(index, child, c);
        let numbers = format!("{} · {}×", units::duration(child.total), child.count);
        field(ui, &numbers, |ui| wrapped(ui, name));
    }
    if children.len() > MAX_CALLEES {
        ui.weak(format!("… and {} more", children.len() - MAX_CALLEES));
    }
}
