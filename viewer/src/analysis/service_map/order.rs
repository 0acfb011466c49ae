//! The order of the service map's boxes within each layer: fewer crossing calls by
//! barycentric sweeps (each layer sorted by the mean position of its neighbours in the layer
//! before, then in the layer after), keeping the best order seen. No egui here.
//!
//! A call spanning several layers passes through one placeholder slot per layer in between,
//! so it is ordered (and later drawn) like the boxes around it and never through one.

/// One slot of a layer: a service's box, or a call passing through the layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A node of the map (an index into `ServiceMap::nodes`).
    Node(usize),
    /// A call (an index into `ServiceMap::edges`) passing through this layer.
    Pass(usize),
}

/// Layers of slots and the links between slots of adjacent layers.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    /// Per layer, its slots (indices into `slots`) from top to bottom.
    pub order: Vec<Vec<usize>>,
    /// Every slot: what it is and its layer.
    pub slots: Vec<(Slot, usize)>,
    /// Links between a slot of layer L (first) and one of layer L + 1 (second).
    pub links: Vec<(usize, usize)>,
}

impl Layers {
    /// Adds a slot at the bottom of layer `layer`; its index.
    pub fn push(&mut self, slot: Slot, layer: usize) -> usize {
        if self.order.len() <= layer {
            self.order.resize(layer + 1, Vec::new());
        }
        self.slots.push((slot, layer));
        self.order[layer].push(self.slots.len() - 1);
        self.slots.len() - 1
    }

    /// Each slot's position within its layer.
    pub fn positions(&self) -> Vec<usize> {
        let mut pos = vec![0; self.slots.len()];
        for layer in &self.order {
            for (k, &s) in layer.iter().enumerate() {
                pos[s] = k;
            }
        }
        pos
    }

    /// How many pairs of links cross, over all pairs of adjacent layers.
    pub fn crossings(&self) -> usize {
        let pos = self.positions();
        let mut by_layer: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.order.len()];
        for &(a, b) in &self.links {
            by_layer[self.slots[a].1].push((pos[a], pos[b]));
        }
        by_layer.into_iter().map(inversions).sum()
    }

    /// Reorders every layer by `rounds` down-and-up barycentric sweeps, keeping the order with
    /// the fewest crossings (the starting order when no sweep improves on it).
    pub fn reduce_crossings(&mut self, rounds: usize) {
        let (mut up, mut down) = (
            vec![Vec::new(); self.slots.len()],
            vec![Vec::new(); self.slots.len()],
        );
        for &(a, b) in &self.links {
            down[a].push(b);
            up[b].push(a);
        }
        let mut best = (self.crossings(), self.order.clone());
        for _ in 0..rounds {
            if best.0 == 0 {
                break;
            }
            for layer in 1..self.order.len() {
                self.sort_by_neighbours(layer, &up);
            }
            for layer in (0..self.order.len().saturating_sub(1)).rev() {
                self.sort_by_neighbours(layer, &down);
            }
            self.transpose(&up, &down);
            let crossings = self.crossings();
            if crossings < best.0 {
                best = (crossings, self.order.clone());
            }
        }
        self.order = best.1;
    }

    /// Swaps neighbouring slots of a layer while that removes crossings (a few passes over
    /// all layers): what sorting by means leaves behind.
    fn transpose(&mut self, up: &[Vec<usize>], down: &[Vec<usize>]) {
        for _ in 0..16 {
            let mut improved = false;
            for layer in 0..self.order.len() {
                let pos = self.positions();
                for k in 0..self.order[layer].len().saturating_sub(1) {
                    let (u, v) = (self.order[layer][k], self.order[layer][k + 1]);
                    let kept = pair_crossings(&pos, up, down, u, v);
                    let swapped = pair_crossings(&pos, up, down, v, u);
                    if swapped < kept {
                        self.order[layer].swap(k, k + 1);
                        improved = true;
                    }
                }
            }
            if !improved {
                break;
            }
        }
    }

    /// Sorts one layer by the mean position of each slot's `neighbours` (a slot without any
    /// keeps its place).
    fn sort_by_neighbours(&mut self, layer: usize, neighbours: &[Vec<usize>]) {
        let pos = self.positions();
        let mut keyed: Vec<(f64, usize)> = self.order[layer]
            .iter()
            .enumerate()
            .map(|(k, &s)| {
                let n = &neighbours[s];
                let mean = if n.is_empty() {
                    k as f64
                } else {
                    n.iter().map(|&m| pos[m] as f64).sum::<f64>() / n.len() as f64
                };
                (mean, s)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.order[layer] = keyed.into_iter().map(|(_, s)| s).collect();
    }
}

/// How many of `first`'s links cross `second`'s when `first` is just above `second`.
fn pair_crossings(
    pos: &[usize],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
    first: usize,
    second: usize,
) -> usize {
    let count = |side: &[Vec<usize>]| {
        (side[first].iter())
            .map(|&a| side[second].iter().filter(|&&b| pos[b] < pos[a]).count())
            .sum::<usize>()
    };
    count(up) + count(down)
}

/// Crossing pairs among links given as (upper position, lower position): the inversions of
/// the lower positions once sorted by the upper ones. O(n log n) by merge sort.
fn inversions(mut links: Vec<(usize, usize)>) -> usize {
    links.sort_unstable();
    let mut lower: Vec<usize> = links.into_iter().map(|l| l.1).collect();
    merge_count(&mut lower)
}

fn merge_count(v: &mut [usize]) -> usize {
    if v.len() < 2 {
        return 0;
    }
    let mid = v.len() / 2;
    let mut count = merge_count(&mut v[..mid]) + merge_count(&mut v[mid..]);
    let (left, right) = (v[..mid].to_vec(), v[mid..].to_vec());
    let (mut i, mut j) = (0, 0);
    for slot in v.iter_mut() {
        if j == right.len() || (i < left.len() && left[i] <= right[j]) {
            *slot = left[i];
            i += 1;
        } else {
            // Strictly smaller than every remaining left value: crosses each of them.
            count += left.len() - i;
            *slot = right[j];
            j += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossings_count_pairs_of_links_that_swap_order() {
        assert_eq!(inversions(vec![(0, 0), (1, 1), (2, 2)]), 0);
        assert_eq!(inversions(vec![(0, 1), (1, 0)]), 1);
        assert_eq!(inversions(vec![(0, 2), (1, 1), (2, 0)]), 3);
        // Links sharing an end do not cross.
        assert_eq!(inversions(vec![(0, 0), (0, 1), (1, 1)]), 0);
    }

    #[test]
    fn sweeps_untangle_a_ladder_drawn_crossed() {
        // Top a, b, c each link to one of z, y, x: drawn in this order, every pair crosses.
        let mut layers = Layers::default();
        let top: Vec<usize> = (0..3).map(|k| layers.push(Slot::Node(k), 0)).collect();
        let bottom: Vec<usize> = (3..6).map(|k| layers.push(Slot::Node(k), 1)).collect();
        for k in 0..3 {
            layers.links.push((top[k], bottom[2 - k]));
        }
        assert_eq!(layers.crossings(), 3);
        layers.reduce_crossings(4);
        assert_eq!(layers.crossings(), 0);
    }
}
