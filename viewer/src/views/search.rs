//! The search bar: text over names, services and attribute keys/values of the current trace;
//! next/previous with auto-scroll; 'matches only' hides other spans but keeps ancestors.

use eframe::egui::{self, Key, Ui};

use crate::focus::Focus;
use crate::load::Document;
use crate::views::View;

/// Text being typed and whether the field should take keyboard focus.
#[derive(Debug, Clone, Default)]
pub struct SearchView {
    pub text: String,
    /// Set by `/` or Ctrl+F: focus the field on the next frame.
    pub focus_requested: bool,
}

/// Width the buttons, the checkbox and a "match 10 of 12" counter take right of the field.
const RIGHT_OF_FIELD: f32 = 370.0;

impl View for SearchView {
    fn ui(&mut self, ui: &mut Ui, doc: &Document, focus: &mut Focus) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Search:");
            // Room is left for the buttons and the match counter on the same row.
            let width = (ui.available_size_before_wrap().x - RIGHT_OF_FIELD).clamp(140.0, 260.0);
            let edit = egui::TextEdit::singleline(&mut self.text)
                .hint_text("name, service, attribute  ( / )")
                .desired_width(width);
            let response = ui
                .add(edit)
                .labelled_by(label.id)
                .on_hover_text("Span names, services, attribute keys and values of this trace");
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
                // Never broken over two lines: moved whole to the next row if it does not fit.
                ui.add(egui::Label::new(text).extend());
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
