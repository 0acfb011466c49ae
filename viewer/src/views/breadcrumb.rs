//! The strip above the timeline and the trace's flame graph while they are narrowed (shared by
//! both): the breadcrumb of the subtree shown (whole trace > ... > the focused span; each step
//! leads back up) and the chip of the time window with its clear button.

use eframe::egui::{self, RichText, Ui};

use crate::focus::Focus;
use crate::index::{Node, Trace};
use crate::layout::ancestry;
use crate::load::Document;
use crate::units;

/// What a click on the strip asks for.
enum Wish {
    Subtree(Option<Node>),
    Up,
    ClearWindow,
}

/// Draws the strip when the views are narrowed (nothing otherwise) and applies its clicks.
pub fn narrow_bar(ui: &mut Ui, doc: &Document, trace: &Trace, focus: &mut Focus) {
    if !focus.narrow.is_on() {
        return;
    }
    let mut wish = None;
    ui.horizontal_wrapped(|ui| {
        if let Some(node) = focus.narrow.subtree {
            breadcrumb(ui, doc, trace, node, &mut wish);
        }
        if let Some((a, b)) = focus.narrow.window {
            if focus.narrow.subtree.is_some() {
                ui.separator();
            }
            window_chip(ui, (a, b), &mut wish);
        }
    });
    match wish {
        Some(Wish::Subtree(node)) => focus.focus_subtree(doc, node),
        Some(Wish::Up) => focus.subtree_up(doc),
        Some(Wish::ClearWindow) => focus.set_time_window(doc, None),
        None => {}
    }
}

/// `Whole trace > GET /checkout > POST /cart/checkout > charge card  [Up one level]`.
fn breadcrumb(ui: &mut Ui, doc: &Document, trace: &Trace, node: Node, wish: &mut Option<Wish>) {
    if ui
        .link("Whole trace")
        .on_hover_text("Show the whole trace again")
        .clicked()
    {
        *wish = Some(Wish::Subtree(None));
    }
    let path = ancestry(&doc.index, trace, node);
    for (k, &step) in path.iter().enumerate() {
        ui.weak(">");
        let name = match step.span() {
            Some(i) => doc.data.spans[i].name.to_string(),
            None => "missing parent".to_string(),
        };
        if k + 1 == path.len() {
            ui.label(RichText::new(name).strong())
                .on_hover_text("The subtree shown");
        } else if ui
            .link(name)
            .on_hover_text("Show this span's subtree")
            .clicked()
        {
            *wish = Some(Wish::Subtree(Some(step)));
        }
    }
    if ui
        .small_button("Up one level")
        .on_hover_text("Show the parent's subtree (Backspace)")
        .clicked()
    {
        *wish = Some(Wish::Up);
    }
}

/// `Window 12.00 ms – 40.00 ms  [x Clear window]`.
fn window_chip(ui: &mut Ui, (a, b): (u64, u64), wish: &mut Option<Wish>) {
    let text = format!("Window {} – {}", units::duration(a), units::duration(b));
    let chip = egui::Frame::new()
        .fill(ui.visuals().selection.bg_fill.gamma_multiply(0.4))
        .corner_radius(8.0)
        .inner_margin(egui::Margin::symmetric(6, 1));
    chip.show(ui, |ui| {
        ui.label(text)
            .on_hover_text("Only spans overlapping this stretch of the trace are shown");
    });
    if ui
        .small_button("× Clear window")
        .on_hover_text("Show spans at any time again (Esc)")
        .clicked()
    {
        *wish = Some(Wish::ClearWindow);
    }
}
