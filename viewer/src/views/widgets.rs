//! Widgets and measures more than one view uses: the label/value rows of the details panels,
//! the label every span's row and block carries, the critical-path band on bars and blocks,
//! and the spacing of time-axis grid lines.

use eframe::egui::{self, Align, Layout, Painter, Rect, RichText, Ui, pos2, vec2};

use crate::analysis::repeats::Repeat;
use crate::colors;
use crate::index::{Node, Trace};
use crate::load::Document;
use crate::units;

/// Least distance between two grid lines (and their labels) in points.
pub const TICK_SPACING: f32 = 75.0;

/// Height of a time axis strip in points.
pub const AXIS_H: f32 = 18.0;

/// The label a span's row and flame block carry for tests and screen readers.
pub fn span_label(doc: &Document, trace: &Trace, node: Node) -> String {
    match node.span() {
        Some(i) => {
            let span = &doc.data.spans[i];
            format!(
                "{} ({}, {})",
                span.name,
                doc.index.service_name(doc.index.service_of[i]),
                units::duration(span.duration_nanos())
            )
        }
        None => format!("missing parent ({} subtrees)", trace.orphans.len()),
    }
}

/// The label of a group row standing for a run of repeated siblings: `x37 SELECT orders,
/// 340 ms` (the count, the operation, the siblings' total time).
pub fn repeat_label(doc: &Document, run: &Repeat) -> String {
    format!(
        "x{} {}, {}",
        run.count,
        doc.data.spans[run.first as usize].name,
        units::duration(run.total)
    )
}

/// Marks the critical portions of a bar: `bar` is the whole bar (it may reach past the
/// painter's clip), `(a, b)` the times at its two ends, `sections` the critical `(start, end)`
/// stretches in the same time units. Each is a dark band over the lower third of the bar.
pub fn critical_band(
    painter: &Painter,
    bar: Rect,
    (a, b): (u64, u64),
    sections: impl Iterator<Item = (u64, u64)>,
) {
    let span = (b.saturating_sub(a)).max(1) as f64;
    let x_of = |t: u64| bar.left() + ((t.clamp(a, b) - a) as f64 / span) as f32 * bar.width();
    let top = bar.top() + bar.height() * 0.68;
    for (start, end) in sections {
        let (x0, x1) = (x_of(start), x_of(end));
        let band = Rect::from_min_max(pos2(x0, top), pos2(x1.max(x0 + 1.0), bar.bottom()));
        painter.rect_filled(band, 1.0, colors::CRITICAL);
        painter.line_segment(
            [pos2(band.left(), top), pos2(band.right(), top)],
            egui::Stroke::new(1.0, egui::Color32::from_white_alpha(160)),
        );
    }
}

/// Width of the label column: a third of the panel, within limits.
fn label_width(ui: &Ui) -> f32 {
    (ui.available_width() * 0.33).clamp(80.0, 150.0)
}

/// One row of the label/value grid: the label on the left (wrapping inside its column), the
/// value to its right in the rest of the width, where long text wraps at word boundaries.
pub fn field<R>(ui: &mut Ui, label: &str, value: impl FnOnce(&mut Ui) -> R) -> R {
    let label_w = label_width(ui);
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(vec2(label_w, 0.0), Layout::top_down(Align::Min), |ui| {
            ui.set_width(label_w);
            ui.add(egui::Label::new(RichText::new(label).weak()).wrap());
        });
        ui.allocate_ui_with_layout(
            vec2(ui.available_width(), 0.0),
            Layout::left_to_right(Align::Min).with_main_wrap(true),
            value,
        )
        .inner
    })
    .inner
}

/// A value label that wraps at word boundaries within the value column.
pub fn wrapped(ui: &mut Ui, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(egui::Label::new(text).wrap())
}

/// An id row: the copy button sits in the label column after the label, so the value column
/// keeps its whole width for a 32-digit trace id on one line at the panel's default width.
pub fn copy_row(ui: &mut Ui, name: &str, value: String) {
    let label_w = label_width(ui);
    ui.horizontal_top(|ui| {
        ui.allocate_ui_with_layout(
            vec2(label_w, 0.0),
            Layout::left_to_right(Align::Min).with_main_wrap(true),
            |ui| {
                ui.set_width(label_w);
                ui.weak(name);
                if ui
                    .small_button("copy")
                    .on_hover_text(format!("Copy {name}"))
                    .clicked()
                {
                    ui.ctx().copy_text(value.clone());
                }
            },
        );
        ui.allocate_ui_with_layout(
            vec2(ui.available_width(), 0.0),
            Layout::left_to_right(Align::Min).with_main_wrap(true),
            // A size at which a 32-digit trace id fits the value column of a default-width
            // panel.
            |ui| wrapped(ui, RichText::new(&value).monospace().size(11.0)),
        );
    });
}
