//! The comparison file (File > Open as comparison B…): a second document loaded beside the
//! open one, on the loader's background thread; its traces are set B of a two-file
//! comparison, and trace B of two traces can be picked from it.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};

use eframe::egui::{self, Ui};

use crate::load::{Document, LoadKind, Loading, Outcome};

/// The comparison file: its dialog, its load, its document.
#[derive(Debug, Default)]
pub struct SecondFile {
    dialog: Option<Receiver<Option<Vec<PathBuf>>>>,
    loading: Option<Loading>,
    doc: Option<Document>,
    /// Counts documents installed here, so comparisons of an older one are redone.
    pub generation: u64,
    /// Why the last pick or load failed, or what was loaded.
    pub status: String,
}

impl SecondFile {
    /// Asks for the comparison file without blocking the UI (the dialog on its own thread).
    pub fn open_dialog(&mut self, ctx: &egui::Context) {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("spindle-compare-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Open trace files as comparison B")
                    .pick_files();
                let _ = tx.send(picked);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.dialog = Some(rx),
            Err(e) => self.status = format!("Cannot open the file dialog: {e}"),
        }
    }

    /// Starts loading `paths` as the comparison file (replacing the one loaded).
    pub fn open(&mut self, paths: Vec<PathBuf>, ctx: &egui::Context) {
        if let Some(old) = self.loading.take() {
            old.cancel();
        }
        let ctx = ctx.clone();
        self.loading = Some(Loading::start(paths, LoadKind::Open, move || {
            ctx.request_repaint()
        }));
        self.status = "Loading the comparison file…".into();
    }

    /// Takes in a picked file or a finished load; call once per frame.
    pub fn poll(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.dialog
            && let Ok(picked) = rx.try_recv()
        {
            self.dialog = None;
            if let Some(paths) = picked.filter(|p| !p.is_empty()) {
                self.open(paths, ctx);
            }
        }
        if let Some(outcome) = self.loading.as_ref().and_then(Loading::poll) {
            self.loading = None;
            match outcome {
                Outcome::Done(doc) => self.install(*doc),
                Outcome::Cancelled => self.status = "Loading the comparison file stopped.".into(),
            }
        }
    }

    fn install(&mut self, doc: Document) {
        let names: Vec<String> = doc
            .files
            .iter()
            .filter_map(|f| f.path.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        self.status = format!(
            "Comparison file {}: {} traces",
            names.join(", "),
            doc.index.traces.len()
        );
        self.doc = Some(doc);
        self.generation += 1;
    }

    /// The loaded comparison document.
    pub fn document(&self) -> Option<&Document> {
        self.doc.as_ref()
    }

    /// True while the comparison file loads.
    pub fn is_loading(&self) -> bool {
        self.loading.is_some()
    }

    /// Closes the comparison file.
    pub fn close(&mut self) {
        self.doc = None;
        self.generation += 1;
        self.status.clear();
    }

    /// One line about the comparison file (nothing when none is open or loading).
    pub fn strip(&mut self, ui: &mut Ui) {
        if self.status.is_empty() {
            return;
        }
        ui.horizontal(|ui| {
            if self.is_loading() {
                ui.spinner();
            }
            ui.label(&self.status);
            if self.doc.is_some() && ui.button("Close comparison file").clicked() {
                self.close();
            }
        });
    }
}
