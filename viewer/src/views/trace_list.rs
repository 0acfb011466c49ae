//! One row per trace: root service and operation, start, duration, span count, services,
//! errors. Sortable; filtered by service, operation, duration range, tag `key=value`, errors.
//! The filtered order is recomputed when a filter changes, a few milliseconds per frame (a
//! filter over 17,000 traces never stalls a frame; the list shows "Filtering … n%" meanwhile),
//! and rows are virtualised.

use std::time::{Duration, Instant};

use eframe::egui::{self, Align2, FontId, Id, Rect, Role, Sense, Ui, WidgetInfo, pos2, vec2};
use spindle_formats::{KeyValue, Span, Value};

use crate::colors;
use crate::index::{Index, Trace, contains_lowercase};
use crate::load::Document;
use crate::text;
use crate::units;
use crate::focus::Focus;
use crate::views::View;

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
#[derive(Debug, Clone)]
pub struct TraceListView {
    pub filter: ListFilter,
    pub sort: SortBy,
    pub descending: bool,
    /// Trace indices in display order from the last finished pass.
    rows: Vec<u32>,
    /// The filter pass under way; `None` once `rows` is up to date.
    pass: Option<Pass>,
}

impl Default for TraceListView {
    /// Unfiltered, by start time, with a pass pending.
    fn default() -> Self {
        TraceListView {
            filter: ListFilter::default(),
            sort: SortBy::default(),
            descending: false,
            rows: Vec::new(),
            pass: Some(Pass::default()),
        }
    }
}

/// A filter pass spread over frames: traces before `next` have been checked.
#[derive(Debug, Clone, Default)]
struct Pass {
    next: usize,
    kept: Vec<u32>,
}

/// Work a frame may spend filtering before it shows what it has and continues next frame.
pub const FRAME_BUDGET: Duration = Duration::from_millis(5);
/// Traces checked between two looks at the clock.
const CHUNK: usize = 64;

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

    /// Starts a new filter pass (after a load or a filter change); the old rows stay on screen
    /// until it is done.
    pub fn invalidate(&mut self) {
        self.pass = Some(Pass::default());
    }

    /// Trace indices in display order, finishing any pass first.
    pub fn rows(&mut self, doc: &Document) -> &[u32] {
        while !self.advance(doc, None) {}
        &self.rows
    }

    /// How far the running pass is (0..1), `None` when the rows are up to date.
    pub fn progress(&self, doc: &Document) -> Option<f32> {
        let total = doc.index.traces.len().max(1);
        self.pass.as_ref().map(|p| p.next as f32 / total as f32)
    }

    /// Continues the filter pass for about `budget` (all of it when `None`); true when the
    /// rows are up to date.
    pub fn advance(&mut self, doc: &Document, budget: Option<Duration>) -> bool {
        let Some(mut pass) = self.pass.take() else {
            return true;
        };
        let started = Instant::now();
        let matcher = Matcher::new(doc, &self.filter);
        let traces = &doc.index.traces;
        while pass.next < traces.len() {
            let end = (pass.next + CHUNK).min(traces.len());
            let kept = (pass.next..end).filter(|&t| matcher.keeps(&traces[t]));
            pass.kept.extend(kept.map(|t| t as u32));
            pass.next = end;
            if budget.is_some_and(|b| started.elapsed() >= b) {
                break;
            }
        }
        if pass.next < traces.len() {
            self.pass = Some(pass);
            return false;
        }
        self.rows = pass.kept;
        self.sort_rows(&doc.index);
        true
    }

    fn sort_rows(&mut self, index: &Index) {
        let rows = &mut self.rows;
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
    }

    fn filters(&mut self, ui: &mut Ui, index: &Index) {
        let before = (self.filter.clone(), self.sort, self.descending);
        egui::Grid::new("trace-filters")
            .num_columns(2)
            .show(ui, |ui| {
                self.service_combo(ui, index);
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
        self.sort_buttons(ui);
        if before != (self.filter.clone(), self.sort, self.descending) {
            self.invalidate();
        }
    }

    /// The label in the first column, the combo box in the second.
    fn service_combo(&mut self, ui: &mut Ui, index: &Index) {
        let label = ui.label("Service");
        let selected = if self.filter.service.is_empty() {
            "any"
        } else {
            self.filter.service.as_str()
        };
        let combo = egui::ComboBox::from_id_salt("service-filter")
            .selected_text(selected.to_owned())
            .width(FIELD_W)
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.filter.service, String::new(), "any");
                for s in &index.services {
                    ui.selectable_value(&mut self.filter.service, s.clone(), s);
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
            let mut sort = self.sort;
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
            if sort != self.sort {
                self.sort = sort;
                self.descending = matches!(sort, SortBy::Duration | SortBy::Spans | SortBy::Errors);
            }
            let direction = if self.descending {
                "Descending"
            } else {
                "Ascending"
            };
            if ui
                .button(direction)
                .on_hover_text("Reverse the order")
                .clicked()
            {
                self.descending = !self.descending;
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

/// The filter, parsed once per pass step.
struct Matcher<'a> {
    doc: &'a Document,
    /// `None`: any service; `Some(None)`: a service that is not loaded (nothing matches).
    service: Option<Option<u32>>,
    min: Option<u64>,
    max: Option<u64>,
    errors_only: bool,
    /// Lower-case substring of a span name, empty for any.
    operation: String,
    tag: Option<TagQuery<'a>>,
    /// Per resource: whether its attributes satisfy the tag query.
    resource_tag: Vec<bool>,
}

/// `key=value` or just `key`.
struct TagQuery<'a> {
    key: &'a str,
    value: Option<&'a str>,
    as_int: Option<i64>,
}

impl TagQuery<'_> {
    fn matches(&self, attributes: &[KeyValue]) -> bool {
        attributes
            .iter()
            .any(|kv| kv.key.as_ref() == self.key && self.value_matches(&kv.value))
    }

    /// Compares without formatting strings, ints and bools (the common cases).
    fn value_matches(&self, value: &Value) -> bool {
        let Some(text) = self.value else {
            return true;
        };
        match value {
            Value::Str(s) => s.as_ref() == text,
            Value::I64(i) => self.as_int == Some(*i),
            Value::Bool(b) => text == if *b { "true" } else { "false" },
            other => other.to_string() == text,
        }
    }
}

impl<'a> Matcher<'a> {
    fn new(doc: &'a Document, f: &'a ListFilter) -> Self {
        let service = (!f.service.is_empty()).then(|| {
            doc.index
                .services
                .iter()
                .position(|s| *s == f.service)
                .map(|s| s as u32)
        });
        let tag = f.tag.trim();
        let tag = (!tag.is_empty()).then(|| {
            let (key, value) = match tag.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (tag, None),
            };
            TagQuery {
                key,
                value,
                as_int: value.and_then(|v| v.parse().ok()),
            }
        });
        let resource_tag = match &tag {
            Some(q) => doc
                .data
                .resources
                .iter()
                .map(|r| q.matches(&r.attributes))
                .collect(),
            None => Vec::new(),
        };
        Matcher {
            doc,
            service,
            min: parse_duration(&f.min_duration),
            max: parse_duration(&f.max_duration),
            errors_only: f.errors_only,
            operation: f.operation.trim().to_lowercase(),
            tag,
            resource_tag,
        }
    }

    /// Cheap summary checks first, then the per-span ones.
    fn keeps(&self, trace: &Trace) -> bool {
        let summary = self
            .service
            .is_none_or(|s| s.is_some_and(|s| trace.services.contains(&s)))
            && (!self.errors_only || trace.error_count > 0)
            && self.min.is_none_or(|m| trace.duration() >= m)
            && self.max.is_none_or(|m| trace.duration() <= m);
        summary
            && (self.operation.is_empty()
                || self.any_span(trace, |s| contains_lowercase(&s.name, &self.operation)))
            && self.tag.as_ref().is_none_or(|q| {
                self.any_span(trace, |s| {
                    self.resource_tag
                        .get(s.resource.0 as usize)
                        .copied()
                        .unwrap_or(false)
                        || q.matches(&s.attributes)
                })
            })
    }

    fn any_span(&self, trace: &Trace, pred: impl Fn(&Span) -> bool) -> bool {
        trace
            .order
            .iter()
            .filter_map(|n| n.span())
            .any(|i| pred(&self.doc.data.spans[i]))
    }
}

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
        self.filters(ui, &doc.index);
        let total = doc.index.traces.len();
        if !self.advance(doc, Some(FRAME_BUDGET)) {
            ui.ctx().request_repaint();
        }
        let rows = &self.rows;
        match self.progress(doc) {
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
                    if row(ui, doc, trace, focus.trace == Some(t as usize)) {
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
    let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), ROW_H), Sense::hover());
    let label = trace.label(&doc.index);
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
    row_text(&painter, visuals, doc, trace, &label, rect);
    response.clicked()
}

/// The two lines of a row: label and duration, then start, spans, services and errors. Each
/// left part is cut with an ellipsis where the right part begins.
fn row_text(
    painter: &egui::Painter,
    visuals: &egui::Visuals,
    doc: &Document,
    trace: &Trace,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;

    /// The filter as a plain full pass that formats every value: the reference.
    fn naive(doc: &Document, f: &ListFilter) -> Vec<u32> {
        let (key, value) = match f.tag.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (f.tag.trim(), None),
        };
        let has = |attrs: &[KeyValue]| {
            attrs
                .iter()
                .any(|kv| kv.key.as_ref() == key && value.is_none_or(|v| kv.value.to_string() == v))
        };
        let op = f.operation.to_lowercase();
        let mut rows: Vec<u32> = (0..doc.index.traces.len() as u32)
            .filter(|&t| {
                let trace = &doc.index.traces[t as usize];
                let spans = || trace.order.iter().filter_map(|n| n.span());
                (f.service.is_empty()
                    || trace
                        .services
                        .iter()
                        .any(|&s| doc.index.service_name(s) == f.service))
                    && parse_duration(&f.min_duration).is_none_or(|m| trace.duration() >= m)
                    && (op.is_empty()
                        || spans().any(|i| doc.data.spans[i].name.to_lowercase().contains(&op)))
                    && (key.is_empty()
                        || spans().any(|i| {
                            let s = &doc.data.spans[i];
                            has(&s.attributes) || has(&doc.data.resource_of(s).attributes)
                        }))
            })
            .collect();
        rows.sort_by_key(|&t| doc.index.traces[t as usize].start);
        rows
    }

    #[test]
    fn incremental_pass_equals_full_pass() {
        let doc = Document::from_data(fixture::many_traces(600, 20));
        let filters = [
            ListFilter::default(),
            ListFilter {
                tag: "peer=cart".into(),
                ..ListFilter::default()
            },
            ListFilter {
                tag: "n=7".into(),
                operation: "PUB".into(),
                ..ListFilter::default()
            },
            ListFilter {
                tag: "host.name=db-1".into(),
                service: "db".into(),
                min_duration: "1ms".into(),
                ..ListFilter::default()
            },
            ListFilter {
                tag: "n=9999".into(),
                ..ListFilter::default()
            },
        ];
        for filter in filters {
            let mut full = TraceListView {
                filter: filter.clone(),
                ..TraceListView::default()
            };
            full.invalidate();
            let expected = full.rows(&doc).to_vec();
            assert_eq!(expected, naive(&doc, &filter), "{filter:?}");
            let mut stepped = full.clone();
            stepped.invalidate();
            let mut frames = 1;
            while !stepped.advance(&doc, Some(Duration::ZERO)) {
                assert!(stepped.progress(&doc).is_some_and(|p| p < 1.0));
                frames += 1;
            }
            assert!(frames >= 600 / CHUNK, "{frames} frames");
            assert_eq!(stepped.rows, expected, "{filter:?}");
            assert_eq!(stepped.progress(&doc), None);
        }
    }
}
