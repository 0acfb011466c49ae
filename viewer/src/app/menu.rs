//! The menu bar: File (open, add, open as comparison B, open from backend, save, reload, recent files, watching, receiving, quit), View (theme), Help,
//! and the status of the last load.

use eframe::egui::{self, Ui};

use super::ViewerApp;

impl ViewerApp {
    pub(super) fn menu_bar(&mut self, ui: &mut Ui) {
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
                if ui.button("Open as comparison B…").clicked() {
                    self.compare.second.open_dialog(ui.ctx());
                    self.focus.tab = crate::focus::Tab::Compare;
                    ui.close();
                }
                if ui.button("Open from backend…").clicked() {
                    self.show_backend_dialog();
                    ui.close();
                }
                self.save_menu(ui);
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
                let receiving = self.live.is_some();
                let label = if receiving {
                    "Stop receiving spans"
                } else {
                    "Receive spans (OTLP/HTTP 4318, Zipkin 9411)"
                };
                if ui.button(label).clicked() {
                    self.toggle_receiving();
                    ui.close();
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
}
