//! The top-level state: the open document, loading, watching, settings, and the views.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use eframe::egui::{self, Key, Modifiers, Ui};

use crate::index::Node;
use crate::layout::FlameKind;
use crate::load::{Document, LoadKind, Loading, Outcome, Stage, Watcher};
use crate::views::call_path::CallPathView;
use crate::views::details::DetailsView;
use crate::views::flame::FlameView;
use crate::views::help::HelpView;
use crate::views::search::SearchView;
use crate::views::timeline::TimelineView;
use crate::views::trace_list::TraceListView;
use crate::filter::{FilteredTraces, SortBy};
use crate::focus::{Focus, Tab};
use crate::views::View;

const MAX_RECENT: usize = 10;

/// What persists between runs (eframe storage).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent: Vec<PathBuf>,
    pub tab: Tab,
    pub sort: SortBy,
    pub descending: bool,
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
            watch: true,
        }
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
    pub focus: Focus,
    pub list: TraceListView,
    pub timeline: TimelineView,
    pub flame: FlameView,
    pub aggregate: FlameView,
    pub details: DetailsView,
    /// The details panel while the aggregated flame graph is on screen.
    pub call_path: CallPathView,
    pub search: SearchView,
    pub help: HelpView,
    /// One line about the last load ("3 files, 1,204 spans in 0.2 s").
    pub status: String,
    ctx: egui::Context,
    /// How often the watcher polls open files.
    pub watch_interval: Duration,
}

impl ViewerApp {
    /// Creates the app and starts loading `paths` (if any).
    pub fn new(cc: &eframe::CreationContext<'_>, paths: Vec<PathBuf>) -> ViewerApp {
        let settings: Settings = cc
            .storage
            .and_then(|s| eframe::get_value(s, eframe::APP_KEY))
            .unwrap_or_default();
        let mut app = ViewerApp {
            focus: Focus {
                tab: settings.tab,
                ..Focus::default()
            },
            list: TraceListView {
                filtered: FilteredTraces::sorted(settings.sort, settings.descending),
            },
            settings,
            doc: Document::default(),
            loading: None,
            load_started: None,
            watcher: None,
            dialog: None,
            timeline: TimelineView::default(),
            flame: FlameView::new(FlameKind::Trace),
            aggregate: FlameView::new(FlameKind::Aggregate),
            details: DetailsView::default(),
            call_path: CallPathView,
            search: SearchView::default(),
            help: HelpView::default(),
            status: String::new(),
            ctx: cc.egui_ctx.clone(),
            watch_interval: Duration::from_millis(500),
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

    /// Starts loading `paths`, replacing what is open once done.
    pub fn open(&mut self, paths: Vec<PathBuf>) {
        self.start_load(paths, LoadKind::Open);
    }

    /// Adds `paths` to the open files: everything is read again and merged, spans already
    /// loaded (same trace and span id) are kept once, and the selection stays.
    pub fn add(&mut self, paths: Vec<PathBuf>) {
        let mut all: Vec<PathBuf> = self.doc.files.iter().map(|f| f.path.clone()).collect();
        for path in paths {
            if !all.contains(&path) {
                all.push(path);
            }
        }
        self.start_load(all, LoadKind::Add);
    }

    /// Loads the open files again, keeping the selection and the view.
    pub fn reload(&mut self) {
        let paths: Vec<PathBuf> = self.doc.files.iter().map(|f| f.path.clone()).collect();
        if !paths.is_empty() {
            self.start_load(paths, LoadKind::Reload);
        }
    }

    fn start_load(&mut self, paths: Vec<PathBuf>, kind: LoadKind) {
        if let Some(old) = self.loading.take() {
            old.cancel();
        }
        let ctx = self.ctx.clone();
        self.load_started = Some(Instant::now());
        self.loading = Some(Loading::start(paths, kind, move || ctx.request_repaint()));
    }

    /// Cancels the running load; what was open stays open.
    pub fn cancel_load(&mut self) {
        if let Some(loading) = self.loading.take() {
            loading.cancel();
            self.status = "Loading cancelled.".into();
        }
    }

    fn poll(&mut self) {
        if let Some(outcome) = self.loading.as_ref().and_then(Loading::poll) {
            let loading = self.loading.take();
            match outcome {
                Outcome::Done(doc) => {
                    let kind = loading.as_ref().map_or(LoadKind::Open, |l| l.kind);
                    self.install(*doc, kind);
                }
                Outcome::Cancelled => self.status = "Loading cancelled.".into(),
            }
        }
        if let Some((rx, add)) = &self.dialog
            && let Ok(picked) = rx.try_recv()
        {
            let add = *add;
            self.dialog = None;
            match picked.filter(|p| !p.is_empty()) {
                Some(paths) if add => self.add(paths),
                Some(paths) => self.open(paths),
                None => {}
            }
        }
        if self.loading.is_none() && self.watcher.as_ref().is_some_and(Watcher::changed) {
            self.watcher = None;
            self.reload();
        }
    }

    /// Swaps in a new document; a reload keeps trace, selection, collapsed spans and search.
    fn install(&mut self, doc: Document, kind: LoadKind) {
        let is_reload = kind.keeps_view();
        let old_trace = self.focus.current(&self.doc).map(|t| t.trace_id);
        let old_node = self
            .focus
            .node
            .and_then(|n| n.span())
            .map(|i| self.doc.data.spans[i].span_id);
        let placeholder = self.focus.node == Some(Node::MISSING_PARENT);
        let collapsed = std::mem::take(&mut self.focus.collapsed);
        let elapsed = self.load_started.map(|t| t.elapsed()).unwrap_or_default();
        self.doc = doc;
        self.list.filtered.invalidate();
        self.focus.trace = None;
        self.focus.node = None;
        self.focus.flame = Default::default();
        self.focus.agg_node = None;
        self.focus.dirty = true;
        let files = self.doc.files.len();
        self.status = format!(
            "{} {} file{}: {} spans in {} traces ({:.2} s)",
            kind.verb(),
            files,
            if files == 1 { "" } else { "s" },
            self.doc.data.spans.len(),
            self.doc.index.traces.len(),
            elapsed.as_secs_f64()
        );
        if self.doc.duplicates > 0 {
            let n = self.doc.duplicates;
            let plural = if n == 1 { "" } else { "s" };
            self.status
                .push_str(&format!("; {n} span{plural} already loaded were merged"));
        }
        let restored = if is_reload {
            old_trace.and_then(|id| self.doc.index.trace_index(id))
        } else {
            None
        };
        let first = self.list.filtered.rows(&self.doc).first().map(|&t| t as usize);
        self.focus.select_trace(&self.doc, restored.or(first));
        if restored.is_some() {
            self.focus.collapsed = collapsed;
            self.focus.request.reset_zoom = false;
            if placeholder {
                self.focus.node = Some(Node::MISSING_PARENT);
            } else if let (Some(trace), Some(span)) = (old_trace, old_node) {
                self.focus.node = self
                    .doc
                    .index
                    .find_span(&self.doc.data, trace, span)
                    .map(|i| Node(i as u32));
            }
        }
        if kind != LoadKind::Reload {
            for file in &self.doc.files {
                self.settings.recent.retain(|p| *p != file.path);
                self.settings.recent.insert(0, file.path.clone());
            }
            self.settings.recent.truncate(MAX_RECENT);
        }
        self.start_watcher();
    }

    fn start_watcher(&mut self) {
        self.watcher = None;
        if !self.settings.watch || self.doc.files.is_empty() {
            return;
        }
        let files = self
            .doc
            .files
            .iter()
            .map(|f| (f.path.clone(), f.stamp))
            .collect();
        let ctx = self.ctx.clone();
        self.watcher = Some(Watcher::start(files, self.watch_interval, move || {
            ctx.request_repaint()
        }));
    }

    /// Asks for files to open (`add`: to add to the open ones) without blocking the UI.
    fn open_dialog(&mut self, add: bool) {
        let (tx, rx) = channel();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("spindle-file-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Open trace files")
                    .pick_files();
                let _ = tx.send(picked);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.dialog = Some((rx, add)),
            Err(e) => self.status = format!("Cannot open the file dialog: {e}"),
        }
    }

    fn dropped_files(&mut self, ctx: &egui::Context) {
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            self.add(dropped);
        }
    }

    /// Keyboard shortcuts (see [`crate::views::help::KEYS`]).
    fn keys(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        let pressed = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        let pressed_shift = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, key));
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F))
            || (!typing && pressed(Key::Slash))
        {
            self.search.focus_requested = true;
            return;
        }
        if pressed(Key::Escape) {
            if self.help.open {
                self.help.open = false;
            } else if !self.search.text.is_empty() {
                self.search.clear(&self.doc, &mut self.focus);
            } else {
                self.focus.node = None;
            }
            return;
        }
        if typing {
            return;
        }
        if pressed(Key::F1)
            || ctx.input(|i| {
                i.events
                    .iter()
                    .any(|e| matches!(e, egui::Event::Text(t) if t == "?"))
            })
        {
            self.help.open = !self.help.open;
        }
        for (key, tab) in [
            (Key::Num1, Tab::Timeline),
            (Key::Num2, Tab::Flame),
            (Key::Num3, Tab::Aggregate),
        ] {
            if pressed(key) {
                self.focus.tab = tab;
            }
        }
        let request = &mut self.focus.request;
        if pressed(Key::F) {
            request.zoom_to_selected = true;
        }
        if pressed(Key::Num0) {
            request.reset_zoom = true;
        }
        if pressed(Key::Plus)
            || pressed(Key::Equals)
            || pressed_shift(Key::Plus)
            || pressed_shift(Key::Equals)
        {
            request.zoom = 0.5;
        }
        if pressed(Key::Minus) {
            request.zoom = 2.0;
        }
        if pressed_shift(Key::ArrowLeft) {
            request.pan = -0.2;
        }
        if pressed_shift(Key::ArrowRight) {
            request.pan = 0.2;
        }
        self.navigate(ctx);
    }

    /// Arrows move between rows; Left/Right/Enter/Space collapse and expand.
    fn navigate(&mut self, ctx: &egui::Context) {
        let pressed = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        let (up, down, left, right) = (
            pressed(Key::ArrowUp),
            pressed(Key::ArrowDown),
            pressed(Key::ArrowLeft),
            pressed(Key::ArrowRight),
        );
        let toggle = pressed(Key::Enter) || pressed(Key::Space);
        if !(up || down || left || right || toggle) {
            return;
        }
        self.focus.refresh(&self.doc);
        let rows = &self.focus.timeline.rows;
        if rows.is_empty() {
            return;
        }
        let Some(at) = self.focus.node.and_then(|n| self.focus.timeline.row_of(n)) else {
            self.focus.select_node(Some(rows[0].node));
            return;
        };
        let row = rows[at];
        if up && at > 0 {
            self.focus.select_node(Some(rows[at - 1].node));
        } else if down && at + 1 < rows.len() {
            self.focus.select_node(Some(rows[at + 1].node));
        } else if row.has_children && (toggle || (left && !row.collapsed)) {
            self.focus.toggle(&self.doc, row.node);
        } else if left {
            let parent = rows[..at]
                .iter()
                .rev()
                .find(|r| r.depth < row.depth)
                .map(|r| r.node);
            if parent.is_some() {
                self.focus.select_node(parent);
            }
        } else if right && row.collapsed {
            self.focus.toggle(&self.doc, row.node);
        } else if right && row.has_children && at + 1 < rows.len() {
            self.focus.select_node(Some(rows[at + 1].node));
        }
    }

    fn menu_bar(&mut self, ui: &mut Ui) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…").clicked() {
                    self.open_dialog(false);
                    ui.close();
                }
                if ui.button("Add files…").clicked() {
                    self.open_dialog(true);
                    ui.close();
                }
                if ui
                    .add_enabled(!self.doc.files.is_empty(), egui::Button::new("Reload"))
                    .clicked()
                {
                    self.reload();
                    ui.close();
                }
                ui.menu_button("Recent files", |ui| {
                    if self.settings.recent.is_empty() {
                        ui.weak("none yet");
                    }
                    let mut chosen = None;
                    for path in &self.settings.recent {
                        if ui.button(path.display().to_string()).clicked() {
                            chosen = Some(path.clone());
                        }
                    }
                    if let Some(path) = chosen {
                        self.open(vec![path]);
                        ui.close();
                    }
                });
                if ui
                    .checkbox(&mut self.settings.watch, "Reload when a file changes")
                    .changed()
                {
                    self.start_watcher();
                }
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("View", |ui| {
                ui.label("Theme");
                egui::widgets::global_theme_preference_buttons(ui);
            });
            if ui.button("Help (?)").clicked() {
                self.help.open = !self.help.open;
            }
            ui.separator();
            ui.weak(&self.status);
        });
    }

    /// Progress, problems and the missing-parent banner.
    fn banners(&mut self, ui: &mut Ui) {
        if let Some(loading) = &self.loading {
            let (read, total, stage) = loading.progress();
            let what = match stage {
                Stage::Reading => "reading",
                Stage::Decoding => "decoding spans",
                Stage::Indexing => "building the index",
            };
            let mut cancel = false;
            ui.horizontal(|ui| {
                let fraction = if total > 0 {
                    read as f32 / total as f32
                } else {
                    0.0
                };
                let text = format!(
                    "Loading {} file{}: {:.1} of {:.1} MB, {what}",
                    loading.paths.len(),
                    if loading.paths.len() == 1 { "" } else { "s" },
                    read as f64 / 1e6,
                    total as f64 / 1e6
                );
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .text(text)
                        .desired_width(420.0)
                        .animate(true),
                );
                cancel = ui.button("Cancel loading").clicked();
            });
            if cancel {
                self.cancel_load();
            }
        }
        let fatal: Vec<_> = self.doc.problems.iter().filter(|p| p.fatal).collect();
        for problem in &fatal {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Could not open {}", problem.message),
            );
        }
        let warnings: Vec<_> = self.doc.problems.iter().filter(|p| !p.fatal).collect();
        if !warnings.is_empty() {
            let header = format!(
                "{} problem{} while reading; the affected spans were skipped, all others are shown",
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" }
            );
            egui::CollapsingHeader::new(
                egui::RichText::new(header).color(ui.visuals().warn_fg_color),
            )
            .id_salt("warnings")
            .show(ui, |ui| {
                for w in warnings.iter().take(200) {
                    ui.label(&w.message);
                }
                if warnings.len() > 200 {
                    ui.weak(format!("… and {} more", warnings.len() - 200));
                }
            });
        }
        let orphans = self.doc.index.orphan_count;
        if orphans > 0 {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "{orphans} span{} ha{} a parent that is not in the loaded files; shown under 'missing parent' in their trace.",
                    if orphans == 1 { "" } else { "s" },
                    if orphans == 1 { "s" } else { "ve" },
                ),
            );
        }
    }

    fn has_banners(&self) -> bool {
        self.loading.is_some() || !self.doc.problems.is_empty() || self.doc.index.orphan_count > 0
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
        });
        if self.focus.tab != Tab::Aggregate {
            self.search.ui(ui, &self.doc, &mut self.focus);
        }
        ui.separator();
        match self.focus.tab {
            Tab::Timeline => self.timeline.ui(ui, &self.doc, &mut self.focus),
            Tab::Flame => self.flame.ui(ui, &self.doc, &mut self.focus),
            Tab::Aggregate => self.aggregate.ui(ui, &self.doc, &mut self.focus),
        }
    }

    fn drop_hint(&self, ctx: &egui::Context) {
        if ctx.input(|i| i.raw.hovered_files.is_empty()) {
            return;
        }
        let screen = ctx.content_rect();
        let painter = ctx.layer_painter(egui::LayerId::new(
            egui::Order::Foreground,
            egui::Id::unique("drop"),
        ));
        painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(160));
        painter.text(
            screen.center(),
            egui::Align2::CENTER_CENTER,
            "Drop trace files to open them",
            egui::FontId::proportional(24.0),
            egui::Color32::WHITE,
        );
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
        self.dropped_files(&ctx);
        self.keys(&ctx);
        egui::Panel::top("menu").show(ui, |ui| self.menu_bar(ui));
        if self.has_banners() {
            egui::Panel::top("banners").show(ui, |ui| self.banners(ui));
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
        self.drop_hint(&ctx);
        if self.loading.is_some() {
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        self.settings.tab = self.focus.tab;
        self.settings.sort = self.list.filtered.sort;
        self.settings.descending = self.list.filtered.descending;
        eframe::set_value(storage, eframe::APP_KEY, &self.settings);
    }
}
