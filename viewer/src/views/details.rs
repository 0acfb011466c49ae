//! Everything about the selected span: ids (copyable), times absolute and relative, self time,
//! time on the critical path, status, typed attributes (sortable, copyable), events, links (clickable when loaded) and
//! the resource.

use eframe::egui::{self, RichText, Ui};
use spindle_formats::{KeyValue, Span, Status, Value};

use crate::colors;
use crate::focus::Focus;
use crate::index::{Node, Trace};
use crate::load::Document;
use crate::units;
use crate::views::View;
use crate::views::widgets::{copy_row, field, span_label, wrapped};

/// How the attribute table is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum AttrSort {
    /// As recorded.
    #[default]
    Recorded,
    Key,
    Type,
    Value,
}

fn attr_sort_name(sort: AttrSort) -> &'static str {
    match sort {
        AttrSort::Recorded => "recorded",
        AttrSort::Key => "key",
        AttrSort::Type => "type",
        AttrSort::Value => "value",
    }
}

/// State of the details panel (the app shows the call-path panel there instead while the
/// aggregated flame graph is on screen).
#[derive(Debug, Clone, Default)]
pub struct DetailsView {
    pub sort: AttrSort,
}

/// The type name shown next to an attribute value.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Str(_) => "string",
        Value::Bool(_) => "bool",
        Value::I64(_) => "int",
        Value::F64(_) => "double",
        Value::Bytes(_) => "bytes",
        Value::Array(_) => "array",
        Value::Map(_) => "map",
    }
}

impl View for DetailsView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.heading("Span details");
        let (Some(trace), Some(node)) = (focus.current(doc), focus.node) else {
            ui.weak("Select a span in the timeline or the flame graph.");
            return;
        };
        let Some(i) = node.span() else {
            ui.label(format!(
                "Missing parent: {} spans of this trace name a parent span that is not in the loaded files.",
                trace.orphans.len()
            ));
            ui.weak("Open the file of the service that recorded the parent to join them.");
            return;
        };
        let span = &doc.data.spans[i];
        let mut jump = None;
        egui::ScrollArea::vertical()
            .id_salt("details")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                self.summary(ui, doc, trace, i, span);
                critical(ui, focus, i);
                clock_skew(ui, doc, trace, focus, i);
                self.attributes(ui, "Attributes", &span.attributes, "span");
                events(ui, span);
                jump = links(ui, doc, span);
                let resource = doc.data.resource_of(span);
                self.attributes(ui, "Resource", &resource.attributes, "resource");
                let scope = doc.data.scope_of(span);
                if !scope.name.is_empty() {
                    ui.label(format!("Scope: {} {}", scope.name, scope.version));
                }
            });
        if let Some((t, n)) = jump {
            focus.select_trace(doc, Some(t));
            focus.reveal_and_select(n);
        }
    }
}

impl DetailsView {
    fn summary(&self, ui: &mut Ui, doc: &Document, trace: &Trace, i: usize, span: &Span) {
        field(ui, "Name", |ui| {
            wrapped(ui, RichText::new(span.name.as_ref()).strong())
        });
        field(ui, "Service", |ui| {
            wrapped(ui, doc.index.service_name(doc.index.service_of[i]))
        });
        field(ui, "Kind", |ui| wrapped(ui, span.kind.as_str()));
        copy_row(ui, "Trace ID", span.trace_id.to_string());
        copy_row(ui, "Span ID", span.span_id.to_string());
        match span.parent_span_id {
            Some(p) => {
                let note = if doc.index.parent[i] == u32::MAX {
                    " (not loaded)"
                } else {
                    ""
                };
                copy_row(ui, "Parent ID", format!("{p}{note}"));
            }
            None => {
                field(ui, "Parent ID", |ui| ui.weak("none (root)"));
            }
        }
        let start = units::timestamp(span.start_unix_nanos);
        field(ui, "Start", |ui| wrapped(ui, start));
        let offset = units::offset(trace.start, span.start_unix_nanos);
        field(ui, "Start in trace", |ui| wrapped(ui, offset));
        let duration = units::duration(span.duration_nanos());
        field(ui, "Duration", |ui| wrapped(ui, duration));
        let self_time = units::duration(doc.index.self_time[i]);
        field(ui, "Self time", |ui| wrapped(ui, self_time));
        field(ui, "Status", |ui| match &span.status {
            Status::Unset => wrapped(ui, "unset"),
            Status::Ok => wrapped(ui, "ok"),
            Status::Error { message } => {
                let text = if message.is_empty() {
                    "error".to_string()
                } else {
                    format!("error: {message}")
                };
                wrapped(
                    ui,
                    RichText::new(text).color(colors::error_text(ui.visuals())),
                )
            }
        });
    }

    fn attributes(&mut self, ui: &mut Ui, title: &str, attributes: &[KeyValue], id: &str) {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.strong(format!("{title} ({})", attributes.len()));
            if id == "span" && !attributes.is_empty() {
                // A combo box keeps the heading on one line at the panel's default width.
                let label = ui.weak("sorted by");
                egui::ComboBox::from_id_salt("attribute-sort")
                    .selected_text(attr_sort_name(self.sort))
                    .width(80.0)
                    .show_ui(ui, |ui| {
                        for sort in [
                            AttrSort::Recorded,
                            AttrSort::Key,
                            AttrSort::Type,
                            AttrSort::Value,
                        ] {
                            ui.selectable_value(&mut self.sort, sort, attr_sort_name(sort));
                        }
                    })
                    .response
                    .labelled_by(label.id);
            }
        });
        let mut sorted: Vec<&KeyValue> = attributes.iter().collect();
        let sort = if id == "span" {
            self.sort
        } else {
            AttrSort::Key
        };
        match sort {
            AttrSort::Recorded => {}
            AttrSort::Key => sorted.sort_by(|a, b| a.key.cmp(&b.key)),
            AttrSort::Type => sorted.sort_by_key(|kv| (type_name(&kv.value), kv.key.clone())),
            AttrSort::Value => sorted.sort_by_cached_key(|kv| kv.value.to_string()),
        }
        for kv in sorted {
            attribute_row(ui, kv);
        }
    }
}

/// A clock-skew mark of the span (it overhangs its parent of another service) and, when the
/// adjustment moves it, its raw and adjusted start; the toggle says which comes first.
fn clock_skew(ui: &mut Ui, doc: &Document, trace: &Trace, focus: &mut Focus, i: usize) {
    let skew = &focus.findings.skew;
    let (mark, shift) = (skew.mark(i as u32).copied(), skew.shift(i as u32));
    if mark.is_none() && shift == 0 {
        return;
    }
    if let Some(m) = mark {
        let parent = span_label(doc, trace, Node(m.parent));
        let mut parts = Vec::new();
        if m.early > 0 {
            parts.push(format!("starts {} before", units::duration(m.early)));
        }
        if m.late > 0 {
            parts.push(format!("ends {} after", units::duration(m.late)));
        }
        let text = format!("{} its parent {parent}", parts.join(" and "));
        field(ui, "Clock skew", |ui| {
            wrapped(
                ui,
                RichText::new(text).color(colors::error_text(ui.visuals())),
            )
        });
    }
    let span = &doc.data.spans[i];
    let (start, _) = skew.adjusted(&doc.data, i as u32);
    let raw = units::offset(trace.start, span.start_unix_nanos);
    let adjusted = format!(
        "{} (moved {})",
        units::offset(trace.start, start),
        units::offset(span.start_unix_nanos, start)
    );
    let rows = if focus.adjust_skew {
        [("Adjusted start", adjusted), ("Raw start", raw)]
    } else {
        [("Raw start", raw), ("Adjusted start", adjusted)]
    };
    for (label, value) in rows {
        field(ui, label, |ui| wrapped(ui, value));
    }
    ui.checkbox(
        &mut focus.adjust_skew,
        "Adjust clock skew (shift a server's subtree into its client call)",
    );
}

/// The span's time on the critical path, in time and as a share of the trace.
fn critical(ui: &mut Ui, focus: &Focus, i: usize) {
    let (time, share) = focus.findings.critical_time(i);
    let text = if time == 0 {
        "not on it".to_string()
    } else {
        format!(
            "{} ({time} ns, {:.1}% of the trace)",
            units::duration(time),
            share * 100.0
        )
    };
    field(ui, "Critical path", |ui| wrapped(ui, text));
}

/// Key on the left; value (wrapping), its type and a copy button on the right.
fn attribute_row(ui: &mut Ui, kv: &KeyValue) {
    let text = kv.value.to_string();
    field(ui, kv.key.as_ref(), |ui| {
        wrapped(ui, RichText::new(&text).monospace());
        ui.weak(type_name(&kv.value));
        if ui
            .small_button("copy")
            .on_hover_text("Copy key=value")
            .clicked()
        {
            ui.ctx().copy_text(format!("{}={text}", kv.key));
        }
    });
}

fn events(ui: &mut Ui, span: &Span) {
    if span.events.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.strong(format!("Events ({})", span.events.len()));
    for event in &span.events {
        ui.horizontal_wrapped(|ui| {
            ui.monospace(units::offset(span.start_unix_nanos, event.time_unix_nanos));
            ui.label(RichText::new(event.name.as_ref()).strong());
            for kv in &event.attributes {
                ui.weak(format!("{}={}", kv.key, kv.value));
            }
        });
    }
}

/// Lists links; returns (trace index, node) of a clicked loaded target.
fn links(ui: &mut Ui, doc: &Document, span: &Span) -> Option<(usize, Node)> {
    if span.links.is_empty() {
        return None;
    }
    ui.add_space(6.0);
    ui.strong(format!("Links ({})", span.links.len()));
    let mut jump = None;
    for link in &span.links {
        let target = doc.index.find_span(&doc.data, link.trace_id, link.span_id);
        let text = format!("trace {} span {}", link.trace_id, link.span_id);
        match (target, doc.index.trace_index(link.trace_id)) {
            (Some(i), Some(t)) => {
                let name = &doc.data.spans[i].name;
                if ui.link(format!("Go to {name}: {text}")).clicked() {
                    jump = Some((t, Node(i as u32)));
                }
            }
            _ => {
                ui.weak(format!("{text} (not loaded)"));
            }
        }
    }
    jump
}
