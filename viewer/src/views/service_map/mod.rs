//! The service map: services as boxes in columns by call depth (root services on the left),
//! calls as curves from caller to callee labelled with call count and p99, laid out so boxes
//! and labels never overlap and calls go around boxes ([`MapLayout`]). Three scopes: the
//! selected trace, all loaded traces, and what changed from the Compare tab's set A to its
//! set B (services and calls coloured by their change, with a legend). Scroll, zoom (the
//! buttons or Ctrl + wheel) and fit to the window. Clicking a service or a call keeps only
//! the traces through it in the trace list ([`Focus::through`]).

mod draw;

use eframe::egui::{self, Sense, Ui, Vec2, vec2};

use crate::analysis::service_map::ServiceMap;
use crate::analysis::service_map::diff::MapDiff;
use crate::analysis::service_map::layout::{MapLayout, TextWidths};
use crate::focus::Focus;
use crate::load::Document;
use crate::views::View;

pub use draw::{edge_label, node_label};

const MIN_ZOOM: f32 = 0.2;
const MAX_ZOOM: f32 = 2.0;

/// Which traces the map is drawn for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// The trace selected in the list.
    OpenTrace,
    #[default]
    AllTraces,
    /// The Compare tab's set A against its set B.
    Changed,
}

impl Scope {
    const ALL: [Scope; 3] = [Scope::OpenTrace, Scope::AllTraces, Scope::Changed];

    /// The scope's button.
    pub fn title(self) -> &'static str {
        match self {
            Scope::OpenTrace => "Selected trace",
            Scope::AllTraces => "All loaded traces",
            Scope::Changed => "What changed: set A -> set B",
        }
    }
}

/// What a map was computed for: scope, open trace, the two sets, document generation.
type MapKey = (Scope, Option<usize>, Option<[Vec<u32>; 2]>, u64);

/// A map ready to draw: its services and calls, what changed (for the changes scope) and
/// where everything goes.
#[derive(Debug, Default)]
struct Shown {
    map: ServiceMap,
    diff: Option<MapDiff>,
    layout: MapLayout,
    /// What the line above the map says.
    title: String,
}

/// State of the service map: its scope, zoom and the map computed for them.
#[derive(Debug)]
pub struct ServiceMapView {
    pub scope: Scope,
    /// Map units to points.
    pub zoom: f32,
    /// Fit the next map drawn to the window (set when a new map is computed).
    fit_pending: bool,
    cached: Option<(MapKey, Shown)>,
}

impl Default for ServiceMapView {
    fn default() -> Self {
        ServiceMapView {
            scope: Scope::default(),
            zoom: 1.0,
            fit_pending: true,
            cached: None,
        }
    }
}

impl ServiceMapView {
    /// Computes the map when the scope, the open trace, the sets or the document changed.
    fn refresh(&mut self, ui: &Ui, doc: &Document, focus: &Focus) {
        let trace = (self.scope == Scope::OpenTrace)
            .then_some(focus.trace)
            .flatten();
        let sets = match (self.scope, &focus.compare_sets) {
            // Two files' sets are in two documents; this map compares sets of the open one.
            _ if focus.compare_sets_files => None,
            (Scope::Changed, [Some(a), Some(b)]) => Some([a.clone(), b.clone()]),
            _ => None,
        };
        let key = (self.scope, trace, sets, focus.generation);
        if self.cached.as_ref().map(|c| &c.0) == Some(&key) {
            return;
        }
        // A new scope or trace is fitted to the window; spans arriving keep the zoom.
        let (scope, trace) = (key.0, key.1);
        if self
            .cached
            .as_ref()
            .is_none_or(|c| (c.0.0, c.0.1) != (scope, trace))
        {
            self.fit_pending = true;
        }
        let shown = compute(ui, doc, &key);
        self.cached = Some((key, shown));
    }

    fn toolbar(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            ui.label("Map of:");
            for scope in Scope::ALL {
                ui.selectable_value(&mut self.scope, scope, scope.title());
            }
            ui.separator();
            if ui.button("Fit to window").clicked() {
                self.fit_pending = true;
            }
            if ui
                .button("-")
                .on_hover_text("Zoom out (Ctrl + wheel)")
                .clicked()
            {
                self.zoom = (self.zoom / 1.25).max(MIN_ZOOM);
            }
            ui.label(format!("{:.0}%", self.zoom * 100.0));
            if ui
                .button("+")
                .on_hover_text("Zoom in (Ctrl + wheel)")
                .clicked()
            {
                self.zoom = (self.zoom * 1.25).min(MAX_ZOOM);
            }
            if ui.button("100%").clicked() {
                self.zoom = 1.0;
            }
        });
    }
}

/// The map, its diff and its layout for `key`.
fn compute(ui: &Ui, doc: &Document, key: &MapKey) -> Shown {
    let (data, index) = (&doc.data, &doc.index);
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let (map, diff, title) = match key {
        (Scope::OpenTrace, Some(t), _, _) => {
            let root = index.traces.get(*t).map_or(String::new(), |trace| {
                format!(
                    "{}: {}",
                    index.service_name(trace.root_service),
                    trace.root_name
                )
            });
            let map = ServiceMap::of_traces(data, index, [*t as u32]);
            (
                map,
                None,
                format!("Services the selected trace ({root}) went through"),
            )
        }
        (Scope::OpenTrace, None, _, _) => (ServiceMap::default(), None, String::new()),
        (Scope::AllTraces, ..) => {
            let n = index.traces.len();
            let title = format!(
                "Services of all {n} loaded trace{}",
                if n == 1 { "" } else { "s" }
            );
            (ServiceMap::of_all(data, index), None, title)
        }
        (Scope::Changed, _, Some([a, b]), _) => {
            let map_a = ServiceMap::of_traces(data, index, a.iter().copied());
            let map_b = ServiceMap::of_traces(data, index, b.iter().copied());
            let diff = MapDiff::of(&map_a, a.len(), &map_b, b.len());
            let (nodes, edges) = diff.changed();
            let title = format!(
                "What changed from set A ({}) to set B ({}): {} and {} changed",
                plural(a.len(), "trace"),
                plural(b.len(), "trace"),
                plural(nodes, "service"),
                plural(edges, "call")
            );
            (diff.map.clone(), Some(diff), title)
        }
        (Scope::Changed, _, None, _) => (ServiceMap::default(), None, String::new()),
    };
    let widths = TextWidths {
        nodes: (map.nodes.iter())
            .map(|n| draw::text_width(ui, &n.name, draw::NAME_SIZE) + 16.0)
            .collect(),
        labels: (0..map.edges.len())
            .map(|k| {
                draw::text_width(
                    ui,
                    &draw::edge_text(&map, diff.as_ref(), k),
                    draw::LABEL_SIZE,
                ) + 8.0
            })
            .collect(),
    };
    let layout = MapLayout::new(&map, &widths);
    Shown {
        map,
        diff,
        layout,
        title,
    }
}

impl View for ServiceMapView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        self.toolbar(ui);
        self.refresh(ui, doc, focus);
        let Some((_, shown)) = &self.cached else {
            return;
        };
        if shown.map.nodes.is_empty() {
            ui.weak(match self.scope {
                Scope::OpenTrace => "Select a trace in the list to see the services it went through.",
                Scope::AllTraces => "No spans loaded.",
                Scope::Changed if focus.compare_sets_files => "The Compare tab compares the open files with the comparison file; this map shows what changed between two sets of the open files. Pick them from trace-list filters or time windows in the Compare tab's Two sets.",
                Scope::Changed => "Pick two sets of traces first: filter the trace list, right-click a trace and choose \"Compare sets: the listed traces as set A\", then filter again and choose \"… as set B\". This map then shows what changed from A to B.",
            });
            return;
        }
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let (services, calls) = (shown.map.nodes.len(), shown.map.edges.len());
        ui.label(format!(
            "{}. {services} service{}, {calls} connection{} (caller to callee). Click a service or a call to list only the traces through it.",
            shown.title,
            plural(services),
            plural(calls)
        ));
        if let Some(diff) = &shown.diff {
            draw::legend(ui, diff);
        }
        ui.separator();
        let size = Vec2::from(shown.layout.size);
        if std::mem::take(&mut self.fit_pending) {
            let room = ui.available_size() - vec2(16.0, 16.0);
            self.zoom = (room.x / size.x).min(room.y / size.y).clamp(0.5, 1.0);
        }
        let zoom = self.zoom;
        let mut new_zoom = zoom;
        egui::ScrollArea::both()
            .id_salt("service-map")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let (canvas, response) =
                    ui.allocate_exact_size((size * zoom).max(ui.available_size()), Sense::hover());
                if response.hovered() {
                    let delta = ui.input(|i| i.zoom_delta());
                    if delta != 1.0 {
                        new_zoom = (zoom * delta).clamp(MIN_ZOOM, MAX_ZOOM);
                    }
                }
                let canvas = draw::Canvas {
                    origin: canvas.min,
                    zoom,
                    painter: ui.painter_at(canvas),
                };
                if let Some(through) = draw::map(
                    ui,
                    &canvas,
                    &shown.map,
                    shown.diff.as_ref(),
                    &shown.layout,
                    focus,
                ) {
                    focus.through = Some(through);
                }
            });
        self.zoom = new_zoom;
    }
}
