//! File > Save as: writes the open document (what was loaded and what was received) in any
//! format `spindle-formats` writes, through a save dialog or to a path given in code.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::channel;

use eframe::egui::Ui;
use spindle_formats::{Format, TraceData};

use super::ViewerApp;

/// The formats File > Save as offers, with the file name the dialog proposes.
pub const WRITABLE: [(Format, &str); 5] = [
    (Format::Spindle, "spans.spindle.jsonl"),
    (Format::Otlp, "spans.otlp.json"),
    (Format::OtlpProto, "spans.binpb"),
    (Format::Zipkin, "spans.zipkin.json"),
    (Format::Chrome, "spans.chrome.json"),
];

/// Writes `data` to `path` in `format`.
pub fn write_as(data: &TraceData, format: Format, path: &Path) -> std::io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    match format {
        Format::Spindle => spindle_formats::write_spindle_json(data, &mut out)?,
        Format::Otlp => spindle_formats::write_otlp_json(data, &mut out)?,
        Format::OtlpProto => spindle_formats::write_otlp_proto(data, &mut out)?,
        Format::Zipkin => spindle_formats::write_zipkin(data, &mut out)?,
        Format::Chrome => spindle_formats::write_chrome(data, &mut out)?,
        other => {
            return Err(std::io::Error::other(format!(
                "{other} is read, not written"
            )));
        }
    }
    out.flush()
}

impl ViewerApp {
    /// Saves every span of the open document to `path` in `format`; the status line says
    /// how it went.
    pub fn save_as(&mut self, format: Format, path: &Path) -> std::io::Result<()> {
        let result = write_as(&self.doc.data, format, path);
        self.status = match &result {
            Ok(()) => format!(
                "Saved {} spans to {} ({format})",
                self.doc.data.spans.len(),
                path.display()
            ),
            Err(e) => format!("Could not save {}: {e}", path.display()),
        };
        result
    }

    /// The Save as submenu: one entry per writable format.
    pub(super) fn save_menu(&mut self, ui: &mut Ui) {
        let empty = self.doc.data.spans.is_empty();
        ui.add_enabled_ui(!empty, |ui| {
            ui.menu_button("Save as", |ui| {
                for (format, name) in WRITABLE {
                    if ui.button(format!("{format}…")).clicked() {
                        self.save_dialog(format, name);
                        ui.close();
                    }
                }
            });
        });
    }

    fn save_dialog(&mut self, format: Format, name: &'static str) {
        let (tx, rx) = channel();
        let ctx = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("spindle-save-dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title(format!("Save as {format}"))
                    .set_file_name(name)
                    .save_file();
                let _ = tx.send(picked);
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => self.save_dialog = Some((rx, format)),
            Err(e) => self.status = format!("Cannot open the file dialog: {e}"),
        }
    }

    /// Writes the file once its dialog answers.
    pub(super) fn poll_save_dialog(&mut self) {
        let picked = match &self.save_dialog {
            Some((rx, format)) => match rx.try_recv() {
                Ok(path) => Some((path, *format)),
                Err(_) => None,
            },
            None => None,
        };
        if let Some((path, format)) = picked {
            self.save_dialog = None;
            if let Some(path) = path {
                let _ = self.save_as(format, &path);
            }
        }
    }
}

/// A save dialog under way: where its answer comes, and the format to write.
pub(super) type SaveDialog = (std::sync::mpsc::Receiver<Option<PathBuf>>, Format);
