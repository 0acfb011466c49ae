//! The search part of File > Open from backend…: service, operation, `key=value` tags,
//! minimum duration and how far back (at most 50 traces). Find traces asks the backend in
//! the background; what it found is listed in the trace list, where a click fetches a trace.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use eframe::egui::{self, Ui};

use crate::backends::fetch::Searching;
use crate::backends::search::Query;
use crate::views::trace_list::found::FoundTraces;

use super::ViewerApp;
use super::backend_dialog::{BackendDialog, field};

/// The most traces one search lists.
const SEARCH_LIMIT: usize = 50;

impl BackendDialog {
    /// The search the fields describe (ending now), or why they do not describe one.
    fn query(&self) -> Result<Query, String> {
        let mut tags = Vec::new();
        for pair in self.tags.split_whitespace() {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("Find tags: \"{pair}\" is not key=value"))?;
            tags.push((key.to_string(), value.to_string()));
        }
        let min_duration = match self.min_ms.trim() {
            "" => None,
            text => Some(Duration::from_millis(text.parse().map_err(|_| {
                format!("Find min duration: \"{text}\" is not a number of milliseconds")
            })?)),
        };
        let lookback = parse_lookback(&self.lookback).ok_or_else(|| {
            format!(
                "Find in the last: \"{}\" is not a time such as 30s, 15m, 1h or 2d",
                self.lookback.trim()
            )
        })?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        let back = u64::try_from(lookback.as_nanos()).unwrap_or(u64::MAX);
        Ok(Query {
            service: self.service.trim().to_string(),
            operation: self.operation.trim().to_string(),
            tags,
            min_duration,
            start_unix_nanos: Some(now.saturating_sub(back)),
            end_unix_nanos: Some(now),
            limit: SEARCH_LIMIT,
            ..Query::default()
        })
    }
}

/// `30s`, `15m`, `1h`, `2d` (a whole number above zero and a unit).
fn parse_lookback(text: &str) -> Option<Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    let n: u64 = number.parse().ok().filter(|&n| n > 0)?;
    Some(Duration::from_secs(n.checked_mul(seconds)?))
}

impl ViewerApp {
    /// Starts the search the dialog's fields describe, or says why they do not describe one.
    pub(super) fn start_search(&mut self) {
        let dialog = &mut self.backend_dialog;
        match dialog.target().and_then(|t| Ok((t, dialog.query()?))) {
            Ok((target, query)) => {
                dialog.error = None;
                dialog.found = None;
                dialog.searched = Some(target.clone());
                let ctx = self.ctx.clone();
                dialog.searching = Some(Searching::start(target, query, move || {
                    ctx.request_repaint()
                }));
            }
            Err(error) => dialog.error = Some(error),
        }
    }

    /// Takes in a finished search: its traces go to the trace list.
    pub(super) fn poll_search(&mut self) {
        let dialog = &mut self.backend_dialog;
        let Some(found) = dialog.searching.as_ref().and_then(Searching::poll) else {
            return;
        };
        dialog.searching = None;
        let Some(searched) = dialog.searched.as_mut() else {
            return;
        };
        match found {
            Ok((backend, results)) => {
                // Rows fetch from the backend recognised, without probing again.
                searched.kind = Some(backend);
                let source = format!("{backend} at {}", searched.url.trim_end_matches('/'));
                dialog.found = Some(match results.len() {
                    0 => format!("No traces found in {source}."),
                    n => format!("Found {n} traces in {source}: listed in the trace list."),
                });
                self.list.found = Some(FoundTraces::new(source, results));
            }
            Err(error) => dialog.error = Some(error.to_string()),
        }
    }

    /// True while a backend search runs.
    pub fn is_searching(&self) -> bool {
        self.backend_dialog.is_searching()
    }
}

/// The search fields and the Find traces button; whether it was clicked.
pub(super) fn search_section(ui: &mut Ui, dialog: &mut BackendDialog) -> bool {
    egui::Grid::new("backend-search")
        .num_columns(2)
        .show(ui, |ui| {
            field(ui, "Find service", &mut dialog.service, "frontend", false);
            field(
                ui,
                "Find operation",
                &mut dialog.operation,
                "GET /cart",
                false,
            );
            field(
                ui,
                "Find tags",
                &mut dialog.tags,
                "http.status_code=500 error=true",
                false,
            );
            field(
                ui,
                "Find min duration (ms)",
                &mut dialog.min_ms,
                "100",
                false,
            );
            field(ui, "Find in the last", &mut dialog.lookback, "1h", false);
        });
    let mut clicked = false;
    ui.horizontal(|ui| {
        let button = egui::Button::new("Find traces");
        clicked = ui.add_enabled(dialog.searching.is_none(), button).clicked();
        if dialog.searching.is_some() {
            ui.spinner();
            ui.label("Searching…");
            ui.ctx().request_repaint_after(Duration::from_millis(100));
        }
    });
    if let Some(found) = &dialog.found {
        ui.label(found);
    }
    clicked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookbacks_are_whole_units() {
        assert_eq!(parse_lookback(" 15m "), Some(Duration::from_secs(900)));
        assert_eq!(parse_lookback("2d"), Some(Duration::from_secs(172_800)));
        assert_eq!(parse_lookback("1h"), Some(Duration::from_secs(3600)));
        for bad in ["", "h", "0h", "1.5h", "1w", "-1h"] {
            assert_eq!(parse_lookback(bad), None, "{bad}");
        }
    }

    proptest::proptest! {
        /// A whole number and a unit is that many seconds; any other text is refused, never
        /// a panic.
        #[test]
        fn lookbacks_read_what_was_typed(n in 1u64..100_000, unit in 0usize..4, junk in "\\PC{0,8}") {
            let (suffix, seconds) = [("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)][unit];
            proptest::prop_assert_eq!(
                parse_lookback(&format!("{n}{suffix}")),
                Some(Duration::from_secs(n * seconds))
            );
            let _ = parse_lookback(&junk);
        }
    }
}
