//! The app's side of receiving: starting and stopping the [`LiveFeed`], putting what arrived
//! into the open document a few times a second (keeping the view, following the newest trace
//! when asked), and the strip at the bottom that says where it listens and what arrived.

use std::time::Duration;

use eframe::egui::Ui;

use crate::focus::Tab;
use crate::live::LiveFeed;
use crate::receive::ReceiveConfig;

use super::ViewerApp;

/// How often the aggregated flame graph is laid out again while spans arrive (the aggregate
/// itself is up to date after every apply; this is only its layout).
const AGGREGATE_EVERY: Duration = Duration::from_secs(1);

impl ViewerApp {
    /// Starts receiving spans as `config` says (a port in use is said in the strip; the
    /// viewer goes on without that listener). Replaces a feed already running.
    pub fn listen(&mut self, config: ReceiveConfig) {
        if let Some(mut old) = self.live.take() {
            old.stop();
        }
        let ctx = self.ctx.clone();
        let repaint = move || ctx.request_repaint_after(crate::live::APPLY_EVERY);
        self.live = Some(LiveFeed::start(config, repaint));
        self.doc.live = true;
    }

    /// The live feed, when receiving is on.
    pub fn live(&self) -> Option<&LiveFeed> {
        self.live.as_ref()
    }

    /// The live feed, to pause it or change following.
    pub fn live_mut(&mut self) -> Option<&mut LiveFeed> {
        self.live.as_mut()
    }

    /// Puts arrived spans into the document when they are due (`now`: without waiting for
    /// the next tick; tests use it). Nothing is applied while a file loads (its document
    /// replaces this one, so the batches wait for it) or while a save copies the spans.
    pub fn apply_received(&mut self, now: bool) {
        if self.loading.is_some() || self.save_copying() {
            return;
        }
        let Some(live) = self.live.as_mut() else {
            return;
        };
        if let Some(batches) = live.due(now) {
            self.take_in(batches);
        }
        if self.focus.tab == Tab::Aggregate
            && self.doc.aggregate_stale
            && self.aggregate_built.elapsed() >= AGGREGATE_EVERY
        {
            self.doc.refresh_aggregate();
            self.aggregate_built = std::time::Instant::now();
        }
    }

    /// Appends batches to the document, evicts past the retention limit, and brings the
    /// list and the open trace up to date.
    fn take_in(&mut self, batches: Vec<spindle_formats::TraceData>) {
        let Some(live) = self.live.as_mut() else {
            return;
        };
        let open = self.focus.current(&self.doc).map(|t| t.trace_id);
        let appended = self.doc.append(batches);
        self.doc.received += appended.added;
        for &t in &appended.changed {
            let id = self.doc.index.traces[t as usize].trace_id;
            self.doc.received_traces.insert(id);
        }
        let evicted = self.doc.evict_oldest(live.retention);
        live.evicted += evicted.spans as u64;
        self.doc.received = self.doc.received.saturating_sub(evicted.spans);
        let follow = live.follow;
        if evicted.spans > 0 {
            self.after_eviction(open, &appended.changed, &evicted.traces);
        } else {
            self.after_append(&appended.changed);
        }
        let newest = self.doc.data.spans.last().map(|s| s.trace_id);
        if follow && appended.added > 0 {
            let t = newest.and_then(|id| self.doc.index.trace_index(id));
            self.focus.select_trace(&self.doc, t);
        }
    }

    /// Traces grew (received spans, or lines appended to an open file): the list checks them
    /// again; the open trace is redrawn with its new spans.
    pub(super) fn after_append(&mut self, changed: &[u32]) {
        self.list.filtered.traces_changed(&self.doc, changed);
        if let Some(t) = self.focus.trace
            && changed.binary_search(&(t as u32)).is_ok()
        {
            self.focus.trace_grew(&self.doc);
        }
    }

    /// Old traces left after `changed` grew: the list drops their rows and renumbers the
    /// others, takes in the changed ones that stayed, and the open trace is found again by id
    /// (or the newest is opened when it was evicted).
    fn after_eviction(
        &mut self,
        open: Option<spindle_formats::TraceId>,
        changed: &[u32],
        map: &crate::index::TraceMap,
    ) {
        let changed: Vec<u32> = changed
            .iter()
            .filter_map(|&t| map.get(t as usize))
            .collect();
        let list = &mut self.list.filtered;
        list.traces_evicted(map);
        list.traces_changed(&self.doc, &changed);
        self.focus.trace = None;
        let again = open.and_then(|id| self.doc.index.trace_index(id));
        self.focus.select_trace(&self.doc, again);
    }

    /// Stops receiving (what arrived goes into the document first), or starts again with
    /// the addresses it had (the defaults the first time).
    pub fn toggle_receiving(&mut self) {
        match self.live.as_mut() {
            Some(live) => {
                live.stop();
                live.paused = false;
                while let Some(batches) = self.live.as_mut().and_then(|l| l.due(true)) {
                    self.take_in(batches);
                }
                self.stopped_config = self.live.take().map(|l| l.config().clone());
                self.doc.live = false;
            }
            None => self.listen(self.stopped_config.clone().unwrap_or_default()),
        }
    }

    /// The strip at the bottom once receiving was used: addresses, counts, pause, follow,
    /// stop or start.
    pub(super) fn live_strip(&mut self, ui: &mut Ui) {
        let mut toggle = false;
        ui.horizontal(|ui| match self.live.as_mut() {
            Some(live) => {
                ui.checkbox(&mut live.paused, "Pause")
                    .on_hover_text("Hold the view still; spans keep arriving and wait");
                ui.checkbox(&mut live.follow, "Follow newest trace");
                toggle = ui.button("Stop receiving").clicked();
                ui.separator();
                ui.label(live.status_line());
                if let Some(wait) = live.next_due() {
                    ui.ctx().request_repaint_after(wait);
                }
            }
            None => {
                toggle = ui.button("Receive spans").clicked();
                ui.weak("Not receiving");
            }
        });
        if toggle {
            self.toggle_receiving();
        }
    }
}
