//! What persists between runs.

use spindle_viewer::eframe;

use super::*;

/// eframe storage in memory, as the native integration keeps it in a file between runs.
#[derive(Debug, Default)]
struct MemoryStorage(std::collections::HashMap<String, String>);

impl eframe::Storage for MemoryStorage {
    fn get_string(&self, key: &str) -> Option<String> {
        self.0.get(key).cloned()
    }

    fn set_string(&mut self, key: &str, value: String) {
        self.0.insert(key.to_string(), value);
    }

    fn remove_string(&mut self, key: &str) {
        self.0.remove(key);
    }

    fn flush(&mut self) {}
}

#[test]
fn filters_and_sorts_come_back_after_a_restart() {
    let dir = temp_dir("restart");
    let paths = vec![
        write(&dir, "shop.spindle.json", &fixture::shop(), false),
        write(&dir, "worker.zipkin.json", &fixture::orphans(), true),
    ];
    let mut harness = app(paths.clone());
    type_into(&mut harness, "Tag", "db.system=postgresql");
    harness.get_by_label("Errors only").click();
    harness.run_steps(2);
    sort_by(&mut harness, "Duration");
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    harness.get_by_label("sorted by").click();
    harness.run_steps(2);
    harness.get_by_label("key").click();
    harness.run_steps(2);
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    let filter = harness.state().list.filtered.filter.clone();
    let mut storage = MemoryStorage::default();
    eframe::App::save(harness.state_mut(), &mut storage);
    drop(harness);
    // The next start reads what was saved, as eframe hands it to the app.
    let storage: &'static MemoryStorage = Box::leak(Box::new(storage));
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            cc.storage = Some(storage);
            ViewerApp::new(cc, paths)
        });
    wait_loaded(&mut harness);
    assert_eq!(harness.state().list.filtered.filter, filter);
    assert_eq!(
        harness.get_by_label("Tag").value().as_deref(),
        Some("db.system=postgresql")
    );
    assert_eq!(visible_traces(&harness), ["frontend: GET /checkout"]);
    harness.get_by_label("1 of 3 traces");
    assert_eq!(
        harness.get_by_label("Sort").value().as_deref(),
        Some("Duration")
    );
    harness.get_by_label("Descending");
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("sorted by").value().as_deref(),
        Some("key")
    );
}
