//! The app's side of trace backends: a fetch runs on a background thread, the fetched spans
//! join the open document (so traces can be opened one after another), and the banner says
//! what is being fetched or why it failed.

use eframe::egui::Ui;
use spindle_formats::TraceId;

use crate::backends::fetch::{Fetching, Outcome};
use crate::backends::{Backend, Fetched, Target};
use crate::load::FileProblem;

use super::ViewerApp;

impl ViewerApp {
    /// Connects to `target` (probing its kind unless given) and, with an `id`, fetches that
    /// trace in the background; its spans join the open document when they arrive. Replaces
    /// a fetch still running (its answer is dropped).
    pub fn open_from_backend(&mut self, target: Target, id: Option<String>) {
        let ctx = self.ctx.clone();
        self.backend_error = None;
        self.fetching = Some(Fetching::start(target, id, move || ctx.request_repaint()));
    }

    /// True while a backend request runs.
    pub fn is_fetching(&self) -> bool {
        self.fetching.is_some()
    }

    /// The last backend error, in plain words.
    pub fn backend_error(&self) -> Option<&str> {
        self.backend_error.as_deref()
    }

    /// Takes in a finished fetch (not while a file loads: its document replaces this one).
    pub(super) fn poll_backend(&mut self) {
        if self.loading.is_some() {
            return;
        }
        let Some(outcome) = self.fetching.as_ref().and_then(Fetching::poll) else {
            return;
        };
        self.fetching = None;
        let Outcome {
            backend,
            url,
            result,
        } = outcome;
        let name = backend.map_or_else(|| "the backend".to_string(), |b| b.to_string());
        match result {
            Ok(Some(fetched)) => self.take_fetched(fetched, backend),
            Ok(None) => self.status = format!("Connected to {name} at {url}"),
            Err(error) => {
                self.status = format!("Could not use {name} at {url}");
                self.backend_error = Some(error.to_string());
            }
        }
    }

    /// Appends a fetched trace, brings the list up to date and opens the trace.
    fn take_fetched(&mut self, fetched: Fetched, backend: Option<Backend>) {
        let Fetched {
            id,
            url,
            data,
            warnings,
        } = fetched;
        self.doc
            .problems
            .extend(warnings.into_iter().map(|message| FileProblem {
                file: url.clone(),
                message,
                fatal: false,
            }));
        let appended = self.doc.append(vec![data]);
        // In no open file: kept when files are added or reloaded.
        self.doc.received += appended.added;
        self.after_append(&appended.changed);
        let wanted = u128::from_str_radix(&id, 16).ok().map(TraceId);
        let trace = wanted
            .and_then(|t| self.doc.index.trace_index(t))
            .or(appended.newest.map(|t| t as usize));
        self.focus.select_trace(&self.doc, trace);
        let from = backend.map_or_else(String::new, |b| format!(" from {b}"));
        self.status = match appended.added {
            0 => format!("Trace {id}{from} is already open"),
            n => format!("Opened trace {id}{from}: {n} spans"),
        };
    }

    /// Whether the backend banner has something to show.
    pub(super) fn has_backend_banner(&self) -> bool {
        self.fetching.is_some() || self.backend_error.is_some()
    }

    /// "Fetching trace … from …" with a spinner, or the last error with a dismiss button.
    pub(super) fn backend_banner(&mut self, ui: &mut Ui) {
        if let Some(fetching) = &self.fetching {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(match &fetching.id {
                    Some(id) => format!("Fetching trace {id} from {}…", fetching.target.url),
                    None => format!("Connecting to {}…", fetching.target.url),
                });
            });
        }
        let mut dismiss = false;
        if let Some(error) = &self.backend_error {
            ui.horizontal(|ui| {
                ui.colored_label(ui.visuals().error_fg_color, error);
                dismiss = ui.button("Dismiss").clicked();
            });
        }
        if dismiss {
            self.backend_error = None;
        }
        if self.fetching.is_some() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}
