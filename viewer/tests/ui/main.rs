//! The viewer driven headless through egui_kittest: what a user clicks and types, one module
//! per view (one test binary, so the viewer links once).

mod analysis;
mod backend;
mod backend_search;
mod call_path;
mod compare;
mod details;
mod files;
mod flame;
mod focus;
mod keys;
mod live;
mod panels;
mod search;
mod service_map;
mod settings;
mod timeline;
mod trace_list;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use spindle_formats::{TraceData, write_spindle_json, write_zipkin};
use spindle_viewer::ViewerApp;
use spindle_viewer::fixture;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("spindle-viewer-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, name: &str, data: &TraceData, zipkin: bool) -> PathBuf {
    let path = dir.join(name);
    let mut bytes = Vec::new();
    if zipkin {
        write_zipkin(data, &mut bytes).expect("write");
    } else {
        write_spindle_json(data, &mut bytes).expect("write");
    }
    std::fs::write(&path, bytes).expect("write file");
    path
}

fn app(paths: Vec<PathBuf>) -> Harness<'static, ViewerApp> {
    let mut harness = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| ViewerApp::new(cc, paths));
    wait_loaded(&mut harness);
    harness
}

fn wait_loaded(harness: &mut Harness<'static, ViewerApp>) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while harness.state().is_loading() {
        assert!(Instant::now() < deadline, "load did not finish");
        std::thread::sleep(Duration::from_millis(5));
        harness.step();
    }
    harness.run_steps(3);
}

fn shop_app(name: &str) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    app(vec![write(
        &dir,
        "shop.spindle.json",
        &fixture::shop(),
        false,
    )])
}

fn selected_name(harness: &Harness<'static, ViewerApp>) -> Option<String> {
    let app = harness.state();
    let i = app.focus.node?.span()?;
    Some(app.document().data.spans[i].name.to_string())
}

/// The three fixture traces a list can show, by label.
const TRACES: [&str; 3] = [
    "frontend: GET /checkout",
    "frontend: GET /products",
    "worker: consume job",
];

/// The trace rows a user sees, top to bottom.
fn visible_traces(harness: &Harness<'static, ViewerApp>) -> Vec<&'static str> {
    let mut shown: Vec<(f32, &'static str)> = TRACES
        .iter()
        .filter_map(|&label| {
            harness
                .query_by_label(label)
                .map(|node| (node.rect().top(), label))
        })
        .collect();
    shown.sort_by(|a, b| a.0.total_cmp(&b.0));
    shown.into_iter().map(|(_, label)| label).collect()
}

/// shop (checkout: 7 spans, 1 error, 120 ms; products: 3 spans, 60 ms) and worker (3 spans,
/// 33 ms, latest start).
fn list_app(name: &str) -> Harness<'static, ViewerApp> {
    let dir = temp_dir(name);
    app(vec![
        write(&dir, "shop.spindle.json", &fixture::shop(), false),
        write(&dir, "worker.zipkin.json", &fixture::orphans(), true),
    ])
}

fn type_into(harness: &mut Harness<'static, ViewerApp>, label: &str, text: &str) {
    harness.get_by_label(label).focus();
    harness.run_steps(1);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(2);
}

/// Picks `column` in the trace list's sort combo box and checks the box shows it.
fn sort_by(harness: &mut Harness<'static, ViewerApp>, column: &str) {
    harness.get_by_label("Sort").click();
    harness.run_steps(2);
    harness.get_by_label(column).click();
    harness.run_steps(2);
    assert_eq!(
        harness.get_by_label("Sort").value().as_deref(),
        Some(column)
    );
}
