//! The search bar: text over names, services and attribute keys/values of the current trace;
//! next/previous with auto-scroll; 'matches only' hides other spans but keeps ancestors.

use eframe::egui::{self, Key, Ui};

use crate::load::Document;
use crate::views::{Focus, View};

/// Text being typed and whether the field should take keyboard focus.
#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub text: String,
    /// Set by `/` or Ctrl+F: focus the field on the next frame.
    pub focus_requested: bool,
}

impl View for SearchView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Search:");
            let edit = egui::TextEdit::singleline(&mut self.text)
                .hint_text("name, service, attribute key or value  ( / )")
                .desired_width(260.0);
            let response = ui.add(edit).labelled_by(label.id);
            if std::mem::take(&mut self.focus_requested) {
                response.request_focus();
            }
            if response.changed() {
                focus.set_query(doc, &self.text);
            }
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
            if enter {
                let back = ui.input(|i| i.modifiers.shift);
                focus.step_match(!back);
                response.request_focus();
            }
            let has = !focus.matches.is_empty();
            if ui
                .add_enabled(has, egui::Button::new("< Previous"))
                .clicked()
            {
                focus.step_match(false);
            }
            if ui.add_enabled(has, egui::Button::new("Next >")).clicked() {
                focus.step_match(true);
            }
            if ui
                .checkbox(&mut focus.matches_only, "Matches only")
                .changed()
            {
                focus.dirty = true;
            }
            if !focus.query.trim().is_empty() {
                let text = match (focus.matches.len(), focus.current_match) {
                    (0, _) => "no matches".to_string(),
                    (n, Some(i)) => format!("match {} of {n}", i + 1),
                    (n, None) => format!("{n} matches"),
                };
                ui.label(text);
            }
        });
    }
}

impl SearchView {
    /// Clears the text and the matches (Esc).
    pub fn clear(&mut self, doc: &Document, focus: &mut Focus) {
        self.text.clear();
        focus.set_query(doc, "");
    }
}
