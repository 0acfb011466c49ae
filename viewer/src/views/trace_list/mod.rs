//! One row per trace: root service and operation, start, duration, span count, services,
//! errors. Sortable; filtered by service, operation, duration range, tag `key=value`, errors,
//! N+1 findings.
//! The filtered order ([`crate::filter`]) is recomputed when a filter changes, a few
//! milliseconds per frame (a filter over 17,000 traces never stalls a frame; the list shows
//! "Filtering … n%" meanwhile), and rows are virtualised. Above them, the traces a backend
//! search found ([`found`]).

pub mod found;

use std::time::Duration;

use eframe::egui::{self, Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::colors;
use crate::filter::{FilteredTraces, SortBy};
use crate::focus::Focus;
use crate::index::{Index, Trace};
use crate::load::Document;
use crate::text;
use crate::units;
use crate::views::View;
use found::FoundTraces;

const ROW_H: f32 = 38.0;

/// State of the trace list: the filter engine's state, edited by the fields above the rows,
/// and what the last backend search found.
#[derive(Debug, Clone, Default)]
pub struct TraceListView {
    pub filtered: FilteredTraces,
    /// Traces a backend search found (listed above the document's traces until cleared).
    pub found: Option<FoundTraces>,
}

/// Work a frame may spend filtering before it shows what it has and continues next frame.
pub const FRAME_BUDGET: Duration = Duration::from_millis(5);

impl TraceListView {
    /// The service map's filter (traces through a service or call), shown with a way out.
    fn through(&mut self, ui: &mut Ui, focus: &mut Focus) {
        if self.filtered.filter.through != focus.through {
            self.filtered.filter.through = focus.through.clone();
            self.filtered.invalidate();
        }
        if let Some(through) = &focus.through {
            let text = format!("Through {through}");
            ui.horizontal(|ui| {
                ui.label(text);
                if ui.small_button("Clear").clicked() {
                    focus.through = None;
                }
            });
        }
    }

    fn filters(&mut self, ui: &mut Ui, index: &Index) {
        let before = (
            self.filtered.filter.clone(),
            self.filtered.sort,
            self.filtered.descending,
        );
        egui::Grid::new("trace-filters")
            .num_columns(2)
            .show(ui, |ui| {
                self.service_combo(ui, index);
                labelled_edit(
                    ui,
                    "Operation",
                    &mut self.filtered.filter.operation,
                    "name contains",
                );
                labelled_edit(
                    ui,
                    "Min duration",
                    &mut self.filtered.filter.min_duration,
                    "e.g. 100ms",
                );
                labelled_edit(
                    ui,
                    "Max duration",
                    &mut self.filtered.filter.max_duration,
                    "e.g. 2s",
                );
                labelled_edit(ui, "Tag", &mut self.filtered.filter.tag, "key=value");
                ui.label("");
                ui.horizontal(|ui| {
                    ui.checkbox(&mut self.filtered.filter.errors_only, "Errors only");
                    ui.checkbox(&mut self.filtered.filter.n_plus_one, "Has N+1")
                        .on_hover_text("Traces with 5 or more sequential calls of one operation under one parent");
                });
                ui.end_row();
            });
        self.sort_buttons(ui);
        if before
            != (
                self.filtered.filter.clone(),
                self.filtered.sort,
                self.filtered.descending,
            )
        {
            self.filtered.invalidate();
        }
    }

    /// The label in the first column, the combo box in the second.
    fn service_combo(&mut self, ui: &mut Ui, index: &Index) {
        let label = ui.label("Service");
        let selected = if self.filtered.filter.service.is_empty() {
            "any"
        } else {
            self.filtered.filter.service.as_str()
        };
        let combo = egui::ComboBox::from_id_salt("service-filter")
            .selected_text(selected.to_owned())
            .width(FIELD_W)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.filtered.filter.service, String::new(), "any");
                for s in &index.services {
                    ui.selectable_value(&mut self.filtered.filter.service, s.clone(), s);
                }
            });
        combo.response.labelled_by(label.id);
        ui.end_row();
    }

    /// One row at the list's width: the column in a combo box, then the direction as a
    /// toggle button. Picking another column starts it in its natural direction (longest,
    /// most spans, most errors first; earliest start and names A to Z).
    fn sort_buttons(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            let label = ui.label("Sort");
            let mut sort = self.filtered.sort;
            egui::ComboBox::from_id_salt("trace-sort")
                .selected_text(sort_name(sort))
                .width(90.0)
                .show_ui(ui, |ui| {
                    for s in SORTS {
                        ui.selectable_value(&mut sort, s, sort_name(s));
                    }
                })
                .response
                .labelled_by(label.id);
            if sort != self.filtered.sort {
                self.filtered.sort = sort;
                self.filtered.descending =
                    matches!(sort, SortBy::Duration | SortBy::Spans | SortBy::Errors);
            }
            let direction = if self.filtered.descending {
                "Descending"
            } else {
                "Ascending"
            };
            if ui
                .button(direction)
                .on_hover_text("Reverse the order")
                .clicked()
            {
                self.filtered.descending = !self.filtered.descending;
            }
        });
    }
}

/// The sort columns in the order the combo box lists them.
const SORTS: [SortBy; 5] = [
    SortBy::Start,
    SortBy::Duration,
    SortBy::Spans,
    SortBy::Errors,
    SortBy::Name,
];

fn sort_name(sort: SortBy) -> &'static str {
    match sort {
        SortBy::Start => "Start",
        SortBy::Duration => "Duration",
        SortBy::Spans => "Spans",
        SortBy::Errors => "Errors",
        SortBy::Name => "Name",
    }
}

/// Width of the filter fields.
const FIELD_W: f32 = 150.0;

fn labelled_edit(ui: &mut Ui, label: &str, text: &mut String, hint: &str) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(FIELD_W),
    )
    .labelled_by(l.id);
    ui.end_row();
}

impl View for TraceListView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        self.through(ui, focus);
        if let Some(found) = &mut self.found
            && found.ui(ui, doc, focus)
        {
            self.found = None;
        }
        self.filters(ui, &doc.index);
        let total = doc.index.traces.len();
        if !self.filtered.advance(doc, Some(FRAME_BUDGET)) {
            ui.ctx().request_repaint();
        }
        let rows = self.filtered.shown();
        match self.filtered.progress(doc) {
            Some(done) => ui.label(format!("Filtering … {:.0}%", done * 100.0)),
            None => ui.label(format!("{} of {total} traces", rows.len())),
        };
        ui.separator();
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("trace-list")
            .auto_shrink([false, false])
            .show_rows(ui, ROW_H, rows.len(), |ui, range| {
                for &t in &rows[range] {
                    let trace = &doc.index.traces[t as usize];
                    let pick = compare_pick(focus, t as usize);
                    let response = row(ui, doc, trace, focus.trace == Some(t as usize), pick);
                    if response.clicked() {
                        clicked = Some(t as usize);
                    }
                    response.context_menu(|ui| compare_menu(ui, focus, t as usize, rows));
                }
            });
        if let Some(t) = clicked {
            focus.select_trace(doc, Some(t));
        }
    }
}

/// "A" or "B" when the trace is picked for a comparison.
fn compare_pick(focus: &Focus, t: usize) -> Option<&'static str> {
    match (focus.compare_a == Some(t), focus.compare_b == Some(t)) {
        (true, true) => Some("A and B"),
        (true, false) => Some("A"),
        (false, true) => Some("B"),
        (false, false) => None,
    }
}

/// Picks the trace as A or B of a comparison, or the listed traces as set A or B.
fn compare_menu(ui: &mut Ui, focus: &mut Focus, t: usize, listed: &[u32]) {
    if ui.button("Compare: set as A").clicked() {
        focus.pick_compare_a(t);
        ui.close();
    }
    if ui.button("Compare with A (as B)").clicked() {
        focus.pick_compare_b(t);
        ui.close();
    }
    ui.separator();
    for (side, text) in [(0, "set A"), (1, "set B")] {
        let label = format!("Compare sets: the {} listed traces as {text}", listed.len());
        if ui.button(label).clicked() {
            focus.pick_compare_set(side, listed);
            ui.close();
        }
    }
}

/// Paints one trace row; its response (clicks, the context menu).
fn row(
    ui: &mut Ui,
    doc: &Document,
    trace: &Trace,
    selected: bool,
    pick: Option<&str>,
) -> egui::Response {
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let mut label = trace.label(&doc.index);
    if doc.live && trace.roots.is_empty() && doc.received_traces.contains(&trace.trace_id) {
        // Spans still arrive and the root has not: the trace is not complete yet.
        label.push_str(" (in progress)");
    }
    let response = ui.interact(
        rect,
        Id::unique(("trace-row", trace.trace_id)),
        Sense::click(),
    );
    let info = label.clone();
    response.widget_info(move || WidgetInfo::selected(Role::Button, true, selected, &info));
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    if selected {
        painter.rect_filled(rect, 3.0, colors::selected_row(visuals));
    } else if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    painter.rect_filled(
        Rect::from_min_size(
            pos2(rect.left() + 2.0, rect.top() + 4.0),
            vec2(4.0, ROW_H - 8.0),
        ),
        1.0,
        colors::service(trace.root_service),
    );
    row_text(&painter, visuals, (doc, trace, pick), &label, rect);
    response
}

/// The two lines of a row: label and duration, then start, spans, services and errors. Each
/// left part is cut with an ellipsis where the right part begins.
fn row_text(
    painter: &egui::Painter,
    visuals: &egui::Visuals,
    (doc, trace, pick): (&Document, &Trace, Option<&str>),
    label: &str,
    rect: Rect,
) {
    let (top, bottom) = (rect.top() + 10.0, rect.top() + 27.0);
    let left = rect.left() + 10.0;
    let strong = visuals.strong_text_color();
    let right = painter.text(
        pos2(rect.right() - 4.0, top),
        Align2::RIGHT_CENTER,
        units::duration(trace.duration()),
        FontId::proportional(13.0),
        strong,
    );
    let font = FontId::proportional(13.0);
    let width = right.left() - 8.0 - left;
    text::fitted(
        painter,
        pos2(left, top),
        Align2::LEFT_CENTER,
        label,
        font,
        strong,
        width,
    );
    let err = if trace.error_count > 0 {
        let plural = if trace.error_count == 1 { "" } else { "s" };
        painter.text(
            pos2(rect.right() - 4.0, bottom),
            Align2::RIGHT_CENTER,
            format!("{} error{plural}", trace.error_count),
            FontId::proportional(11.0),
            colors::error_text(visuals),
        )
    } else {
        Rect::from_min_max(pos2(rect.right(), bottom), pos2(rect.right(), bottom))
    };
    let services: Vec<&str> = trace
        .services
        .iter()
        .map(|&s| doc.index.service_name(s))
        .collect();
    let mut info = format!(
        "{}  ·  {} span{}  ·  {}",
        units::time_of_day(trace.start),
        trace.span_count,
        if trace.span_count == 1 { "" } else { "s" },
        services.join(", ")
    );
    if !trace.orphans.is_empty() {
        info.push_str("  ·  incomplete");
    }
    if let Some(pick) = pick {
        info = format!("{pick}  ·  {info}");
    }
    let font = FontId::proportional(11.0);
    let weak = visuals.weak_text_color();
    let width = err.left() - 8.0 - left;
    text::fitted(
        painter,
        pos2(left, bottom),
        Align2::LEFT_CENTER,
        &info,
        font,
        weak,
        width,
    );
}
