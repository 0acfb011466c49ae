//! The app's side of trace backends: fetches run on background threads (several at once),
//! the fetched spans join the open document (so traces can be opened one after another), a
//! found trace's row in the trace list follows its fetch, and the banner says what is being
//! fetched, how much has arrived, or why it failed.

use eframe::egui::Ui;
use spindle_formats::TraceId;

use crate::backends::fetch::{Fetching, Outcome};
use crate::backends::{Backend, Fetched, Target};
use crate::load::FileProblem;
use crate::views::trace_list::found::FoundState;

use super::ViewerApp;

impl ViewerApp {
    /// Connects to `target` (probing its kind unless given) and, with an `id`, fetches that
    /// trace in the background; its spans join the open document when they arrive. A fetch
    /// of the same trace from the same place already running is not started again.
    pub fn open_from_backend(&mut self, target: Target, id: Option<String>) {
        let running = self
            .fetching
            .iter()
            .any(|f| f.id == id && f.target == target);
        if running {
            return;
        }
        let ctx = self.ctx.clone();
        self.backend_error = None;
        let fetching = Fetching::start(target, id, move || ctx.request_repaint());
        if let (Some(id), Some(found)) = (&fetching.id, &mut self.list.found)
            && let Some(row) = found.row_mut(id)
        {
            row.state = FoundState::Fetching(fetching.progress());
        }
        self.fetching.push(fetching);
    }

    /// True while a backend request runs.
    pub fn is_fetching(&self) -> bool {
        !self.fetching.is_empty()
    }

    /// The last backend error, in plain words.
    pub fn backend_error(&self) -> Option<&str> {
        self.backend_error.as_deref()
    }

    /// Starts the fetch of a found trace clicked in the list, and takes in finished fetches
    /// (not while a file loads: its document replaces this one).
    pub(super) fn poll_backend(&mut self) {
        self.fetch_wanted();
        if self.loading.is_some() {
            return;
        }
        let mut i = 0;
        while i < self.fetching.len() {
            match self.fetching[i].poll() {
                Some(outcome) => {
                    let fetching = self.fetching.remove(i);
                    self.take_outcome(fetching.id, outcome);
                }
                None => i += 1,
            }
        }
    }

    /// The found row clicked whose trace is not open: fetched from where it was found.
    fn fetch_wanted(&mut self) {
        let Some(found) = &mut self.list.found else {
            return;
        };
        let Some(row) = found.wanted.take().and_then(|i| found.rows.get(i)) else {
            return;
        };
        let id = row.summary.id.clone();
        if let Some(target) = self.backend_dialog.searched.clone() {
            self.open_from_backend(target, Some(id));
        }
    }

    fn take_outcome(&mut self, id: Option<String>, outcome: Outcome) {
        let Outcome {
            backend,
            url,
            result,
        } = outcome;
        let name = backend.map_or_else(|| "the backend".to_string(), |b| b.to_string());
        let row_state = match result {
            Ok(Some(fetched)) => {
                self.take_fetched(fetched, backend);
                FoundState::Listed
            }
            Ok(None) => {
                self.status = format!("Connected to {name} at {url}");
                FoundState::Listed
            }
            Err(error) => {
                self.status = format!("Could not use {name} at {url}");
                self.backend_error = Some(error.to_string());
                FoundState::Failed(error.to_string())
            }
        };
        if let (Some(id), Some(found)) = (id, &mut self.list.found)
            && let Some(row) = found.row_mut(&id)
        {
            row.state = row_state;
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
        !self.fetching.is_empty() || self.backend_error.is_some()
    }

    /// "Fetching trace … from …: 412 KB of 2.5 MB received" with a spinner per fetch, or the
    /// last error with a dismiss button.
    pub(super) fn backend_banner(&mut self, ui: &mut Ui) {
        for fetching in &self.fetching {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label(match &fetching.id {
                    Some(id) => format!(
                        "Fetching trace {id} from {}: {}…",
                        fetching.target.url,
                        fetching.progress().describe()
                    ),
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
        if !self.fetching.is_empty() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }
}
