//! The banners under the menu: load progress with cancel, files that could not be opened,
//! skipped spans, spans whose parent is not loaded, and the selected trace's N+1 findings.

use eframe::egui::{self, Ui};

use crate::index::Node;
use crate::load::Stage;
use crate::units;

use super::ViewerApp;

impl ViewerApp {
    /// Progress, problems and the missing-parent banner.
    pub(super) fn banners(&mut self, ui: &mut Ui) {
        if let Some(loading) = &self.loading {
            let (read, total, stage) = loading.progress();
            let what = match stage {
                Stage::Reading => "reading",
                Stage::Decoding => "decoding spans",
                Stage::Indexing => "building the index",
            };
            let mut cancel = false;
            ui.horizontal(|ui| {
                let fraction = if total > 0 {
                    read as f32 / total as f32
                } else {
                    0.0
                };
                let text = format!(
                    "Loading {} file{}: {:.1} of {:.1} MB, {what}",
                    loading.paths.len(),
                    if loading.paths.len() == 1 { "" } else { "s" },
                    read as f64 / 1e6,
                    total as f64 / 1e6
                );
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .text(text)
                        .desired_width(420.0)
                        .animate(true),
                );
                cancel = ui.button("Cancel loading").clicked();
            });
            if cancel {
                self.cancel_load();
            }
        }
        let fatal: Vec<_> = self.doc.problems.iter().filter(|p| p.fatal).collect();
        for problem in &fatal {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("Could not open {}", problem.message),
            );
        }
        let warnings: Vec<_> = self.doc.problems.iter().filter(|p| !p.fatal).collect();
        if !warnings.is_empty() {
            let header = format!(
                "{} problem{} while reading; the affected spans were skipped, all others are shown",
                warnings.len(),
                if warnings.len() == 1 { "" } else { "s" }
            );
            egui::CollapsingHeader::new(
                egui::RichText::new(header).color(ui.visuals().warn_fg_color),
            )
            .id_salt("warnings")
            .show(ui, |ui| {
                for w in warnings.iter().take(200) {
                    ui.label(&w.message);
                }
                if warnings.len() > 200 {
                    ui.weak(format!("… and {} more", warnings.len() - 200));
                }
            });
        }
        self.n_plus_one(ui);
        let orphans = self.doc.index.orphan_count;
        if orphans > 0 {
            ui.colored_label(
                ui.visuals().warn_fg_color,
                format!(
                    "{orphans} span{} ha{} a parent that is not in the loaded files; shown under 'missing parent' in their trace.",
                    if orphans == 1 { "" } else { "s" },
                    if orphans == 1 { "s" } else { "ve" },
                ),
            );
        }
    }

    pub(super) fn has_banners(&self) -> bool {
        self.loading.is_some()
            || !self.doc.problems.is_empty()
            || self.doc.index.orphan_count > 0
            || !self.focus.findings.n_plus_one.is_empty()
    }

    /// One line per N+1 finding of the selected trace (the first few), each with a button
    /// that selects the first call.
    fn n_plus_one(&mut self, ui: &mut Ui) {
        const SHOWN: usize = 3;
        let findings = &self.focus.findings.n_plus_one;
        let mut show = None;
        for finding in findings.iter().take(SHOWN) {
            let parent = match finding.parent.span() {
                Some(p) => self.doc.data.spans[p].name.to_string(),
                None => "missing parent".to_string(),
            };
            let share = finding.share_of_parent().map_or(String::new(), |s| {
                format!(", {:.0}% of {parent}", s * 100.0)
            });
            let what = finding.statement.as_deref().unwrap_or(&finding.operation);
            ui.horizontal(|ui| {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    format!(
                        "N+1: {} sequential calls of {what} under {parent}, {} in total{share}",
                        finding.count(),
                        units::duration(finding.total),
                    ),
                );
                if ui.small_button("Show the calls").clicked() {
                    show = Some(finding.calls.clone());
                }
            });
        }
        if findings.len() > SHOWN {
            ui.weak(format!(
                "… and {} more N+1 findings",
                findings.len() - SHOWN
            ));
        }
        if let Some(calls) = show {
            let first = calls.first().copied();
            self.focus.set_highlighted(calls);
            if let Some(first) = first {
                self.focus.reveal_and_select(Node(first));
            }
        }
    }
}
