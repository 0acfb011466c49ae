//! The keyboard overlay.

use eframe::egui::{self, Ui};

use crate::focus::Focus;
use crate::load::Document;
use crate::views::View;

/// Keys and what they do, as the overlay lists them.
pub const KEYS: &[(&str, &str)] = &[
    ("Up / Down", "previous / next span"),
    (
        "Left / Right",
        "collapse or go to parent / expand or go to first child",
    ),
    ("Enter / Space", "expand or collapse the selected span"),
    ("/ or Ctrl+F", "search"),
    ("Enter / Shift+Enter in search", "next / previous match"),
    (
        "C / Shift+C",
        "next / previous section of the critical path",
    ),
    (
        "S / Backspace",
        "show only the selected span's subtree / go one level up (also: right-click a row or block)",
    ),
    (
        "drag on the time axis, Shift+drag on the minimap",
        "show only the spans in that time window (Esc clears it)",
    ),
    ("F", "zoom to the selected span"),
    ("0", "reset zoom"),
    ("+ / -", "zoom in / out"),
    ("Shift+Left / Shift+Right", "pan left / right"),
    ("Ctrl+wheel, drag", "zoom, pan (timeline and flame graphs)"),
    (
        "1 / 2 / 3 / 4",
        "timeline / flame graph / aggregated flame graph / statistics",
    ),
    ("5 / 6", "compare / service map"),
    ("A / B", "pick the open trace as A / as B of a comparison"),
    (
        "Esc",
        "close this help, clear the search, clear the time window, or clear the selection",
    ),
    ("? or F1", "show or hide this help"),
];

/// Whether the overlay is open.
#[derive(Debug, Clone, Default)]
pub struct HelpView {
    pub open: bool,
}

impl View for HelpView {
    fn ui(&mut self, ui: &mut Ui, _doc: &Document, _focus: &mut Focus) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::Vec2::ZERO)
            .show(ui.ctx(), |ui| {
                egui::Grid::new("keys")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (key, what) in KEYS {
                            ui.monospace(*key);
                            ui.label(*what);
                            ui.end_row();
                        }
                    });
            });
        self.open = open;
    }
}
