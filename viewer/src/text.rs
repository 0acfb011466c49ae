//! Text painted into a fixed width: cut at a glyph boundary and ended with an ellipsis
//! instead of being clipped through the middle of a letter.

use eframe::egui::text::{LayoutJob, TextWrapping};
use eframe::egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Vec2};

/// Below this width nothing readable fits: nothing is painted.
const MIN_WIDTH: f32 = 10.0;

/// Paints `text` anchored at `pos`, at most `max_width` wide (elided with `…` when longer).
/// Returns the painted rectangle (empty at `pos` when nothing fits).
pub fn fitted(
    painter: &Painter,
    pos: Pos2,
    anchor: Align2,
    text: &str,
    font: FontId,
    color: Color32,
    max_width: f32,
) -> Rect {
    if max_width < MIN_WIDTH || text.is_empty() {
        return Rect::from_min_size(pos, Vec2::ZERO);
    }
    let mut job = LayoutJob::simple_singleline(text.to_owned(), font, color);
    job.wrap = TextWrapping::truncate_at_width(max_width);
    let galley = painter.layout_job(job);
    let rect = anchor.anchor_size(pos, galley.size());
    painter.galley(rect.min, galley, color);
    rect
}

/// Paints an axis label left-aligned at `pos` (vertically centred) unless it would run past
/// `right`: a label is shown whole or not at all.
pub fn axis_label(
    painter: &Painter,
    pos: Pos2,
    text: &str,
    font: &FontId,
    color: Color32,
    right: f32,
) {
    let galley = painter.layout_no_wrap(text.to_owned(), font.clone(), color);
    if pos.x + galley.size().x <= right {
        let rect = Align2::LEFT_CENTER.anchor_size(pos, galley.size());
        painter.galley(rect.min, galley, color);
    }
}
