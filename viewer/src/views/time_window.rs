//! The visible stretch of a time axis, shared by the waterfall and the flame graphs: zoom
//! around a point, pan, the mouse (drag pans, Ctrl+wheel zooms, horizontal wheel pans) and the
//! keyboard's zoom and pan requests. Each view says how far its window may go ([`Bounds`]).

use eframe::egui::{self, Rect, Ui};

use crate::focus::ViewRequest;

/// The visible range of an axis, in its units (nanoseconds from the trace start, or the
/// aggregated flame graph's total time).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeWindow {
    pub start: f64,
    pub end: f64,
}

/// How narrow and wide a window may get and where it may lie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min_width: f64,
    pub max_width: f64,
    /// The window starts at or after `lo` and ends at or before `hi` (when it fits).
    pub lo: f64,
    pub hi: f64,
}

impl Bounds {
    /// The waterfall's: 5% of the trace beside either end, at least 10 ns wide.
    pub fn with_margin(duration: f64) -> Bounds {
        let margin = duration * 0.05;
        Bounds {
            min_width: 10.0,
            max_width: duration * 1.1 + 10.0,
            lo: -margin,
            hi: duration + margin,
        }
    }

    /// A flame graph's: inside `0..extent`, at least one unit wide.
    pub fn within(extent: f64) -> Bounds {
        Bounds::between(0.0, extent)
    }

    /// A narrowed flame graph's: inside `lo..hi`, at least one unit wide.
    pub fn between(lo: f64, hi: f64) -> Bounds {
        Bounds {
            min_width: 1.0,
            max_width: (hi - lo).max(1.0),
            lo,
            hi,
        }
    }
}

impl Default for TimeWindow {
    /// A placeholder until a view knows its axis.
    fn default() -> Self {
        TimeWindow::new(0.0, 1.0)
    }
}

impl TimeWindow {
    pub fn new(start: f64, end: f64) -> TimeWindow {
        TimeWindow { start, end }
    }

    pub fn width(&self) -> f64 {
        self.end - self.start
    }

    /// Scales the window by `factor` keeping `at` in place.
    pub fn zoom_around(&mut self, at: f64, factor: f64, bounds: Bounds) {
        let width = (self.width() * factor).clamp(bounds.min_width, bounds.max_width);
        let frac = (at - self.start) / self.width().max(1e-9);
        let start = at - frac * width;
        *self = TimeWindow::new(start, start + width);
        self.pan_by(0.0, bounds);
    }

    /// Moves the window by `shift`, staying within `bounds`.
    pub fn pan_by(&mut self, shift: f64, bounds: Bounds) {
        let width = self.width();
        let start = (self.start + shift).clamp(bounds.lo, (bounds.hi - width).max(bounds.lo));
        *self = TimeWindow::new(start, start + width);
    }

    /// Moves the window so it is centred on `at`, staying within `bounds`.
    pub fn center_on(&mut self, at: f64, bounds: Bounds) {
        let width = self.width();
        *self = TimeWindow::new(at - width / 2.0, at + width / 2.0);
        self.pan_by(0.0, bounds);
    }

    /// Takes the keyboard's zoom (around the centre) and pan requests.
    pub fn apply_zoom_pan(&mut self, request: &mut ViewRequest, bounds: Bounds) {
        let zoom = std::mem::replace(&mut request.zoom, 1.0);
        if zoom > 0.0 && zoom != 1.0 {
            let center = (self.start + self.end) / 2.0;
            self.zoom_around(center, zoom, bounds);
        }
        let pan = std::mem::take(&mut request.pan);
        if pan != 0.0 {
            self.pan_by(self.width() * pan, bounds);
        }
    }

    /// Dragging `drag` pans; over `area` (which shows the window across its width) Ctrl+wheel
    /// or a pinch zooms around the pointer and a horizontal wheel pans.
    pub fn follow_mouse(&mut self, ui: &Ui, drag: &egui::Response, area: Rect, bounds: Bounds) {
        let per_px = self.width() / f64::from(area.width().max(1.0));
        if drag.dragged() {
            self.pan_by(-f64::from(drag.drag_delta().x) * per_px, bounds);
        }
        let hover = ui
            .input(|i| i.pointer.hover_pos())
            .filter(|p| area.contains(*p));
        if let Some(pos) = hover {
            let (zoom, scroll) = ui.input(|i| (i.zoom_delta(), i.smooth_scroll_delta));
            let at = self.start + f64::from(pos.x - area.left()) * per_px;
            if zoom != 1.0 {
                self.zoom_around(at, 1.0 / f64::from(zoom), bounds);
            }
            if scroll.x != 0.0 {
                self.pan_by(-f64::from(scroll.x) * per_px, bounds);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_keeps_the_point_in_place_and_respects_the_width_limits() {
        let bounds = Bounds::within(1000.0);
        let mut w = TimeWindow::new(0.0, 1000.0);
        w.zoom_around(250.0, 0.5, bounds);
        assert_eq!(w, TimeWindow::new(125.0, 625.0));
        w.zoom_around(300.0, 1e-6, bounds);
        assert!(
            (w.width() - 1.0).abs() < 1e-9,
            "no narrower than the minimum: {w:?}"
        );
        w.zoom_around(300.0, 1e9, bounds);
        assert_eq!(w, TimeWindow::new(0.0, 1000.0), "no wider than the axis");
    }

    #[test]
    fn pan_stops_at_the_bounds() {
        let flame = Bounds::within(1000.0);
        let mut w = TimeWindow::new(100.0, 200.0);
        w.pan_by(-500.0, flame);
        assert_eq!(w, TimeWindow::new(0.0, 100.0));
        w.pan_by(5000.0, flame);
        assert_eq!(w, TimeWindow::new(900.0, 1000.0));
        // The waterfall may show 5% beyond either end.
        let timeline = Bounds::with_margin(1000.0);
        w.pan_by(-5000.0, timeline);
        assert_eq!(w, TimeWindow::new(-50.0, 50.0));
        w.pan_by(5000.0, timeline);
        assert_eq!(w, TimeWindow::new(950.0, 1050.0));
    }

    #[test]
    fn keyboard_requests_are_taken_once() {
        let bounds = Bounds::within(1000.0);
        let mut w = TimeWindow::new(400.0, 600.0);
        let mut request = ViewRequest {
            zoom: 2.0,
            pan: 0.5,
            ..ViewRequest::default()
        };
        w.apply_zoom_pan(&mut request, bounds);
        // Twice as wide around the centre, then half a width to the right.
        assert_eq!(w, TimeWindow::new(500.0, 900.0));
        assert_eq!((request.zoom, request.pan), (1.0, 0.0));
        w.apply_zoom_pan(&mut request, bounds);
        assert_eq!(w, TimeWindow::new(500.0, 900.0));
    }

    #[test]
    fn centring_keeps_the_width() {
        let bounds = Bounds::with_margin(1000.0);
        let mut w = TimeWindow::new(0.0, 200.0);
        w.center_on(500.0, bounds);
        assert_eq!(w, TimeWindow::new(400.0, 600.0));
        w.center_on(0.0, bounds);
        assert_eq!(w, TimeWindow::new(-50.0, 150.0));
    }
}
