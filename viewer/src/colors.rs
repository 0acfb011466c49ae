//! Service colours: stable per service id, readable with dark text in both themes.

use eframe::egui::Color32;
use eframe::egui::ecolor::Hsva;

/// The fill of a span bar for a service.
pub fn service(id: u32) -> Color32 {
    // Golden-ratio hue steps keep neighbouring ids apart.
    let hue = (id as f32 * 0.618_034).fract();
    Hsva::new(hue, 0.45, 0.92, 1.0).into()
}

/// Text drawn on a service-coloured bar.
pub const ON_BAR: Color32 = Color32::from_rgb(20, 20, 20);

/// Error marker colour.
pub const ERROR: Color32 = Color32::from_rgb(220, 50, 47);

/// Outline of a search match.
pub const MATCH: Color32 = Color32::from_rgb(255, 170, 0);

/// Error text on the panel background: lighter on dark, darker on light, both readable.
pub fn error_text(visuals: &eframe::egui::Visuals) -> Color32 {
    if visuals.dark_mode {
        Color32::from_rgb(255, 120, 110)
    } else {
        Color32::from_rgb(190, 30, 30)
    }
}

/// Background of a selected row: the theme's selection colour, lighter in the light theme so
/// pastel bars stay visible on it.
pub fn selected_row(visuals: &eframe::egui::Visuals) -> Color32 {
    let factor = if visuals.dark_mode { 0.6 } else { 0.35 };
    visuals.selection.bg_fill.gamma_multiply(factor)
}

/// Edge of a bar in the light theme.
pub const BAR_EDGE_LIGHT: Color32 = Color32::from_black_alpha(70);

/// The band on the critical portion of a bar: dark on the pastel service colours in both
/// themes, with a light edge so it also stands out on a dark background.
pub const CRITICAL: Color32 = Color32::from_rgb(40, 20, 90);

/// Outline of a span the statistics table highlights.
pub const HIGHLIGHT: Color32 = Color32::from_rgb(0, 160, 220);

/// A change from faster (`fraction` -1: green) through none (0: transparent) to slower (+1:
/// red), for the comparison's difference column and the differential flame graph.
pub fn change(fraction: f32) -> Color32 {
    let f = fraction.clamp(-1.0, 1.0);
    let alpha = (40.0 + 180.0 * f.abs()) as u8;
    if f.abs() < 0.01 {
        Color32::TRANSPARENT
    } else if f < 0.0 {
        Color32::from_rgba_unmultiplied(40, 170, 80, alpha)
    } else {
        Color32::from_rgba_unmultiplied(220, 60, 50, alpha)
    }
}

/// The mark of a call only in B (added) or only in A (removed).
pub const ADDED: Color32 = Color32::from_rgb(60, 130, 230);
pub const REMOVED: Color32 = Color32::from_rgb(150, 150, 150);
