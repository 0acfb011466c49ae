//! Which files are open: open, add, reload, cancel, the file dialog, dropped files, the
//! watcher that reloads changed files, and swapping in a loaded document (a reload keeps the
//! selection).

use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::time::Instant;

use eframe::egui;

use crate::index::Node;
use crate::live::tail::{Tailed, read_appended};
use crate::load::{Document, FileProblem, LoadKind, Loading, Outcome, Watcher};

use super::ViewerApp;

/// How many recently opened files the File menu lists.
const MAX_RECENT: usize = 10;

impl ViewerApp {
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

    pub(super) fn poll(&mut self) {
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
            self.follow_files();
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
        // Adding files or reloading keeps what arrived over the network: it is in no file.
        let received = (kind.keeps_view() && self.doc.received > 0).then(|| {
            let traces = std::mem::take(&mut self.doc.received_traces);
            (std::mem::take(&mut self.doc.data), traces)
        });
        self.doc = doc;
        self.doc.live = self.live.is_some();
        if let Some((old, traces)) = received {
            self.doc.received_traces = traces;
            let duplicates = self.doc.duplicates;
            // The files' own spans come again and are dropped; the received ones join.
            self.doc.received = self.doc.append(vec![old]).added;
            self.doc.duplicates = duplicates;
        }
        self.list.filtered.invalidate();
        self.focus.trace = None;
        self.focus.node = None;
        self.focus.flame = Default::default();
        self.focus.agg_node = None;
        self.focus.findings = Default::default();
        self.focus.generation += 1;
        self.focus.forget_comparison();
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
        let first = self
            .list
            .filtered
            .rows(&self.doc)
            .first()
            .map(|&t| t as usize);
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

    /// An open file changed: lines appended to a file of lines are read alone and join the
    /// document; anything else (a rewrite, a file that shrank) loads the files again.
    fn follow_files(&mut self) {
        let mut batches = Vec::new();
        let mut grown = Vec::new();
        for (f, file) in self.doc.files.iter_mut().enumerate() {
            match read_appended(file) {
                Tailed::Nothing { stamp } => file.stamp = stamp,
                Tailed::Reload => return self.reload(),
                Tailed::Lines {
                    data,
                    warnings,
                    tail_from,
                    stamp,
                } => {
                    grown.push((f, data.spans.len(), warnings, tail_from, stamp));
                    if !data.spans.is_empty() {
                        batches.push(data);
                    }
                }
            }
        }
        for (f, spans, warnings, tail_from, stamp) in grown {
            let file = &mut self.doc.files[f];
            (file.spans, file.tail_from, file.stamp) = (file.spans + spans, Some(tail_from), stamp);
            let name = file.path.display().to_string();
            self.doc
                .problems
                .extend(warnings.iter().map(|w| FileProblem {
                    file: name.clone(),
                    message: w.to_string(),
                    fatal: false,
                }));
        }
        if !batches.is_empty() {
            let appended = self.doc.append(batches);
            self.after_append(&appended.changed);
            self.status = format!("{} spans appended to the open files", appended.added);
        }
        self.start_watcher();
    }

    pub(super) fn start_watcher(&mut self) {
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
    pub(super) fn open_dialog(&mut self, add: bool) {
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

    pub(super) fn dropped_files(&mut self, ctx: &egui::Context) {
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

    pub(super) fn drop_hint(&self, ctx: &egui::Context) {
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
