//! Placing the map's slots vertically and its labels apart: the two steps of the layout
//! that move things without changing their order.

use super::{Area, EdgePath, GAP_Y, LABEL_H, MARGIN, PASS_GAP_Y, Piece};
use crate::analysis::service_map::order::{Layers, Slot};

/// Each slot's top: its column stacked in order, then moved towards the mean centre of its
/// linked slots in a few rounds, the order and the spacing always kept.
pub(super) fn place_vertically(layers: &Layers, heights: &[f32]) -> Vec<f32> {
    let mut tops = vec![0.0f32; layers.slots.len()];
    for layer in &layers.order {
        let mut y = MARGIN;
        for &s in layer {
            tops[s] = y;
            y += heights[s] + GAP_Y;
        }
    }
    let mut neighbours = vec![Vec::new(); layers.slots.len()];
    for &(a, b) in &layers.links {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    let gap = |a: usize, b: usize| match (layers.slots[a].0, layers.slots[b].0) {
        (Slot::Pass(_), Slot::Pass(_)) => PASS_GAP_Y,
        _ => GAP_Y,
    };
    for round in 0..8 {
        let order: Vec<&Vec<usize>> = if round % 2 == 0 {
            layers.order.iter().collect()
        } else {
            layers.order.iter().rev().collect()
        };
        for layer in order {
            let wanted: Vec<f32> = (layer.iter())
                .map(|&s| {
                    let n = &neighbours[s];
                    if n.is_empty() {
                        return tops[s];
                    }
                    let centre =
                        n.iter().map(|&m| tops[m] + heights[m] / 2.0).sum::<f32>() / n.len() as f32;
                    centre - heights[s] / 2.0
                })
                .collect();
            // Upwards from the bottom, then downwards from the top: the last pass decides,
            // so no two slots overlap and none is above the margin.
            let mut y: Vec<f32> = wanted.clone();
            for k in (0..layer.len().saturating_sub(1)).rev() {
                let limit = y[k + 1] - gap(layer[k], layer[k + 1]) - heights[layer[k]];
                y[k] = y[k].min(limit);
            }
            for k in 0..layer.len() {
                let limit = match k {
                    0 => MARGIN,
                    _ => y[k - 1] + heights[layer[k - 1]] + gap(layer[k - 1], layer[k]),
                };
                y[k] = y[k].max(limit);
            }
            for (k, &s) in layer.iter().enumerate() {
                tops[s] = y[k];
            }
        }
    }
    tops
}

/// Moves labels sharing a gap apart vertically (each gap's labels are centred on it), so none
/// overlaps another; a loop's label stays in the room above its box.
pub(super) fn spread_labels(edges: &mut [EdgePath], nodes: &[Area]) {
    let mut gaps: Vec<(i64, Vec<usize>)> = Vec::new();
    for (e, path) in edges.iter().enumerate() {
        let is_loop = matches!(path.pieces.as_slice(), [Piece::Curve(_)]);
        if is_loop || path.pieces.is_empty() {
            continue;
        }
        let key = (path.label.center()[0] * 4.0).round() as i64;
        match gaps.iter_mut().find(|g| g.0 == key) {
            Some(g) => g.1.push(e),
            None => gaps.push((key, vec![e])),
        }
    }
    let top = nodes.iter().map(|n| n.top).fold(MARGIN, f32::min);
    for (_, mut group) in gaps {
        group.sort_by(|&a, &b| edges[a].label.top.total_cmp(&edges[b].label.top));
        // Up from the bottom, then down from the top (the last pass keeps them apart): a
        // crowd spreads both ways around where its curves are.
        let step = LABEL_H + 2.0;
        let mut y: Vec<f32> = group.iter().map(|&e| edges[e].label.top).collect();
        for k in (0..y.len().saturating_sub(1)).rev() {
            y[k] = y[k].min(y[k + 1] - step);
        }
        for k in 0..y.len() {
            let floor = if k == 0 { top } else { y[k - 1] + step };
            y[k] = y[k].max(floor);
        }
        for (&e, y) in group.iter().zip(y) {
            let label = &mut edges[e].label;
            *label = Area::new(label.left, y, label.right - label.left, LABEL_H);
        }
    }
}
