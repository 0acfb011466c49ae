//! Everything about the selected span: ids (copyable), times absolute and relative, self time,
//! status, typed attributes (sortable, copyable), events, links (clickable when loaded) and
//! the resource.

use eframe::egui::{self, RichText, Ui};
use spindle_formats::{KeyValue, Span, Status, Value};

use crate::index::{Node, Trace};
use crate::load::Document;
use crate::units;
use crate::views::{Focus, View};

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

/// State of the details panel.
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

fn copy_row(ui: &mut Ui, name: &str, value: String) {
    ui.label(name);
    ui.horizontal(|ui| {
        ui.monospace(&value);
        if ui
            .small_button("copy")
            .on_hover_text(format!("Copy {name}"))
            .clicked()
        {
            ui.ctx().copy_text(value);
        }
    });
    ui.end_row();
}

impl DetailsView {
    fn summary(&self, ui: &mut Ui, doc: &Document, trace: &Trace, i: usize, span: &Span) {
        egui::Grid::new("span-summary")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                ui.label("Name");
                ui.label(RichText::new(span.name.as_ref()).strong());
                ui.end_row();
                ui.label("Service");
                ui.label(doc.index.service_name(doc.index.service_of[i]));
                ui.end_row();
                ui.label("Kind");
                ui.label(span.kind.as_str());
                ui.end_row();
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
                        ui.label("Parent ID");
                        ui.weak("none (root)");
                        ui.end_row();
                    }
                }
                ui.label("Start");
                ui.label(units::timestamp(span.start_unix_nanos));
                ui.end_row();
                ui.label("Start in trace");
                ui.label(units::offset(trace.start, span.start_unix_nanos));
                ui.end_row();
                ui.label("Duration");
                ui.label(units::duration(span.duration_nanos()));
                ui.end_row();
                ui.label("Self time");
                ui.label(units::duration(doc.index.self_time[i]));
                ui.end_row();
                ui.label("Status");
                match &span.status {
                    Status::Unset => ui.label("unset"),
                    Status::Ok => ui.label("ok"),
                    Status::Error { message } => ui.colored_label(
                        crate::colors::ERROR,
                        if message.is_empty() {
                            "error".to_string()
                        } else {
                            format!("error: {message}")
                        },
                    ),
                };
                ui.end_row();
            });
    }

    fn attributes(&mut self, ui: &mut Ui, title: &str, attributes: &[KeyValue], id: &str) {
        ui.add_space(6.0);
        ui.horizontal(|ui| {
            ui.strong(format!("{title} ({})", attributes.len()));
            if id == "span" && !attributes.is_empty() {
                ui.weak("sort:");
                for (sort, name) in [
                    (AttrSort::Recorded, "recorded"),
                    (AttrSort::Key, "key"),
                    (AttrSort::Type, "type"),
                    (AttrSort::Value, "value"),
                ] {
                    ui.selectable_value(&mut self.sort, sort, name);
                }
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
        egui::Grid::new(("attributes", id))
            .num_columns(4)
            .striped(true)
            .show(ui, |ui| {
                for kv in sorted {
                    ui.label(kv.key.as_ref());
                    ui.weak(type_name(&kv.value));
                    let text = kv.value.to_string();
                    ui.add(
                        egui::Label::new(RichText::new(&text).monospace())
                            .wrap_mode(egui::TextWrapMode::Extend),
                    );
                    if ui
                        .small_button("copy")
                        .on_hover_text("Copy key=value")
                        .clicked()
                    {
                        ui.ctx().copy_text(format!("{}={text}", kv.key));
                    }
                    ui.end_row();
                }
            });
    }
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
