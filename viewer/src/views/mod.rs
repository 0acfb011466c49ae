//! One view per file, each a small state struct with `Default` behind [`View`]. Views never
//! import each other: what they share is in [`widgets`], [`time_window`] and [`breadcrumb`], the selection in
//! [`crate::focus`].

pub mod breadcrumb;
pub mod call_path;
pub mod compare;
pub mod details;
pub mod flame;
pub mod help;
pub mod search;
pub mod service_map;
pub mod statistics;
pub mod time_window;
pub mod timeline;
pub mod trace_list;
pub mod widgets;

use eframe::egui;

use crate::focus::Focus;
use crate::load::Document;

/// A view: draws itself and changes the shared [`Focus`].
pub trait View {
    fn ui(&mut self, ui: &mut egui::Ui, doc: &Document, focus: &mut Focus);
}
