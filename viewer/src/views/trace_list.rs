//! One row per trace: root service and operation, start, duration, span count, services,
//! errors. Sortable; filtered by service, operation, duration range, tag `key=value`, errors.
//! The filtered order is computed when a filter changes, and rows are virtualised.

use eframe::egui::{self, Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};

use crate::colors;
use crate::index::{Index, Trace};
use crate::load::Document;
use crate::units;
use crate::views::{Focus, View};

const ROW_H: f32 = 38.0;

/// Sort key of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum SortBy {
    #[default]
    Start,
    Duration,
    Spans,
    Errors,
    Name,
}

/// The filters above the list, as typed.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListFilter {
    /// Exact service name, empty for any.
    pub service: String,
    /// Substring of any span name in the trace (case-insensitive).
    pub operation: String,
    /// Duration bounds as typed: a number with an optional unit (ns, us, ms, s); ms by default.
    pub min_duration: String,
    pub max_duration: String,
    /// `key=value` (or just `key`) on any span or its resource.
    pub tag: String,
    pub errors_only: bool,
}

/// State of the trace list.
#[derive(Debug, Clone, Default)]
pub struct TraceListView {
    pub filter: ListFilter,
    pub sort: SortBy,
    pub descending: bool,
    /// Trace indices in display order, after filtering; `None` when it needs a rebuild.
    rows: Option<Vec<u32>>,
}

/// Parses `1.5`, `1.5ms`, `200 us`, `2s`, `40ns` into nanoseconds (milliseconds by default).
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "ms" => 1e6,
        "s" => 1e9,
        "us" | "µs" => 1e3,
        "ns" => 1.0,
        _ => return None,
    };
    Some((value * scale) as u64)
}

impl TraceListView {
    /// An unfiltered list with this sort order.
    pub fn sorted(sort: SortBy, descending: bool) -> Self {
        TraceListView {
            sort,
            descending,
            ..TraceListView::default()
        }
    }

    /// Forgets the filtered order (after a load or a filter change).
    pub fn invalidate(&mut self) {
        self.rows = None;
    }

    /// Trace indices in display order.
    pub fn rows(&mut self, doc: &Document) -> &[u32] {
        if self.rows.is_none() {
            self.rows = Some(self.compute(doc));
        }
        self.rows.as_deref().unwrap_or(&[])
    }

    fn compute(&self, doc: &Document) -> Vec<u32> {
        let index = &doc.index;
        let f = &self.filter;
        let service = index
            .services
            .iter()
            .position(|s| *s == f.service)
            .map(|s| s as u32);
        let min = parse_duration(&f.min_duration);
        let max = parse_duration(&f.max_duration);
        let operation = f.operation.trim().to_lowercase();
        let (tag_key, tag_value) = match f.tag.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (f.tag.trim(), None),
        };
        let mut rows: Vec<u32> = (0..index.traces.len() as u32)
            .filter(|&t| {
                let trace = &index.traces[t as usize];
                (f.service.is_empty() || service.is_some_and(|s| trace.services.contains(&s)))
                    && (!f.errors_only || trace.error_count > 0)
                    && min.is_none_or(|m| trace.duration() >= m)
                    && max.is_none_or(|m| trace.duration() <= m)
                    && (operation.is_empty()
                        || any_span(doc, trace, |s| s.name.to_lowercase().contains(&operation)))
                    && (tag_key.is_empty() || has_tag(doc, trace, tag_key, tag_value))
            })
            .collect();
        let key = |t: &u32| &index.traces[*t as usize];
        match self.sort {
            SortBy::Start => rows.sort_by_key(|t| key(t).start),
            SortBy::Duration => rows.sort_by_key(|t| key(t).duration()),
            SortBy::Spans => rows.sort_by_key(|t| key(t).span_count),
            SortBy::Errors => rows.sort_by_key(|t| key(t).error_count),
            SortBy::Name => rows.sort_by_cached_key(|t| key(t).label(index)),
        }
        if self.descending {
            rows.reverse();
        }
        rows
    }

    fn filters(&mut self, ui: &mut Ui, index: &Index) {
        let before = (self.filter.clone(), self.sort, self.descending);
        egui::Grid::new("trace-filters")
            .num_columns(2)
            .show(ui, |ui| {
                ui.label("");
                egui::ComboBox::new("service-filter", "Service")
                    .selected_text(if self.filter.service.is_empty() {
                        "any"
                    } else {
                        &self.filter.service
                    })
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.filter.service, String::new(), "any");
                        for s in &index.services {
                            ui.selectable_value(&mut self.filter.service, s.clone(), s);
                        }
                    });
                ui.end_row();
                labelled_edit(ui, "Operation", &mut self.filter.operation, "name contains");
                labelled_edit(
                    ui,
                    "Min duration",
                    &mut self.filter.min_duration,
                    "e.g. 100ms",
                );
                labelled_edit(ui, "Max duration", &mut self.filter.max_duration, "e.g. 2s");
                labelled_edit(ui, "Tag", &mut self.filter.tag, "key=value");
                ui.label("");
                ui.checkbox(&mut self.filter.errors_only, "Errors only");
                ui.end_row();
            });
        ui.horizontal_wrapped(|ui| {
            ui.weak("Sort:");
            for (sort, name) in [
                (SortBy::Start, "Start"),
                (SortBy::Duration, "Duration"),
                (SortBy::Spans, "Spans"),
                (SortBy::Errors, "Errors"),
                (SortBy::Name, "Name"),
            ] {
                let arrow = if self.sort == sort {
                    if self.descending { " (desc)" } else { " (asc)" }
                } else {
                    ""
                };
                if ui
                    .selectable_label(self.sort == sort, format!("{name}{arrow}"))
                    .clicked()
                {
                    if self.sort == sort {
                        self.descending = !self.descending;
                    } else {
                        self.sort = sort;
                        self.descending =
                            matches!(sort, SortBy::Duration | SortBy::Spans | SortBy::Errors);
                    }
                }
            }
        });
        if before != (self.filter.clone(), self.sort, self.descending) {
            self.invalidate();
        }
    }
}

fn labelled_edit(ui: &mut Ui, label: &str, text: &mut String, hint: &str) {
    let l = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(text)
            .hint_text(hint)
            .desired_width(150.0),
    )
    .labelled_by(l.id);
    ui.end_row();
}

fn any_span(doc: &Document, trace: &Trace, pred: impl Fn(&spindle_formats::Span) -> bool) -> bool {
    trace
        .order
        .iter()
        .filter_map(|n| n.span())
        .any(|i| pred(&doc.data.spans[i]))
}

fn has_tag(doc: &Document, trace: &Trace, key: &str, value: Option<&str>) -> bool {
    let matches = |attrs: &[spindle_formats::KeyValue]| {
        attrs
            .iter()
            .any(|kv| kv.key == key && value.is_none_or(|v| kv.value.to_string() == v))
    };
    any_span(doc, trace, |s| {
        matches(&s.attributes) || matches(&doc.data.resource_of(s).attributes)
    })
}

impl View for TraceListView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        self.filters(ui, &doc.index);
        let total = doc.index.traces.len();
        let rows = self.rows(doc).to_vec();
        ui.label(format!("{} of {total} traces", rows.len()));
        ui.separator();
        let mut clicked = None;
        egui::ScrollArea::vertical()
            .id_salt("trace-list")
            .auto_shrink([false, false])
            .show_rows(ui, ROW_H, rows.len(), |ui, range| {
                for &t in &rows[range] {
                    if row(
                        ui,
                        doc,
                        &doc.index.traces[t as usize],
                        focus.trace == Some(t as usize),
                    ) {
                        clicked = Some(t as usize);
                    }
                }
            });
        if let Some(t) = clicked {
            focus.select_trace(doc, Some(t));
        }
    }
}

/// Paints one trace row; true when clicked.
fn row(ui: &mut Ui, doc: &Document, trace: &Trace, selected: bool) -> bool {
    let index = &doc.index;
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let label = trace.label(index);
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
        painter.rect_filled(rect, 3.0, visuals.selection.bg_fill.gamma_multiply(0.6));
    } else if response.hovered() {
        painter.rect_filled(rect, 3.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let top = rect.top() + 10.0;
    let bottom = rect.top() + 27.0;
    painter.rect_filled(
        Rect::from_min_size(
            pos2(rect.left() + 2.0, rect.top() + 4.0),
            vec2(4.0, ROW_H - 8.0),
        ),
        1.0,
        colors::service(trace.root_service),
    );
    let right = painter.text(
        pos2(rect.right() - 4.0, top),
        Align2::RIGHT_CENTER,
        units::duration(trace.duration()),
        FontId::proportional(13.0),
        visuals.strong_text_color(),
    );
    painter
        .with_clip_rect(Rect::from_min_max(
            rect.min,
            pos2(right.left() - 6.0, rect.bottom()),
        ))
        .text(
            pos2(rect.left() + 10.0, top),
            Align2::LEFT_CENTER,
            &label,
            FontId::proportional(13.0),
            visuals.strong_text_color(),
        );
    let services: Vec<&str> = trace
        .services
        .iter()
        .map(|&s| index.service_name(s))
        .collect();
    let mut info = format!(
        "{}  ·  {} spans  ·  {}",
        units::time_of_day(trace.start),
        trace.span_count,
        services.join(", ")
    );
    if !trace.orphans.is_empty() {
        info.push_str("  ·  incomplete");
    }
    let err = if trace.error_count > 0 {
        painter.text(
            pos2(rect.right() - 4.0, bottom),
            Align2::RIGHT_CENTER,
            format!(
                "{} error{}",
                trace.error_count,
                if trace.error_count == 1 { "" } else { "s" }
            ),
            FontId::proportional(11.0),
            colors::ERROR,
        )
    } else {
        Rect::from_min_max(pos2(rect.right(), bottom), pos2(rect.right(), bottom))
    };
    painter
        .with_clip_rect(Rect::from_min_max(
            rect.min,
            pos2(err.left() - 6.0, rect.bottom()),
        ))
        .text(
            pos2(rect.left() + 10.0, bottom),
            Align2::LEFT_CENTER,
            info,
            FontId::proportional(11.0),
            visuals.weak_text_color(),
        );
    response.clicked()
}
