//! The statistics table: the selected trace's spans (or every loaded span) grouped by service,
//! operation or an attribute, with an optional second level; count, total, average, min, max,
//! the same for self time, and the share of the trace's time. Click a column to sort by it,
//! a row to highlight its spans in the timeline and flame graph (which can show only them).
//! Computed when the trace, the grouping or the document changes, never per frame.

use eframe::egui::{self, RichText, Ui};

use crate::analysis::stats::{Group, GroupBy, Grouping, Measure, Statistics, spans_in};
use crate::focus::Focus;
use crate::load::Document;
use crate::units;
use crate::views::View;

/// Which spans the table counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// The selected trace.
    #[default]
    Trace,
    /// Every loaded trace.
    All,
}

/// A grouping as picked: a kind, plus the attribute key typed for [`Kind::Attribute`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Service,
    Operation,
    Attribute,
}

/// A sortable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Column {
    Name,
    Count,
    #[default]
    Total,
    Average,
    Min,
    Max,
    SelfTotal,
    SelfAverage,
    SelfMin,
    SelfMax,
    Share,
}

/// The numeric columns, in table order, with their header text.
pub const COLUMNS: [(Column, &str); 10] = [
    (Column::Count, "Count"),
    (Column::Total, "Total"),
    (Column::Average, "Avg"),
    (Column::Min, "Min"),
    (Column::Max, "Max"),
    (Column::SelfTotal, "Self total"),
    (Column::SelfAverage, "Self avg"),
    (Column::SelfMin, "Self min"),
    (Column::SelfMax, "Self max"),
    (Column::Share, "Share"),
];

/// The cache key: what the statistics were computed for.
type Key = (u64, Scope, Option<usize>, Grouping);

/// State of the statistics tab.
#[derive(Debug, Clone, Default)]
pub struct StatisticsView {
    pub scope: Scope,
    pub first: Kind,
    pub first_key: String,
    /// The second level, if any.
    pub second: Option<Kind>,
    pub second_key: String,
    pub sort: Column,
    /// Largest first (the default for numbers).
    pub ascending: bool,
    /// The row last clicked: (first-level key, second-level key when a sub-row).
    pub selected: Option<(Option<String>, Option<Option<String>>)>,
    /// The statistics, what they were computed for, and how they are sorted now.
    cache: Option<(Key, (Column, bool), Statistics)>,
}

fn group_by(kind: Kind, key: &str) -> GroupBy {
    match kind {
        Kind::Service => GroupBy::Service,
        Kind::Operation => GroupBy::Operation,
        Kind::Attribute => GroupBy::Attribute(key.trim().to_string()),
    }
}

fn kind_name(kind: Option<Kind>) -> &'static str {
    match kind {
        None => "nothing",
        Some(Kind::Service) => "service",
        Some(Kind::Operation) => "operation",
        Some(Kind::Attribute) => "attribute",
    }
}

impl StatisticsView {
    /// The grouping as picked.
    pub fn grouping(&self) -> Grouping {
        let first = Grouping::by(group_by(self.first, &self.first_key));
        match self.second {
            Some(kind) => first.then(group_by(kind, &self.second_key)),
            None => first,
        }
    }

    /// Brings the cached statistics up to date with what is picked (recomputed only when the
    /// trace, the grouping or the document changed; re-sorted only when the sort changed).
    /// `false` when there is nothing to count (no trace selected).
    pub fn refresh(&mut self, doc: &Document, focus: &Focus) -> bool {
        let key: Key = (focus.generation, self.scope, focus.trace, self.grouping());
        if self.cache.as_ref().is_none_or(|(k, ..)| *k != key) {
            let stats = match self.scope {
                Scope::Trace => match focus.current(doc) {
                    Some(trace) => Statistics::of_trace(&doc.data, &doc.index, trace, &key.3),
                    None => {
                        self.cache = None;
                        return false;
                    }
                },
                Scope::All => Statistics::of_all(&doc.data, &doc.index, &key.3),
            };
            self.cache = Some((key, (Column::Total, false), stats));
            sort_all(&mut self.cache, (Column::Total, false));
        }
        let order = (self.sort, self.ascending);
        if self
            .cache
            .as_ref()
            .is_some_and(|(_, sorted, _)| *sorted != order)
        {
            sort_all(&mut self.cache, order);
        }
        self.cache.is_some()
    }

    /// The statistics last computed by [`StatisticsView::refresh`], in the table's order.
    pub fn statistics(&self) -> Option<&Statistics> {
        self.cache.as_ref().map(|(.., s)| s)
    }

    fn controls(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.scope, Scope::Trace, "This trace");
            ui.selectable_value(&mut self.scope, Scope::All, "All traces");
            ui.separator();
            let mut first = Some(self.first);
            kind_combo(ui, "Group by", &mut first, false);
            self.first = first.unwrap_or_default();
            if self.first == Kind::Attribute {
                key_edit(ui, "key", &mut self.first_key);
            }
            kind_combo(ui, "then by", &mut self.second, true);
            if self.second == Some(Kind::Attribute) {
                key_edit(ui, "second key", &mut self.second_key);
            }
        });
    }

    fn header(&mut self, ui: &mut Ui) {
        let mut header = |ui: &mut Ui, column: Column, name: &str| {
            let sorted = self.sort == column;
            let arrow = match (sorted, self.ascending) {
                (false, _) => "",
                (true, true) => " ^",
                (true, false) => " v",
            };
            let text = RichText::new(format!("{name}{arrow}")).strong();
            if ui
                .add(egui::Button::new(text).frame(false))
                .on_hover_text(format!("Sort by {name}"))
                .clicked()
            {
                if sorted {
                    self.ascending = !self.ascending;
                } else {
                    self.sort = column;
                    self.ascending = column == Column::Name;
                }
            }
        };
        header(ui, Column::Name, "Group");
        for (column, name) in COLUMNS {
            header(ui, column, name);
        }
        ui.end_row();
    }
}

impl View for StatisticsView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        self.controls(ui);
        ui.horizontal(|ui| {
            let mut only = focus.highlighted_only;
            let enabled = !focus.highlighted.is_empty();
            if ui
                .add_enabled(
                    enabled,
                    egui::Checkbox::new(&mut only, "Filter the timeline to the highlighted spans"),
                )
                .changed()
            {
                focus.set_highlighted_only(only);
            }
            if enabled {
                ui.weak(format!(
                    "{} spans of this trace highlighted",
                    focus.highlighted.len()
                ));
            }
        });
        ui.separator();
        let grouping = self.grouping();
        let selected = self.selected.clone();
        if !self.refresh(doc, focus) {
            ui.weak("Select a trace in the list to see its statistics.");
            return;
        }
        let Some((key, order, stats)) = self.cache.take() else {
            return;
        };
        let mut clicked = None;
        egui::ScrollArea::both()
            .id_salt("statistics")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                egui::Grid::new("statistics-table")
                    .striped(true)
                    .num_columns(COLUMNS.len() + 1)
                    .show(ui, |ui| {
                        self.header(ui);
                        for group in &stats.groups {
                            let key = (group.key.clone(), None);
                            let label = key_label(&group.key);
                            if row(
                                ui,
                                &label,
                                &group.measure,
                                &stats,
                                selected == Some(key.clone()),
                            ) {
                                clicked = Some(key);
                            }
                            for sub in &group.subgroups {
                                let key = (group.key.clone(), Some(sub.key.clone()));
                                let label = format!(
                                    "    {} / {}",
                                    key_label(&group.key),
                                    key_label(&sub.key)
                                );
                                if row(
                                    ui,
                                    &label,
                                    &sub.measure,
                                    &stats,
                                    selected == Some(key.clone()),
                                ) {
                                    clicked = Some(key);
                                }
                            }
                        }
                    });
            });
        if let Some((first, second)) = clicked {
            if let Some(trace) = focus.current(doc) {
                let spans = spans_in(
                    &doc.data,
                    &doc.index,
                    trace,
                    &grouping,
                    first.as_deref(),
                    second.as_ref().map(|s| s.as_deref()),
                );
                focus.set_highlighted(spans);
            }
            self.selected = Some((first, second));
        }
        self.cache = Some((key, order, stats));
    }
}

fn sort_all(
    cache: &mut Option<(Key, (Column, bool), Statistics)>,
    (column, ascending): (Column, bool),
) {
    if let Some((_, sorted, stats)) = cache {
        sort(&mut stats.groups, column, ascending);
        *sorted = (column, ascending);
    }
}

/// One table row; true when its name was clicked.
fn row(ui: &mut Ui, label: &str, m: &Measure, stats: &Statistics, selected: bool) -> bool {
    let clicked = ui
        .selectable_label(selected, label)
        .on_hover_text("Highlight these spans")
        .clicked();
    ui.label(m.count.to_string());
    for time in [m.total, m.average(), m.min, m.max] {
        ui.label(units::duration(time));
    }
    for time in [m.self_total, m.self_average(), m.self_min, m.self_max] {
        ui.label(units::duration(time));
    }
    ui.label(format!("{:.1}%", stats.share(m.total) * 100.0));
    ui.end_row();
    clicked
}

fn key_label(key: &Option<String>) -> String {
    key.clone().unwrap_or_else(|| "(not set)".to_string())
}

fn kind_combo(ui: &mut Ui, label: &str, kind: &mut Option<Kind>, optional: bool) {
    let text = ui.label(label);
    egui::ComboBox::from_id_salt(label)
        .selected_text(kind_name(*kind))
        .show_ui(ui, |ui| {
            if optional {
                ui.selectable_value(kind, None, kind_name(None));
            }
            for k in [Kind::Service, Kind::Operation, Kind::Attribute] {
                ui.selectable_value(kind, Some(k), kind_name(Some(k)));
            }
        })
        .response
        .labelled_by(text.id);
}

fn key_edit(ui: &mut Ui, label: &str, key: &mut String) {
    let text = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(key)
            .hint_text("e.g. db.system")
            .desired_width(120.0),
    )
    .labelled_by(text.id);
}

/// Sorts groups and their subgroups by `column`.
fn sort(groups: &mut [Group], column: Column, ascending: bool) {
    let value = |m: &Measure| -> u64 {
        match column {
            Column::Name | Column::Count => m.count,
            Column::Total | Column::Share => m.total,
            Column::Average => m.average(),
            Column::Min => m.min,
            Column::Max => m.max,
            Column::SelfTotal => m.self_total,
            Column::SelfAverage => m.self_average(),
            Column::SelfMin => m.self_min,
            Column::SelfMax => m.self_max,
        }
    };
    let compare = |a: &Group, b: &Group| {
        let order = match column {
            Column::Name => a.key.cmp(&b.key),
            _ => value(&a.measure).cmp(&value(&b.measure)),
        };
        let order = if ascending { order } else { order.reverse() };
        order.then_with(|| a.key.cmp(&b.key))
    };
    groups.sort_by(compare);
    for group in groups {
        group.subgroups.sort_by(compare);
    }
}
