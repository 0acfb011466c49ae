//! File > Open from backend…: a base URL, the kind (recognised by probing unless chosen), an
//! optional Authorization header, a CA file for HTTPS with a private CA, and a trace id; Open
//! fetches the trace in the background. Below it the search (`backend_search.rs`), whose
//! results are listed in the trace list.

use eframe::egui::{self, Ui};

use crate::backends::fetch::Searching;
use crate::backends::{Auth, Backend, Target};

use super::ViewerApp;
use super::backend_search::search_section;

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
    /// A PEM file of the CA to trust for HTTPS, or empty (the built-in roots).
    pub ca_file: String,
    /// The trace id as typed.
    pub trace: String,
    /// Why Open or Search was refused, in plain words.
    pub error: Option<String>,
    /// The service to search for.
    pub service: String,
    /// The operation to search for.
    pub operation: String,
    /// `key=value` pairs, space-separated.
    pub tags: String,
    /// The minimum duration in milliseconds, or empty.
    pub min_ms: String,
    /// How far back to look: `30s`, `15m`, `1h`, `2d`.
    pub lookback: String,
    /// What the last search found, in words.
    pub found: Option<String>,
    /// Where the traces listed were found (their rows fetch from there).
    pub searched: Option<Target>,
    /// A search in flight.
    pub(super) searching: Option<Searching>,
}

impl Default for BackendDialog {
    fn default() -> Self {
        BackendDialog {
            open: false,
            url: "http://localhost:16686".into(),
            kind: None,
            auth: String::new(),
            ca_file: String::new(),
            trace: String::new(),
            error: None,
            service: String::new(),
            operation: String::new(),
            tags: String::new(),
            min_ms: String::new(),
            lookback: "1h".into(),
            found: None,
            searched: None,
            searching: None,
        }
    }
}

impl BackendDialog {
    /// The backend the fields describe, or why they do not describe one.
    pub(super) fn target(&self) -> Result<Target, String> {
        let auth = match self.auth.trim() {
            "" => None,
            _ => Some(
                Auth::parse(&self.auth)
                    .ok_or("Authorization: expected \"bearer TOKEN\" or \"basic USER:PASSWORD\"")?,
            ),
        };
        let ca_file = match self.ca_file.trim() {
            "" => None,
            path => Some(path.into()),
        };
        Ok(Target {
            url: self.url.trim().to_string(),
            kind: self.kind,
            auth,
            ca_file,
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

    /// True while a search runs.
    pub fn is_searching(&self) -> bool {
        self.searching.is_some()
    }
}

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
        let mut search = false;
        self.poll_search();
        let dialog = &mut self.backend_dialog;
        egui::Window::new("Open from backend")
            .open(&mut open)
            .collapsible(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("backend-fields")
                    .num_columns(2)
                    .show(ui, |ui| connection_fields(ui, dialog));
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
        if search {
            self.start_search();
        }
        if !open {
            self.backend_dialog.open = false;
        }
    }
}

/// Base URL, kind, Authorization, CA file and trace id.
fn connection_fields(ui: &mut Ui, dialog: &mut BackendDialog) {
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
        "CA file",
        &mut dialog.ca_file,
        "PEM file of a private CA (HTTPS)",
        false,
    );
    field(
        ui,
        "Trace id",
        &mut dialog.trace,
        "4bf92f3577b34da6a3ce929d0e0e4736",
        false,
    );
}

/// A labelled one-line field (hidden text for secrets) and the end of its grid row.
pub(super) fn field(ui: &mut Ui, label: &str, value: &mut String, hint: &str, secret: bool) {
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
