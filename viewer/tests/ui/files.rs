//! Opening, adding, dropping, reloading and cancelling files; broken files.

use spindle_viewer::eframe::egui::{self, Key};

use super::*;

#[test]
fn broken_file_shows_message_and_good_spans() {
    let dir = temp_dir("broken");
    let good = write(&dir, "shop.zipkin.json", &fixture::shop(), true);
    let junk = dir.join("junk.json");
    std::fs::write(&junk, "<html>not a trace</html>").expect("write");
    // A Zipkin file with one good and one bad span: the bad one is skipped with a warning.
    let partial = dir.join("partial.json");
    std::fs::write(
        &partial,
        r#"[{"traceId":"00000000000000000000000000000abc","id":"00000000000000a1","name":"good span",
            "timestamp":1700000000000000,"duration":1000,"localEndpoint":{"serviceName":"edge"}},
           {"traceId":"xyz","id":"00000000000000a2","name":"bad span","timestamp":1700000000000000,
            "duration":5,"localEndpoint":{"serviceName":"edge"}}]"#,
    )
    .expect("write");
    let harness = app(vec![good, junk, partial]);
    harness.get_by_label_contains("junk.json:1:1 (byte 0): not a trace format");
    harness.get_by_label_contains("1 problem while reading");
    harness.get_by_label("edge: good span");
    harness.get_by_label("frontend: GET /checkout");
    assert_eq!(harness.state().document().data.spans.len(), 11);
}

#[test]
fn large_load_shows_progress_and_can_be_cancelled() {
    let dir = temp_dir("large");
    let path = write(
        &dir,
        "wide.spindle.json",
        &fixture::wide_trace(150_000, 8),
        false,
    );
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ViewerApp::new(cc, vec![path]));
    harness.step();
    assert!(harness.state().is_loading());
    harness.get_by_label_contains("Loading 1 file:");
    harness.get_by_label("Cancel loading").click();
    harness.run_steps(2);
    assert!(!harness.state().is_loading());
    assert!(harness.state().document().data.spans.is_empty());
    harness.get_by_label_contains("Loading cancelled");
}

#[test]
fn reload_when_the_file_changes_keeps_selection() {
    let dir = temp_dir("reload");
    let mut data = fixture::shop();
    let path = write(&dir, "shop.spindle.json", &data, false);
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            let mut app = ViewerApp::new(cc, Vec::new());
            app.watch_interval = Duration::from_millis(20);
            app
        });
    harness.state_mut().open(vec![path.clone()]);
    wait_loaded(&mut harness);
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    harness
        .get_by_label_contains("charge card (payments")
        .click();
    harness.run_steps(1);
    // The program writes more spans.
    let mut extra = data.spans[1].clone();
    extra.span_id = spindle_formats::SpanId(0x1ff);
    extra.name = "late span".into();
    data.spans.push(extra);
    std::thread::sleep(Duration::from_millis(20));
    write(&dir, "shop.spindle.json", &data, false);
    let deadline = Instant::now() + Duration::from_secs(20);
    while harness.state().document().data.spans.len() != 11 {
        assert!(Instant::now() < deadline, "no reload");
        std::thread::sleep(Duration::from_millis(10));
        harness.step();
    }
    harness.run_steps(2);
    assert_eq!(selected_name(&harness).as_deref(), Some("charge card"));
    harness.get_by_label_contains("late span (frontend");
    harness.get_by_label_contains("Reloaded 1 file");
}

/// A file dropped on the window, as the windowing integration would hand it over.
#[derive(Debug)]
struct Dropped(PathBuf);

impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }

    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

#[test]
fn added_and_dropped_files_merge_without_duplicates() {
    let dir = temp_dir("add");
    let shop = write(&dir, "shop.spindle.json", &fixture::shop(), false);
    // The same spans in another format, and a file with new ones.
    let shop_zipkin = write(&dir, "shop.zipkin.json", &fixture::shop(), true);
    let worker = write(&dir, "worker.zipkin.json", &fixture::orphans(), true);
    let mut harness = app(vec![shop.clone()]);
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(1);
    // The File menu offers it (the dialog itself is the system's).
    harness.get_by_label("File").click();
    harness.run_steps(2);
    harness.get_by_label("Add files…");
    harness.key_press(Key::Escape);
    harness.run_steps(2);
    harness.state_mut().add(vec![shop_zipkin, shop.clone()]);
    wait_loaded(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.files.len(), 2, "a file already open is not read twice");
    assert_eq!(doc.data.spans.len(), 10, "the same spans are kept once");
    assert_eq!(doc.duplicates, 10);
    harness.get_by_label_contains("10 spans already loaded were merged");
    // Dropping a file adds it too, and the selected trace stays selected.
    harness
        .input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(worker)));
    harness.step();
    wait_loaded(&mut harness);
    let doc = harness.state().document();
    assert_eq!(doc.files.len(), 3);
    assert_eq!(doc.data.spans.len(), 13);
    assert_eq!(doc.index.traces.len(), 3);
    harness.get_by_label("worker: consume job");
    let app = harness.state();
    let trace = app
        .focus
        .current(app.document())
        .map(|t| t.root_name.clone());
    assert_eq!(trace.as_deref(), Some("GET /checkout"));
}
