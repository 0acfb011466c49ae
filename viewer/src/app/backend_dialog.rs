//! File > Open from backend…: a base URL, the kind (recognised by probing unless chosen), an
//! optional Authorization header and a trace id; Open fetches the trace in the background.

use eframe::egui::{self, Ui};

use crate::backends::{Auth, Backend, Target};

use super::ViewerApp;

/// What the dialog holds between frames.
#[derive(Debug, Clone)]
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
    /// Why Open was refused, in plain words.
    pub error: Option<String>,
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
        }
    }
}

impl BackendDialog {
    /// The request the fields describe, or why they do not describe one.
    fn request(&self) -> Result<(Target, String), String> {
        let auth = match self.auth.trim() {
            "" => None,
            text => Some(
                Auth::parse(text)
                    .ok_or("Authorization: expected \"bearer TOKEN\" or \"basic USER:PASSWORD\"")?,
            ),
        };
        let trace = self.trace.trim();
        if trace.is_empty() {
            return Err("Enter the id of the trace to open.".into());
        }
        let target = Target {
            url: self.url.trim().to_string(),
            kind: self.kind,
            auth,
        };
        Ok((target, trace.to_string()))
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
        if !open {
            self.backend_dialog.open = false;
        }
    }
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
