//! Keyboard shortcuts (listed for users in [`crate::views::help::KEYS`]): search, help, tabs,
//! zoom and pan requests, jumping between critical sections, showing one subtree and going
//! back up, and moving between and collapsing rows.

use eframe::egui::{self, Key, Modifiers};

use crate::focus::Tab;

use super::ViewerApp;

impl ViewerApp {
    /// Keyboard shortcuts (see [`crate::views::help::KEYS`]).
    pub(super) fn keys(&mut self, ctx: &egui::Context) {
        let typing = ctx.egui_wants_keyboard_input();
        let pressed = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        let pressed_shift = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::SHIFT, key));
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F))
            || (!typing && pressed(Key::Slash))
        {
            self.search.focus_requested = true;
            return;
        }
        if pressed(Key::Escape) {
            if self.help.open {
                self.help.open = false;
            } else if !self.search.text.is_empty() {
                self.search.clear(&self.doc, &mut self.focus);
            } else if self.focus.narrow.window.is_some() {
                self.focus.set_time_window(&self.doc, None);
            } else {
                self.focus.node = None;
            }
            return;
        }
        if typing {
            return;
        }
        if pressed(Key::F1)
            || ctx.input(|i| {
                i.events
                    .iter()
                    .any(|e| matches!(e, egui::Event::Text(t) if t == "?"))
            })
        {
            self.help.open = !self.help.open;
        }
        for (key, tab) in [
            (Key::Num1, Tab::Timeline),
            (Key::Num2, Tab::Flame),
            (Key::Num3, Tab::Aggregate),
            (Key::Num4, Tab::Statistics),
            (Key::Num5, Tab::Compare),
            (Key::Num6, Tab::ServiceMap),
        ] {
            if pressed(key) {
                self.focus.tab = tab;
            }
        }
        // A and B pick the open trace for a comparison.
        if let Some(t) = self.focus.trace {
            if pressed(Key::A) {
                self.focus.pick_compare_a(t);
            } else if pressed(Key::B) {
                self.focus.pick_compare_b(t);
            }
        }
        // Shift first: a plain `C` pattern also matches Shift+C.
        if pressed_shift(Key::C) {
            self.focus.step_critical(false);
        } else if pressed(Key::C) {
            self.focus.step_critical(true);
        }
        if pressed(Key::S) && self.focus.node.is_some() {
            self.focus.focus_subtree(&self.doc, self.focus.node);
        }
        if pressed(Key::Backspace) {
            self.focus.subtree_up(&self.doc);
        }
        let request = &mut self.focus.request;
        if pressed(Key::F) {
            request.zoom_to_selected = true;
        }
        if pressed(Key::Num0) {
            request.reset_zoom = true;
        }
        if pressed(Key::Plus)
            || pressed(Key::Equals)
            || pressed_shift(Key::Plus)
            || pressed_shift(Key::Equals)
        {
            request.zoom = 0.5;
        }
        if pressed(Key::Minus) {
            request.zoom = 2.0;
        }
        if pressed_shift(Key::ArrowLeft) {
            request.pan = -0.2;
        }
        if pressed_shift(Key::ArrowRight) {
            request.pan = 0.2;
        }
        self.navigate(ctx);
    }

    /// Arrows move between rows; Left/Right/Enter/Space collapse and expand.
    fn navigate(&mut self, ctx: &egui::Context) {
        let pressed = |key: Key| ctx.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        let (up, down, left, right) = (
            pressed(Key::ArrowUp),
            pressed(Key::ArrowDown),
            pressed(Key::ArrowLeft),
            pressed(Key::ArrowRight),
        );
        let toggle = pressed(Key::Enter) || pressed(Key::Space);
        if !(up || down || left || right || toggle) {
            return;
        }
        self.focus.refresh(&self.doc);
        let rows = &self.focus.timeline.rows;
        if rows.is_empty() {
            return;
        }
        let Some(at) = self.focus.node.and_then(|n| self.focus.timeline.row_of(n)) else {
            self.focus.select_node(Some(rows[0].node));
            return;
        };
        let row = rows[at];
        if up && at > 0 {
            self.focus.select_node(Some(rows[at - 1].node));
        } else if down && at + 1 < rows.len() {
            self.focus.select_node(Some(rows[at + 1].node));
        } else if let (Some(k), true) = (row.repeat, toggle || left || right) {
            if toggle || row.collapsed == right {
                self.focus.toggle_repeat(&self.doc, k);
            }
        } else if row.has_children && (toggle || (left && !row.collapsed)) {
            self.focus.toggle(&self.doc, row.node);
        } else if left {
            let parent = rows[..at]
                .iter()
                .rev()
                .find(|r| r.depth < row.depth)
                .map(|r| r.node);
            if parent.is_some() {
                self.focus.select_node(parent);
            }
        } else if right && row.collapsed {
            self.focus.toggle(&self.doc, row.node);
        } else if right && row.has_children && at + 1 < rows.len() {
            self.focus.select_node(Some(rows[at + 1].node));
        }
    }
}
