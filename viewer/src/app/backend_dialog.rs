//! File > Open from backend…: a base URL, the kind (recognised by probing unless chosen), an
//! optional Authorization header and a trace id; Open fetches the trace in the background.
//! Find traces (service, operation, tags, minimum duration; at most 50) lists the backend's traces;
//! clicking one opens it.

use std::time::Duration;

use eframe::egui::{self, Ui};

use crate::backends::fetch::Searching;
use crate::backends::search::{Query, Summary};
use crate::backends::{Auth, Backend, Target};
use crate::units;

use super::ViewerApp;

/// What the dialog holds between frames.
#[derive(Debug)]
pub struct BackendDialog {
    /// Whether the dialog is on screen.
    pub open: bool,
    /// The base URL as typed.
    pub url: String,
    /// The kind chosen (`None`: recognise by probing).
    pub kind: Option<Backend>,
    /// `bearer TOKEN` or `basic USER:PASSWORD`, or empty.
    pub auth: String,
    /// The trace id as typed.
    pub trace: String,
    /// Why Open or Search was refused, in plain words.
    pub error: Option<String>,
    /// Search: the service, operation, `key=value` tags (space-separated), the minimum
    /// duration in milliseconds and the limit, as typed.
    pub service: String,
    /// The operation to search for.
    pub operation: String,
    /// `key=value` pairs, space-separated.
    pub tags: String,
    /// The minimum duration in milliseconds, or empty.
    pub min_ms: String,
    /// What the last search found.
    pub results: Vec<Summary>,
    /// A search in flight.
    searching: Option<Searching>,
}

impl Default for BackendDialog {
    fn default() -> Self {
        BackendDialog {
            open: false,
            url: "http://localhost:16686".into(),
            kind: None,
            auth: String::new(),
            trace: String::new(),
            error: None,
            service: String::new(),
            operation: String::new(),
            tags: String::new(),
            min_ms: String::new(),
            results: Vec::new(),
            searching: None,
        }
    }
}

impl BackendDialog {
    /// The backend the fields describe, or why they do not describe one.
    fn target(&self) -> Result<Target, String> {
        let auth = match self.auth.trim() {
            "" => None,
            _ => Some(
                Auth::parse(&self.auth)
                    .ok_or("Authorization: expected \"bearer TOKEN\" or \"basic USER:PASSWORD\"")?,
            ),
        };
        Ok(Target {
            url: self.url.trim().to_string(),
            kind: self.kind,
            auth,
        })
    }

    /// The trace to open, or why the fields do not name one.
    fn request(&self) -> Result<(Target, String), String> {
        let trace = self.trace.trim();
        if trace.is_empty() {
            return Err("Enter the id of the trace to open.".into());
        }
        Ok((self.target()?, trace.to_string()))
    }

    /// The search the fields describe, or why they do not describe one.
    fn query(&self) -> Result<Query, String> {
        let mut tags = Vec::new();
        for pair in self.tags.split_whitespace() {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("Find tags: \"{pair}\" is not key=value"))?;
            tags.push((key.to_string(), value.to_string()));
        }
        let min_duration = match self.min_ms.trim() {
            "" => None,
            text => Some(Duration::from_millis(text.parse().map_err(|_| {
                format!("Find min duration: \"{text}\" is not a number of milliseconds")
            })?)),
        };
        Ok(Query {
            service: self.service.trim().to_string(),
            operation: self.operation.trim().to_string(),
            tags,
            min_duration,
            limit: SEARCH_LIMIT,
            ..Query::default()
        })
    }

    /// True while a search runs.
    pub fn is_searching(&self) -> bool {
        self.searching.is_some()
    }
}

/// The most traces one search lists.
const SEARCH_LIMIT: usize = 50;

fn kind_name(kind: Option<Backend>) -> String {
    kind.map_or_else(|| "Recognise".to_string(), |k| k.to_string())
}

impl ViewerApp {
    /// Shows File > Open from backend….
    pub fn show_backend_dialog(&mut self) {
        self.backend_dialog.open = true;
        self.backend_dialog.error = None;
    }

    /// The dialog, while open.
    pub(super) fn backend_dialog_ui(&mut self, ui: &mut Ui) {
        if !self.backend_dialog.open {
            return;
        }
        let mut open = true;
        let mut submit = false;
        let mut search = SearchAction::None;
        self.poll_search();
        let dialog = &mut self.backend_dialog;
        egui::Window::new("Open from backend")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("backend-fields")
                    .num_columns(2)
                    .show(ui, |ui| {
                        field(
                            ui,
                            "Base URL",
                            &mut dialog.url,
                            "http://localhost:3200",
                            false,
                        );
                        let text = ui.label("Backend");
                        egui::ComboBox::from_id_salt("backend-kind")
                            .selected_text(kind_name(dialog.kind))
                            .show_ui(ui, |ui| {
                                for kind in [
                                    None,
                                    Some(Backend::Jaeger),
                                    Some(Backend::Tempo),
                                    Some(Backend::Zipkin),
                                ] {
                                    ui.selectable_value(&mut dialog.kind, kind, kind_name(kind));
                                }
                            })
                            .response
                            .labelled_by(text.id);
                        ui.end_row();
                        field(
                            ui,
                            "Authorization",
                            &mut dialog.auth,
                            "bearer TOKEN or basic USER:PASSWORD",
                            true,
                        );
                        field(
                            ui,
                            "Trace id",
                            &mut dialog.trace,
                            "4bf92f3577b34da6a3ce929d0e0e4736",
                            false,
                        );
                    });
                if let Some(error) = &dialog.error {
                    ui.colored_label(ui.visuals().error_fg_color, error);
                }
                submit = ui.button("Open trace").clicked();
                ui.separator();
                search = search_section(ui, dialog);
            });
        if submit {
            match self.backend_dialog.request() {
                Ok((target, trace)) => {
                    self.backend_dialog.open = false;
                    self.open_from_backend(target, Some(trace));
                }
                Err(error) => self.backend_dialog.error = Some(error),
            }
        }
        match search {
            SearchAction::None => {}
            SearchAction::Start => self.start_search(),
            SearchAction::Open(id) => match self.backend_dialog.target() {
                Ok(target) => self.open_from_backend(target, Some(id)),
                Err(error) => self.backend_dialog.error = Some(error),
            },
        }
        if !open {
            self.backend_dialog.open = false;
        }
    }

    fn start_search(&mut self) {
        let dialog = &mut self.backend_dialog;
        match dialog.target().and_then(|t| Ok((t, dialog.query()?))) {
            Ok((target, query)) => {
                dialog.error = None;
                let ctx = self.ctx.clone();
                dialog.searching = Some(Searching::start(target, query, move || {
                    ctx.request_repaint()
                }));
            }
            Err(error) => dialog.error = Some(error),
        }
    }

    fn poll_search(&mut self) {
        let dialog = &mut self.backend_dialog;
        let Some(found) = dialog.searching.as_ref().and_then(Searching::poll) else {
            return;
        };
        dialog.searching = None;
        match found {
            Ok((_, results)) => dialog.results = results,
            Err(error) => dialog.error = Some(error.to_string()),
        }
    }
}

/// What the search part of the dialog asks for this frame.
enum SearchAction {
    None,
    Start,
    Open(String),
}

/// The search fields, the Search button and the results (a button each).
fn search_section(ui: &mut Ui, dialog: &mut BackendDialog) -> SearchAction {
    let mut action = SearchAction::None;
    egui::Grid::new("backend-search")
        .num_columns(2)
        .show(ui, |ui| {
            field(ui, "Find service", &mut dialog.service, "frontend", false);
            field(
                ui,
                "Find operation",
                &mut dialog.operation,
                "GET /cart",
                false,
            );
            field(
                ui,
                "Find tags",
                &mut dialog.tags,
                "http.status_code=500 error=true",
                false,
            );
            field(
                ui,
                "Find min duration (ms)",
                &mut dialog.min_ms,
                "100",
                false,
            );
        });
    ui.horizontal(|ui| {
        if ui
            .add_enabled(dialog.searching.is_none(), egui::Button::new("Find traces"))
            .clicked()
        {
            action = SearchAction::Start;
        }
        if dialog.searching.is_some() {
            ui.spinner();
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
    });
    egui::ScrollArea::vertical()
        .max_height(240.0)
        .show(ui, |ui| {
            for found in &dialog.results {
                let text = format!(
                    "{}: {} ({}) {}",
                    found.service,
                    found.name,
                    units::duration(found.duration_nanos),
                    found.id
                );
                if ui.button(text).clicked() {
                    action = SearchAction::Open(found.id.clone());
                }
            }
        });
    action
}

/// A labelled one-line field (hidden text for secrets) and the end of its grid row.
fn field(ui: &mut Ui, label: &str, value: &mut String, hint: &str, secret: bool) {
    let text = ui.label(label);
    ui.add(
        egui::TextEdit::singleline(value)
            .hint_text(hint)
            .password(secret)
            .desired_width(320.0),
    )
    .labelled_by(text.id);
    ui.end_row();
}
