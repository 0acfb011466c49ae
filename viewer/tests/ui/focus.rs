//! Narrowing what is shown: one span's subtree (context menu, `S`, the breadcrumb back), a
//! time window dragged on the axis (Esc and the chip clear it), span events on their bars,
//! and the aggregated flame graph's left-heavy order and sandwich view.

use spindle_viewer::eframe::egui::{Event, Key, Modifiers, Pos2, pos2};

use super::*;

/// The shop's checkout trace open on the timeline (7 rows, 120 ms).
fn checkout_app(name: &str) -> Harness<'static, ViewerApp> {
    let mut harness = shop_app(name);
    harness.get_by_label("frontend: GET /checkout").click();
    harness.run_steps(2);
    harness
}

fn rows(harness: &Harness<'static, ViewerApp>) -> usize {
    harness.state().focus.timeline.rows.len()
}

fn shown(harness: &Harness<'static, ViewerApp>, prefix: &str) -> bool {
    harness.query_by_label_contains(prefix).is_some()
}

/// Right-clicks the node labelled `label` (contains) and picks `entry` in its menu.
fn context_menu(harness: &mut Harness<'static, ViewerApp>, label: &str, entry: &str) {
    harness.get_by_label_contains(label).click_secondary();
    harness.run_steps(2);
    harness.get_by_label(entry).click();
    harness.run_steps(3);
}

#[test]
fn show_only_a_subtree_and_go_back_up_by_the_breadcrumb() {
    let mut harness = checkout_app("subtree");
    assert_eq!(rows(&harness), 7);
    assert!(
        harness.query_by_label("Whole trace").is_none(),
        "no breadcrumb yet"
    );
    context_menu(&mut harness, "charge card (", "Show only this subtree (S)");
    // charge card and fraud check only.
    assert_eq!(rows(&harness), 2);
    assert!(shown(&harness, "fraud check ("));
    assert!(!shown(&harness, "auth.verify ("));
    assert!(!shown(&harness, "load cart ("));
    assert_eq!(selected_name(&harness).as_deref(), Some("charge card"));
    // The breadcrumb: Whole trace > GET /checkout > POST /cart/checkout > charge card.
    harness.get_by_label("Whole trace");
    harness.get_by_label("GET /checkout");
    harness.get_by_label("POST /cart/checkout").click();
    harness.run_steps(3);
    // POST's subtree: itself, load cart, SELECT cart, charge card, fraud check.
    assert_eq!(rows(&harness), 5);
    assert!(shown(&harness, "load cart ("));
    assert!(!shown(&harness, "auth.verify ("));
    harness.get_by_label("Up one level").click();
    harness.run_steps(3);
    assert_eq!(rows(&harness), 7, "the root's subtree is the whole trace");
    harness.get_by_label("Whole trace").click();
    harness.run_steps(3);
    assert!(harness.query_by_label("Whole trace").is_none());
    assert_eq!(rows(&harness), 7);

    // By keys: S on the selected span, Backspace back up.
    harness.get_by_label_contains("load cart (").click();
    harness.run_steps(2);
    harness.key_press(Key::S);
    harness.run_steps(3);
    assert_eq!(rows(&harness), 2, "load cart and SELECT cart");
    harness.key_press(Key::Backspace);
    harness.run_steps(3);
    assert_eq!(rows(&harness), 5, "up to POST /cart/checkout");

    // The flame graph shows the same subtree.
    harness.key_press(Key::Num2);
    harness.run_steps(3);
    assert!(shown(&harness, "SELECT cart ("));
    assert!(!shown(&harness, "auth.verify ("));
    harness.get_by_label("Whole trace").click();
    harness.run_steps(3);
    assert!(shown(&harness, "auth.verify ("));
}

#[test]
fn a_subtree_from_the_flame_graph_narrows_the_timeline_too() {
    let mut harness = checkout_app("subtree-flame");
    harness.key_press(Key::Num2);
    harness.run_steps(3);
    context_menu(&mut harness, "load cart (", "Show only this subtree (S)");
    assert!(shown(&harness, "SELECT cart ("));
    assert!(!shown(&harness, "charge card ("));
    harness.key_press(Key::Num1);
    harness.run_steps(3);
    assert_eq!(rows(&harness), 2);
    assert!(!shown(&harness, "charge card ("));
    harness.get_by_label("Up one level").click();
    harness.run_steps(3);
    assert_eq!(rows(&harness), 5, "POST /cart/checkout's subtree");
}

#[test]
fn jumping_to_a_span_outside_the_subtree_shows_the_whole_trace() {
    let mut harness = checkout_app("subtree-jump");
    context_menu(&mut harness, "fraud check (", "Show only this subtree (S)");
    assert_eq!(rows(&harness), 1);
    // The critical path's first section is the root's.
    harness.key_press(Key::C);
    harness.run_steps(3);
    assert_eq!(selected_name(&harness).as_deref(), Some("GET /checkout"));
    assert_eq!(rows(&harness), 7);
    assert!(harness.query_by_label("Whole trace").is_none());
}

/// Where time `t` (ms from the trace start) is on the timeline's axis, zoomed out on a trace
/// of `duration` ms: the bars start after the label column (35% of the width, 160 to 360).
fn axis_x(harness: &Harness<'static, ViewerApp>, t: f32, duration: f32) -> Pos2 {
    let axis = harness.get_by_label("Time axis").rect();
    let label_w = (axis.width() * 0.35).clamp(160.0, 360.0);
    let left = axis.left() + label_w;
    pos2(left + t / duration * (axis.right() - left), axis.center().y)
}

/// Presses at `from`, moves to `to` in steps, releases.
fn drag(harness: &mut Harness<'static, ViewerApp>, from: Pos2, to: Pos2) {
    harness.hover_at(from);
    harness.run_steps(1);
    harness.drag_at(from);
    harness.run_steps(1);
    for k in 1..=6 {
        harness.hover_at(from + (to - from) * (k as f32 / 6.0));
        harness.run_steps(1);
    }
    harness.drop_at(to);
    harness.run_steps(3);
}

#[test]
fn a_time_window_dragged_on_the_axis_filters_the_rows_until_cleared() {
    let mut harness = checkout_app("window");
    assert_eq!(rows(&harness), 7);
    // 48..58 ms: charge card (45..100) and fraud check (50..70) with their ancestors.
    let (from, to) = (axis_x(&harness, 48.0, 120.0), axis_x(&harness, 58.0, 120.0));
    drag(&mut harness, from, to);
    assert_eq!(rows(&harness), 4);
    assert!(shown(&harness, "fraud check ("));
    assert!(!shown(&harness, "auth.verify ("));
    assert!(!shown(&harness, "load cart ("));
    let (a, b) = harness.state().focus.narrow.window.expect("a window");
    let ms = |t: u64| t as f64 / 1e6;
    assert!(
        (47.0..49.0).contains(&ms(a)) && (57.0..59.0).contains(&ms(b)),
        "{a}..{b}"
    );
    harness.get_by_label_contains("Window 4");
    // The flame graph is filtered too.
    harness.key_press(Key::Num2);
    harness.run_steps(3);
    assert!(shown(&harness, "fraud check ("));
    assert!(!shown(&harness, "auth.verify ("));
    harness.key_press(Key::Num1);
    harness.run_steps(3);
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    assert_eq!(rows(&harness), 7, "Esc clears the window");
    assert!(harness.query_by_label_contains("Window 4").is_none());

    // Again, cleared by the chip's button this time.
    let (from, to) = (axis_x(&harness, 1.0, 120.0), axis_x(&harness, 13.0, 120.0));
    drag(&mut harness, from, to);
    // The root and auth.verify (2..12 ms).
    assert_eq!(rows(&harness), 2);
    harness.get_by_label("× Clear window").click();
    harness.run_steps(3);
    assert_eq!(rows(&harness), 7);
}

#[test]
fn shift_dragging_on_the_minimap_picks_a_time_window_and_dragging_pans() {
    let mut harness = checkout_app("window-minimap");
    let minimap = harness.get_by_label("Minimap").rect();
    let at = |t: f32| {
        pos2(
            minimap.left() + t / 120.0 * minimap.width(),
            minimap.center().y,
        )
    };
    harness.event(Event::ModifiersChanged(Modifiers::SHIFT));
    drag(&mut harness, at(48.0), at(58.0));
    harness.event(Event::ModifiersChanged(Modifiers::NONE));
    harness.run_steps(2);
    assert_eq!(
        rows(&harness),
        4,
        "charge card, fraud check and their ancestors"
    );
    harness.key_press(Key::Escape);
    harness.run_steps(3);
    assert_eq!(rows(&harness), 7);
    // Without Shift a drag on the minimap moves the view, it picks no window.
    drag(&mut harness, at(60.0), at(70.0));
    assert!(harness.state().focus.narrow.window.is_none());
    assert_eq!(rows(&harness), 7);
}

#[test]
fn span_events_are_markers_on_their_bars() {
    let mut harness = checkout_app("events");
    // charge card (45..100 ms) has its retry event at 60 ms.
    assert_eq!(harness.query_all_by_label_contains("event ").count(), 1);
    assert!(!shown(&harness, "attempt = 2"));
    harness.get_by_label("event retry at +15.00 ms").hover();
    harness.run_steps(60);
    // The tooltip: name, time from the span's start, attributes.
    harness.get_by_label("+15.00 ms from the span's start");
    harness.get_by_label("attempt = 2");
}

/// The left edges of the blocks labelled (contains) `a` and `b` in the aggregated graph.
fn left_of(harness: &Harness<'static, ViewerApp>, a: &str, b: &str) -> bool {
    let x = |label: &str| harness.get_by_label_contains(label).rect().left();
    x(a) < x(b)
}

const CACHE: &str = "cache.get (cache, 1 spans";
const RENDER: &str = "render (api, 1 spans";
const AUTH: &str = "auth.verify (frontend, 1 spans";

#[test]
fn left_heavy_puts_the_heaviest_child_first() {
    let dir = temp_dir("left-heavy");
    let mut harness = app(vec![write(
        &dir,
        "orders.spindle.json",
        &fixture::n_plus_one(),
        false,
    )]);
    harness.key_press(Key::Num3);
    harness.run_steps(3);
    // By name: cache.get (2 ms) before render (9 ms).
    assert!(left_of(&harness, CACHE, RENDER));
    harness.get_by_label("Left-heavy").click();
    harness.run_steps(3);
    assert!(left_of(&harness, RENDER, CACHE));
    harness.get_by_label("Left-heavy").click();
    harness.run_steps(3);
    assert!(left_of(&harness, CACHE, RENDER));
}

#[test]
fn the_sandwich_shows_callers_above_and_callees_below() {
    let mut harness = shop_app("sandwich");
    harness.key_press(Key::Num3);
    harness.run_steps(3);
    context_menu(
        &mut harness,
        "charge card (payments, 1 spans",
        "Sandwich view of this operation",
    );
    let op = harness
        .get_by_label("charge card (payments, 1 call, total 55.00 ms, self 35.00 ms)")
        .rect();
    let post = harness
        .get_by_label("POST /cart/checkout (checkout) calls charge card: 1 call, 55.00 ms")
        .rect();
    let root = harness
        .get_by_label("GET /checkout (frontend) calls charge card: 1 call, 55.00 ms")
        .rect();
    let fraud = harness
        .get_by_label("fraud check (payments, 1 call, total 20.00 ms, self 20.00 ms)")
        .rect();
    // Callers stack upwards from the operation, callees below it.
    assert!(root.bottom() <= post.top() + 1.0 && post.bottom() <= op.top() + 1.0);
    assert!(op.bottom() <= fraud.top());
    assert!(
        !shown(&harness, "auth.verify ("),
        "not on a path through it"
    );
    // Picking another operation from the list.
    harness.get_by_label("in sandwich view").click();
    harness.run_steps(2);
    harness.get_by_label("fraud check (payments)").click();
    harness.run_steps(3);
    harness.get_by_label("charge card (payments) calls fraud check: 1 call, 20.00 ms");
    harness.get_by_label("Back to the flame graph").click();
    harness.run_steps(3);
    assert!(shown(&harness, AUTH));
}
