//! The top-level state: the open document, loading, watching, settings, and the views; and the
//! frame that lays them out. Files, keys, the menu and the banners each have a room below.

mod backend;
mod backend_dialog;
mod backend_search;
mod banners;
mod files;
mod keys;
mod live;
mod menu;
mod save;

pub use backend_dialog::BackendDialog;
pub use save::{WRITABLE, write_as};

use std::path::PathBuf;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use eframe::egui::{self, Ui};

use crate::filter::{FilteredTraces, ListFilter, SortBy};
use crate::focus::{Focus, Tab};
use crate::layout::FlameKind;
use crate::live::LiveFeed;
use crate::load::{Document, Loading, Watcher};
use crate::receive::ReceiveConfig;
use crate::views::View;
use crate::views::call_path::CallPathView;
use crate::views::compare::CompareView;
use crate::views::details::{AttrSort, DetailsView};
use crate::views::flame::FlameView;
use crate::views::help::HelpView;
use crate::views::search::SearchView;
use crate::views::service_map::ServiceMapView;
use crate::views::statistics::StatisticsView;
use crate::views::timeline::TimelineView;
use crate::views::trace_list::TraceListView;

/// What persists between runs (eframe storage); a field missing from what was saved (an
/// older version) takes its default.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub tab: Tab,
    pub sort: SortBy,
    pub descending: bool,
    /// The trace list's filters as typed.
    pub filter: ListFilter,
    /// How the details panel sorts a span's attributes.
    pub attr_sort: AttrSort,
    /// Reload when an open file changes on disk.
    pub watch: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            recent: Vec::new(),
            tab: Tab::Timeline,
            sort: SortBy::Start,
            descending: false,
            filter: ListFilter::default(),
            attr_sort: AttrSort::default(),
            watch: true,
        }
    }
}

impl Settings {
    /// What was saved last time, or the defaults (no storage, nothing saved, or unreadable).
    pub fn load(storage: Option<&dyn eframe::Storage>) -> Settings {
        storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default()
    }
}

/// The viewer application.
#[derive(Debug)]
pub struct ViewerApp {
    pub settings: Settings,
    doc: Document,
    loading: Option<Loading>,
    load_started: Option<Instant>,
    watcher: Option<Watcher>,
    /// A running file dialog; the flag says whether its files are added to the open ones.
    dialog: Option<(Receiver<Option<Vec<PathBuf>>>, bool)>,
    /// A running save dialog and the format it saves in.
    save_dialog: Option<save::SaveDialog>,
    pub focus: Focus,
    pub list: TraceListView,
    pub timeline: TimelineView,
    pub flame: FlameView,
    pub aggregate: FlameView,
    pub details: DetailsView,
    /// The details panel while the aggregated flame graph is on screen.
    pub call_path: CallPathView,
    pub search: SearchView,
    pub statistics: StatisticsView,
    pub help: HelpView,
    pub compare: CompareView,
    pub service_map: ServiceMapView,
    /// One line about the last load ("3 files, 1,204 spans in 0.2 s").
    pub status: String,
    ctx: egui::Context,
    /// How often the watcher polls open files.
    pub watch_interval: Duration,
    /// Spans arriving over OTLP/Zipkin, when receiving is on.
    live: Option<LiveFeed>,
    /// How the receiver listened before it was stopped (to start it again).
    stopped_config: Option<ReceiveConfig>,
    /// When the aggregated flame graph was last laid out again for arrived spans.
    aggregate_built: Instant,
    /// Traces being fetched from backends.
    fetching: Vec<crate::backends::fetch::Fetching>,
    /// Why the last backend request failed, until dismissed.
    backend_error: Option<String>,
    /// File > Open from backend….
    pub backend_dialog: BackendDialog,
}

impl ViewerApp {
    /// Creates the app and starts loading `paths` (if any).
    pub fn new(cc: &eframe::CreationContext<'_>, paths: Vec<PathBuf>) -> ViewerApp {
        let settings = Settings::load(cc.storage);
        let mut app = ViewerApp {
            focus: Focus {
                tab: settings.tab,
                ..Focus::default()
            },
            list: TraceListView {
                filtered: FilteredTraces::new(
                    settings.filter.clone(),
                    settings.sort,
                    settings.descending,
                ),
                found: None,
            },
            details: DetailsView {
                sort: settings.attr_sort,
            },
            settings,
            doc: Document::default(),
            loading: None,
            load_started: None,
            watcher: None,
            dialog: None,
            save_dialog: None,
            timeline: TimelineView::default(),
            flame: FlameView::new(FlameKind::Trace),
            aggregate: FlameView::new(FlameKind::Aggregate),
            call_path: CallPathView,
            search: SearchView::default(),
            statistics: StatisticsView::default(),
            help: HelpView::default(),
            compare: CompareView::default(),
            service_map: ServiceMapView::default(),
            status: String::new(),
            ctx: cc.egui_ctx.clone(),
            watch_interval: Duration::from_millis(500),
            live: None,
            stopped_config: None,
            aggregate_built: Instant::now(),
            fetching: Vec::new(),
            backend_error: None,
            backend_dialog: BackendDialog::default(),
        };
        theme_from_env(&cc.egui_ctx);
        if !paths.is_empty() {
            app.open(paths);
        }
        app
    }

    /// The loaded document (empty before the first load).
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// True while a load runs.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    fn central(&mut self, ui: &mut Ui) {
        ui.horizontal(|ui| {
            ui.selectable_value(&mut self.focus.tab, Tab::Timeline, "Timeline");
            ui.selectable_value(&mut self.focus.tab, Tab::Flame, "Flame graph");
            ui.selectable_value(
                &mut self.focus.tab,
                Tab::Aggregate,
                "Aggregated flame graph",
            );
            ui.selectable_value(&mut self.focus.tab, Tab::Statistics, "Statistics");
            ui.selectable_value(&mut self.focus.tab, Tab::Compare, "Compare");
            ui.selectable_value(&mut self.focus.tab, Tab::ServiceMap, "Service map");
        });
        if matches!(self.focus.tab, Tab::Timeline | Tab::Flame) {
            self.search.ui(ui, &self.doc, &mut self.focus);
        }
        ui.separator();
        match self.focus.tab {
            Tab::Timeline => self.timeline.ui(ui, &self.doc, &mut self.focus),
            Tab::Flame => self.flame.ui(ui, &self.doc, &mut self.focus),
            Tab::Aggregate => self.aggregate.ui(ui, &self.doc, &mut self.focus),
            Tab::Statistics => self.statistics.ui(ui, &self.doc, &mut self.focus),
            Tab::Compare => self.compare.ui(ui, &self.doc, &mut self.focus),
            Tab::ServiceMap => self.service_map.ui(ui, &self.doc, &mut self.focus),
        }
    }
}

/// `SPINDLE_VIEWER_THEME=light|dark` overrides the theme for this run (the screenshot script
/// uses it to capture both); otherwise the theme follows the system or the View menu.
fn theme_from_env(ctx: &egui::Context) {
    match std::env::var("SPINDLE_VIEWER_THEME").as_deref() {
        Ok("light") => ctx.set_theme(egui::Theme::Light),
        Ok("dark") => ctx.set_theme(egui::Theme::Dark),
        _ => {}
    }
}

impl eframe::App for ViewerApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        self.poll();
        self.poll_save_dialog();
        self.apply_received(false);
        self.poll_backend();
        self.dropped_files(&ctx);
        self.keys(&ctx);
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        if self.has_banners() || self.has_backend_banner() {
            egui::Panel::top("banners").show(ui, |ui| {
                self.backend_banner(ui);
                self.banners(ui);
            });
        }
        if self.live.is_some() || self.stopped_config.is_some() {
            egui::Panel::bottom("live").show(ui, |ui| self.live_strip(ui));
        }
        // Side panels are capped so the central view keeps most of the window (at 1280 points
        // wide: at most 384 + 358, by default 300 + 350, leaving the timeline 600 or more).
        let width = ui.available_width();
        egui::Panel::left("traces")
            .resizable(true)
            .default_size(300.0)
            .size_range(180.0..=(width * 0.30).max(180.0))
            .show(ui, |ui| {
                // Fill the panel: a panel shrinks to narrower content otherwise.
                ui.set_min_width(ui.available_width());
                ui.heading("Traces");
                self.list.ui(ui, &self.doc, &mut self.focus);
            });
        egui::Panel::right("details")
            .resizable(true)
            .default_size(350.0)
            .size_range(180.0..=(width * 0.28).max(180.0))
            .show(ui, |ui| {
                ui.set_min_width(ui.available_width());
                if self.focus.tab == Tab::Aggregate {
                    self.call_path.ui(ui, &self.doc, &mut self.focus);
                } else {
                    self.details.ui(ui, &self.doc, &mut self.focus);
                }
            });
        egui::CentralPanel::default().show(ui, |ui| self.central(ui));
        self.help.ui(ui, &self.doc, &mut self.focus);
        self.backend_dialog_ui(ui);
        self.drop_hint(&ctx);
        if self.loading.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Saves the settings with what the views hold now: tab, list order and filters, and
    /// the attribute sort come back on the next start.
    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.tab = self.focus.tab;
        self.settings.sort = self.list.filtered.sort;
        self.settings.descending = self.list.filtered.descending;
        self.settings.filter = self.list.filtered.filter.clone();
        self.settings.attr_sort = self.details.sort;
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}
