//! The map's geometry with 100 services: nothing overlaps, calls go around boxes, fewer
//! crossings than boxes in name order, a service's loop inside the map.

use super::*;
use crate::analysis::service_map::fixture::mesh;
use crate::analysis::service_map::{Edge, ServiceNode};
use crate::index::Index;

fn hundred() -> ServiceMap {
    let data = mesh(100, 300, 17);
    let index = Index::build(&data);
    ServiceMap::of_all(&data, &index)
}

/// Text widths as the view would measure them: about 7 points a character.
fn widths(map: &ServiceMap) -> TextWidths {
    TextWidths {
        nodes: map
            .nodes
            .iter()
            .map(|n| n.name.len() as f32 * 7.0 + 20.0)
            .collect(),
        labels: vec![90.0; map.edges.len()],
    }
}

/// A box with the loop room above it when its service calls itself.
fn room(map: &ServiceMap, layout: &MapLayout, k: usize) -> Area {
    let s = map.nodes[k].service;
    let mut a = layout.nodes[k];
    if map.edge(s, s).is_some() {
        a.top -= LOOP_H;
    }
    a
}

#[test]
fn the_generator_makes_a_hundred_services_calling_across_tiers() {
    let map = hundred();
    assert_eq!(map.nodes.len(), 100);
    assert!(map.edges.len() > 150, "{} calls", map.edges.len());
    let layer = |s: u32| map.node(s).map_or(0, |n| n.layer);
    assert!(
        map.edges.iter().any(|e| layer(e.to) > layer(e.from) + 1),
        "a call skipping a tier"
    );
    assert!(
        map.edges.iter().any(|e| e.from == e.to),
        "a service calling itself"
    );
    assert!(map.nodes.iter().map(|n| n.layer).max() >= Some(4));
}

#[test]
fn a_hundred_services_have_no_overlapping_boxes_or_labels() {
    let map = hundred();
    let layout = MapLayout::new(&map, &widths(&map));
    let rooms: Vec<Area> = (0..map.nodes.len())
        .map(|k| room(&map, &layout, k))
        .collect();
    let labels: Vec<Area> = layout.edges.iter().map(|e| e.label).collect();
    for (i, a) in rooms.iter().enumerate() {
        assert!(
            a.top >= 0.0 && a.left >= 0.0,
            "{} at {a:?}",
            map.nodes[i].name
        );
        for (j, b) in rooms.iter().enumerate().skip(i + 1) {
            assert!(
                !a.overlaps(b),
                "{} and {} overlap",
                map.nodes[i].name,
                map.nodes[j].name
            );
        }
        for (e, l) in labels.iter().enumerate() {
            assert!(
                !layout.nodes[i].overlaps(l),
                "label {e} on {}",
                map.nodes[i].name
            );
        }
    }
    for (i, a) in labels.iter().enumerate() {
        for b in labels.iter().skip(i + 1) {
            assert!(!a.overlaps(b), "labels {a:?} and {b:?} overlap");
        }
        assert!(a.right <= layout.size[0] && a.bottom <= layout.size[1]);
    }
}

#[test]
fn no_call_is_drawn_through_a_box() {
    let map = hundred();
    let layout = MapLayout::new(&map, &widths(&map));
    let at = |s: u32| map.nodes.iter().position(|n| n.service == s);
    for (e, edge) in map.edges.iter().enumerate() {
        let ends = [at(edge.from), at(edge.to)];
        for p in layout.edges[e].sample(12) {
            for (k, node) in layout.nodes.iter().enumerate() {
                if !ends.contains(&Some(k)) {
                    assert!(
                        !node.contains(p),
                        "call {e} runs through {}",
                        map.nodes[k].name
                    );
                }
            }
        }
    }
}

#[test]
fn crossings_are_fewer_than_with_boxes_in_name_order() {
    let map = hundred();
    let w = widths(&map);
    let naive = MapLayout::with_sweeps(&map, &w, 0).crossings;
    let swept = MapLayout::new(&map, &w).crossings;
    assert!(
        swept * 2 < naive,
        "{swept} crossings against {naive} in name order"
    );
}

fn node(service: u32, name: &str, layer: u16) -> ServiceNode {
    ServiceNode {
        service,
        name: name.to_string(),
        spans: 1,
        errors: 0,
        layer,
    }
}

fn edge(from: u32, to: u32) -> Edge {
    Edge {
        from,
        to,
        calls: 1,
        errors: 0,
        p50: 1,
        p90: 1,
        p99: 1,
        traces: vec![0],
    }
}

#[test]
fn crossed_calls_in_name_order_are_untangled() {
    // a→z, b→y, c→x: in name order every pair crosses.
    let names = ["a", "b", "c", "x", "y", "z"];
    let map = ServiceMap {
        nodes: (0..6)
            .map(|k| node(k, names[k as usize], u16::from(k >= 3)))
            .collect(),
        edges: vec![edge(0, 5), edge(1, 4), edge(2, 3)],
    };
    let w = widths(&map);
    assert_eq!(MapLayout::with_sweeps(&map, &w, 0).crossings, 3);
    let layout = MapLayout::new(&map, &w);
    assert_eq!(layout.crossings, 0);
    // Drawn so: a's callee level with a, and so on.
    let y = |k: usize| layout.nodes[k].center()[1];
    assert!(y(0) < y(1) && y(1) < y(2));
    assert!(y(5) < y(4) && y(4) < y(3));
}

#[test]
fn a_top_service_calling_itself_keeps_its_loop_inside_the_map() {
    let map = ServiceMap {
        nodes: vec![node(0, "gateway", 0), node(1, "db", 1)],
        edges: vec![edge(0, 0), edge(0, 1)],
    };
    let layout = MapLayout::new(&map, &widths(&map));
    let gateway = layout.nodes[0];
    let arc = &layout.edges[0];
    let lowest_top = arc.sample(16).iter().map(|p| p[1]).fold(f32::MAX, f32::min);
    assert!(lowest_top >= MARGIN / 2.0, "the loop reaches {lowest_top}");
    assert!(lowest_top < gateway.top, "the loop is above the box");
    assert!(arc.label.top >= 0.0 && arc.label.bottom <= gateway.top);
}

#[test]
fn a_call_is_drawn_within_its_bounds_from_its_caller_to_its_callee() {
    let map = hundred();
    let layout = MapLayout::new(&map, &widths(&map));
    for path in &layout.edges {
        let (drawn, sampled) = (path.polyline(10), path.sample(10));
        assert_eq!(drawn.first(), sampled.first());
        assert_eq!(drawn.last(), sampled.last());
        if path.pieces.iter().any(|p| matches!(p, Piece::Line(_))) {
            assert!(
                drawn.len() < sampled.len(),
                "lines drawn by their ends only"
            );
        }
        let b = path.bounds();
        for p in sampled {
            let inside = b.left <= p[0] && p[0] <= b.right && b.top <= p[1] && p[1] <= b.bottom;
            assert!(inside, "{p:?} outside {b:?}");
        }
    }
}
