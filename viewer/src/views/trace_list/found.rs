//! Traces a backend search found, as rows above the document's traces: service, operation,
//! start, duration and span count as the backend reports them. A click on a trace already in
//! the document opens it at once; any other asks the app to fetch it (the row then shows how
//! much has arrived, or why the fetch failed).

use std::sync::Arc;

use eframe::egui::{self, Align2, FontId, Id, Role, Sense, Ui, WidgetInfo, pos2, vec2};
use spindle_formats::TraceId;

use crate::backends::progress::Progress;
use crate::backends::search::Summary;
use crate::colors;
use crate::focus::Focus;
use crate::load::Document;
use crate::units;

use super::ROW_H;

/// What a search found and where, with each row's fetch state.
#[derive(Debug, Clone, Default)]
pub struct FoundTraces {
    /// Where they were found ("Jaeger at http://localhost:16686").
    pub source: String,
    /// The traces, in the backend's order.
    pub rows: Vec<FoundRow>,
    /// A row clicked whose trace is not in the document yet: the app fetches it.
    pub wanted: Option<usize>,
}

/// One trace found.
#[derive(Debug, Clone)]
pub struct FoundRow {
    /// What the backend said about it.
    pub summary: Summary,
    /// Whether it is being fetched, or why its fetch failed.
    pub state: FoundState,
}

/// A found trace's fetch, as far as the row shows it.
#[derive(Debug, Clone)]
pub enum FoundState {
    /// Not asked for (or fetched: then it is in the document).
    Listed,
    /// Being fetched: how much has arrived.
    Fetching(Arc<Progress>),
    /// The last fetch failed, in plain words.
    Failed(String),
}

impl FoundTraces {
    /// The rows for `found`, none being fetched.
    pub fn new(source: String, found: Vec<Summary>) -> FoundTraces {
        let rows = found
            .into_iter()
            .map(|summary| FoundRow {
                summary,
                state: FoundState::Listed,
            })
            .collect();
        FoundTraces {
            source,
            rows,
            wanted: None,
        }
    }

    /// The row of trace `id` (lower-case hex as the backend's summaries hold it).
    pub fn row_mut(&mut self, id: &str) -> Option<&mut FoundRow> {
        self.rows.iter_mut().find(|r| r.summary.id == id)
    }

    /// The heading, then the rows (at most a third of the panel; they scroll). Returns
    /// whether Clear was clicked.
    pub(super) fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) -> bool {
        let mut clear = false;
        ui.horizontal(|ui| {
            let n = self.rows.len();
            let plural = if n == 1 { "" } else { "s" };
            clear = ui.small_button("Clear").clicked();
            // Cut, not widened: a long URL must not push the panel wider.
            let heading = format!("Found {n} trace{plural} in {}", self.source);
            ui.add(egui::Label::new(egui::RichText::new(heading).strong()).truncate());
        });
        let height = (ui.available_height() / 3.0).max(ROW_H * 2.0);
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("found-traces")
            .max_height(height)
            .auto_shrink([false, true])
            .show_rows(ui, ROW_H, self.rows.len(), |ui, range| {
                for i in range {
                    let row = &self.rows[i];
                    let open = trace_of(&row.summary).and_then(|t| doc.index.trace_index(t));
                    let selected = open.is_some() && open == focus.trace;
                    if found_row(ui, row, open.is_some(), selected).clicked() {
                        clicked = Some((i, open));
                    }
                }
            });
        match clicked {
            Some((_, Some(t))) => focus.select_trace(doc, Some(t)),
            Some((i, None)) => {
                self.wanted = Some(i);
                ui.ctx().request_repaint();
            }
            None => {}
        }
        ui.separator();
        clear
    }
}

fn trace_of(summary: &Summary) -> Option<TraceId> {
    u128::from_str_radix(&summary.id, 16).ok().map(TraceId)
}

/// Paints one found trace: "service: operation" and the duration, then the start and span
/// count (or the fetch's progress, or why it failed).
fn found_row(ui: &mut Ui, row: &FoundRow, open: bool, selected: bool) -> egui::Response {
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let s = &row.summary;
    let service = if s.service.is_empty() {
        "?"
    } else {
        &s.service
    };
    let name = if s.name.is_empty() {
        "(root not known)"
    } else {
        &s.name
    };
    let label = format!("{service}: {name}");
    let detail = detail(row, open);
    let response = ui.interact(rect, Id::unique(("found-row", &s.id)), Sense::click());
    let info = format!("{label} ({}) {detail}", s.id);
    response.widget_info(move || WidgetInfo::selected(Role::Button, true, selected, &info));
    let visuals = ui.visuals();
    let painter = ui.painter_at(rect);
    if selected {
        painter.rect_filled(rect, 3.0, colors::selected_row(visuals));
    } else if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let (top, bottom) = (rect.top() + 10.0, rect.top() + 27.0);
    let left = rect.left() + 10.0;
    let strong = visuals.strong_text_color();
    let right = painter.text(
        pos2(rect.right() - 4.0, top),
        Align2::RIGHT_CENTER,
        units::duration(s.duration_nanos),
        FontId::proportional(13.0),
        strong,
    );
    let width = right.left() - 8.0 - left;
    let top_left = pos2(left, top);
    crate::text::fitted(
        &painter,
        top_left,
        Align2::LEFT_CENTER,
        &label,
        FontId::proportional(13.0),
        strong,
        width,
    );
    let colour = match row.state {
        FoundState::Failed(_) => colors::error_text(visuals),
        _ => visuals.weak_text_color(),
    };
    crate::text::fitted(
        &painter,
        pos2(left, bottom),
        Align2::LEFT_CENTER,
        &detail,
        FontId::proportional(11.0),
        colour,
        rect.right() - 4.0 - left,
    );
    response
}

/// The row's second line.
fn detail(row: &FoundRow, open: bool) -> String {
    let s = &row.summary;
    match &row.state {
        FoundState::Fetching(progress) => format!("Fetching: {}…", progress.describe()),
        FoundState::Failed(why) => format!("Could not fetch: {why}"),
        FoundState::Listed => {
            let spans = match s.span_count {
                Some(1) => "1 span".to_string(),
                Some(n) => format!("{} spans", units::count(n as u64)),
                None => "spans not counted".to_string(),
            };
            let start = match s.start_unix_nanos {
                0 => "start not known".to_string(),
                t => units::time_of_day(t),
            };
            let state = if open { "  ·  open" } else { "" };
            format!("{start}  ·  {spans}{state}")
        }
    }
}
