//! File > Save as: writes the open document (what was loaded and what was received) in any
//! format `spindle-formats` writes, through a save dialog or to a path given in code. The
//! UI keeps drawing while it saves: the spans are copied a slice per frame (received spans
//! wait meanwhile, so the copy is one moment's document), then written on a background
//! thread; the status line says "Saving…" and then how it went, in plain words.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use eframe::egui::Ui;
use spindle_formats::{Format, TraceData};

use super::ViewerApp;
use crate::units::count;

/// The formats File > Save as offers, with the file name the dialog proposes.
pub const WRITABLE: [(Format, &str); 5] = [
    (Format::Spindle, "spans.spindle.jsonl"),
    (Format::Otlp, "spans.otlp.json"),
    (Format::OtlpProto, "spans.binpb"),
    (Format::Zipkin, "spans.zipkin.json"),
    (Format::Chrome, "spans.chrome.json"),
];

/// How long one frame spends copying spans for a save.
const COPY_BUDGET: Duration = Duration::from_millis(6);
/// Spans copied between two looks at the clock.
const COPY_CHUNK: usize = 2_048;

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

/// Why a save failed, in the words a user reads.
pub fn plain_error(path: &Path, error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let folder = path
        .parent()
        .map_or_else(String::new, |p| p.display().to_string());
    let why = match error.kind() {
        ErrorKind::NotFound => format!("the folder {folder} does not exist"),
        ErrorKind::PermissionDenied => format!("no permission to write in {folder}"),
        ErrorKind::StorageFull => "the disk is full".to_string(),
        ErrorKind::IsADirectory => "that is a folder, not a file".to_string(),
        _ => error.to_string(),
    };
    format!("Could not save {}: {why}", path.display())
}

/// A save under way: its dialog, then the copy of the spans, then the write.
#[derive(Debug)]
pub(super) enum SaveDialog {
    /// The file dialog is open; it answers with a path (or none when cancelled).
    Asking(Receiver<Option<PathBuf>>, Format),
    /// Spans are being copied, a slice per frame, from the document of `generation`.
    Copying(Box<SaveCopy>),
    /// A background thread writes the copy; it answers with how it went.
    Writing {
        done: Receiver<std::io::Result<()>>,
        path: PathBuf,
        format: Format,
        spans: usize,
    },
}

/// The spans copied so far for a save.
#[derive(Debug)]
pub(super) struct SaveCopy {
    data: TraceData,
    total: usize,
    generation: u64,
    path: PathBuf,
    format: Format,
}

impl ViewerApp {
    /// Starts saving every span of the open document to `path` in `format`: the status line
    /// says "Saving…" until the file is written, then how it went. The UI keeps drawing.
    pub fn save_as(&mut self, format: Format, path: &Path) {
        let doc = &self.doc;
        let copy = SaveCopy {
            data: TraceData {
                resources: doc.data.resources.clone(),
                scopes: doc.data.scopes.clone(),
                spans: Vec::with_capacity(doc.data.spans.len()),
            },
            total: doc.data.spans.len(),
            generation: self.focus.generation,
            path: path.to_path_buf(),
            format,
        };
        self.save_dialog = Some(SaveDialog::Copying(Box::new(copy)));
        self.continue_save();
    }

    /// A save is copying spans: received spans wait until it is done.
    pub(super) fn save_copying(&self) -> bool {
        matches!(self.save_dialog, Some(SaveDialog::Copying(_)))
    }

    /// A save is under way (copying or writing).
    pub fn is_saving(&self) -> bool {
        matches!(
            self.save_dialog,
            Some(SaveDialog::Copying(_) | SaveDialog::Writing { .. })
        )
    }

    /// The Save as submenu: one entry per writable format.
    pub(super) fn save_menu(&mut self, ui: &mut Ui) {
        let enabled = !self.doc.data.spans.is_empty() && self.save_dialog.is_none();
        ui.add_enabled_ui(enabled, |ui| {
            ui.menu_button("Save as", |ui| {
                for (format, name) in WRITABLE {
                    if ui.button(format!("{format}…")).clicked() {
                        self.open_save_dialog(format, name);
                        ui.close();
                    }
                }
            });
        });
    }

    fn open_save_dialog(&mut self, format: Format, name: &'static str) {
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
            Ok(_) => self.save_dialog = Some(SaveDialog::Asking(rx, format)),
            Err(e) => self.status = format!("Cannot open the file dialog: {e}"),
        }
    }

    /// Moves a save on each frame: the dialog's answer, a slice of the copy, the writer's
    /// answer.
    pub(super) fn poll_save_dialog(&mut self) {
        if let Some(SaveDialog::Asking(rx, format)) = &self.save_dialog {
            let format = *format;
            match rx.try_recv() {
                Ok(Some(path)) => self.save_as(format, &path),
                Ok(None) | Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.save_dialog = None;
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
            }
            return;
        }
        self.continue_save();
    }

    fn continue_save(&mut self) {
        match self.save_dialog.take() {
            Some(SaveDialog::Copying(copy)) => self.copy_slice(copy),
            Some(SaveDialog::Writing {
                done,
                path,
                format,
                spans,
            }) => match done.try_recv() {
                Ok(Ok(())) => {
                    self.status = format!(
                        "Saved {} spans to {} ({format})",
                        count(spans as u64),
                        path.display()
                    );
                }
                Ok(Err(e)) => self.status = plain_error(&path, &e),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.status = format!("Could not save {}: the writer stopped", path.display());
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    let writing = SaveDialog::Writing {
                        done,
                        path,
                        format,
                        spans,
                    };
                    self.save_dialog = Some(writing);
                }
            },
            other => self.save_dialog = other,
        }
    }

    /// Copies spans for about [`COPY_BUDGET`]; once all are copied, starts the writer.
    fn copy_slice(&mut self, mut copy: Box<SaveCopy>) {
        if copy.generation != self.focus.generation {
            self.status = format!(
                "Did not save {}: another document was opened while copying",
                copy.path.display()
            );
            return;
        }
        let started = Instant::now();
        let spans = &self.doc.data.spans[..copy.total.min(self.doc.data.spans.len())];
        while copy.data.spans.len() < spans.len() && started.elapsed() < COPY_BUDGET {
            let at = copy.data.spans.len();
            let end = (at + COPY_CHUNK).min(spans.len());
            copy.data.spans.extend_from_slice(&spans[at..end]);
        }
        if copy.data.spans.len() < spans.len() {
            let done = 100 * copy.data.spans.len() / spans.len().max(1);
            self.status = format!("Saving {}… copying {done}%", copy.path.display());
            self.save_dialog = Some(SaveDialog::Copying(copy));
            self.ctx.request_repaint();
            return;
        }
        self.start_writer(*copy);
    }

    fn start_writer(&mut self, copy: SaveCopy) {
        let (tx, done) = channel();
        let ctx = self.ctx.clone();
        let SaveCopy {
            data, path, format, ..
        } = copy;
        let spans = data.spans.len();
        let target = path.clone();
        let spawned = std::thread::Builder::new()
            .name("spindle-save".into())
            .spawn(move || {
                let _ = tx.send(write_as(&data, format, &target));
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.status = format!(
                    "Saving {} spans to {}…",
                    count(spans as u64),
                    path.display()
                );
                self.save_dialog = Some(SaveDialog::Writing {
                    done,
                    path,
                    format,
                    spans,
                });
            }
            Err(e) => self.status = plain_error(&path, &e),
        }
    }
}
