//! Louvain community detection on the undirected view of a graph:
//! local moves that raise modularity, then the communities folded into
//! nodes, until nothing moves. Nodes are visited in a seeded order and
//! ties go to the lower community, so the result is fixed by the graph
//! and the seed; labels are numbered by size (largest first), then by
//! their smallest node.

use crate::Graph;
use crate::graph::index;
use crate::random::SplitMix64;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LouvainOptions {
    /// Above 1, smaller communities; below 1, larger ones.
    pub resolution: f64,
    pub seed: u64,
    /// Local-move passes per level before folding anyway.
    pub max_passes: u32,
}

impl Default for LouvainOptions {
    fn default() -> Self {
        LouvainOptions {
            resolution: 1.0,
            seed: 0x486f_6d65_7221,
            max_passes: 100,
        }
    }
}

/// The community label of every node (`0..count`), and the count.
/// Edge directions are ignored; an isolated node is its own community.
#[must_use]
pub fn louvain(graph: &Graph, options: &LouvainOptions) -> (Vec<u32>, usize) {
    let n = graph.len();
    let mut level = graph.undirected();
    // The community of each original node, in the current level's terms.
    let mut assignment: Vec<usize> = (0..n).collect();
    let mut random = SplitMix64::new(options.seed);
    loop {
        let (communities, moved) = local_moves(&level, options, &mut random);
        if !moved {
            break;
        }
        let (dense, count) = renumber(&communities);
        for a in &mut assignment {
            *a = dense[*a];
        }
        if count == level.len() {
            break;
        }
        level = fold(&level, &dense, count);
    }
    label(&assignment)
}

/// One level of local moves; returns each node's community and whether
/// any node moved.
fn local_moves(
    graph: &Graph,
    options: &LouvainOptions,
    random: &mut SplitMix64,
) -> (Vec<usize>, bool) {
    let n = graph.len();
    let degree: Vec<f64> = (0..n).map(|i| graph.out_weight(i)).collect();
    let total: f64 = degree.iter().sum();
    let mut community: Vec<usize> = (0..n).collect();
    if total == 0.0 {
        return (community, false);
    }
    let mut community_degree = degree.clone();
    let mut order: Vec<usize> = (0..n).collect();
    random.shuffle(&mut order);
    // Weights from the node being moved to each neighbouring community.
    let mut to_community = vec![0.0; n];
    let mut touched: Vec<usize> = Vec::new();
    let mut moved_any = false;
    for _ in 0..options.max_passes {
        let mut moved = false;
        for &i in &order {
            let own = community[i];
            for (j, w) in graph.out_edges(i) {
                if j == i {
                    continue;
                }
                let c = community[j];
                if to_community[c] == 0.0 {
                    touched.push(c);
                }
                to_community[c] += w;
            }
            community_degree[own] -= degree[i];
            let gain = |c: usize, weight: f64| {
                weight - options.resolution * community_degree[c] * degree[i] / total
            };
            let mut best = own;
            let mut best_gain = gain(own, to_community[own]);
            touched.sort_unstable();
            for &c in &touched {
                let g = gain(c, to_community[c]);
                // Only a clear gain moves a node; among equal gains the
                // current community, then the lowest id, wins.
                if g > best_gain + 1e-12 {
                    best = c;
                    best_gain = g;
                }
            }
            community_degree[best] += degree[i];
            if best != own {
                community[i] = best;
                moved = true;
                moved_any = true;
            }
            for &c in &touched {
                to_community[c] = 0.0;
            }
            touched.clear();
        }
        if !moved {
            break;
        }
    }
    (community, moved_any)
}

/// Community ids made dense (`0..count`) in order of first appearance by
/// node index.
fn renumber(communities: &[usize]) -> (Vec<usize>, usize) {
    let mut map = vec![usize::MAX; communities.len()];
    let mut next = 0;
    let mut dense = Vec::with_capacity(communities.len());
    for &c in communities {
        if map[c] == usize::MAX {
            map[c] = next;
            next += 1;
        }
        dense.push(map[c]);
    }
    (dense, next)
}

/// The graph of communities: an edge between two communities weighs what
/// the edges between their members weigh; edges inside become a loop.
fn fold(graph: &Graph, community: &[usize], count: usize) -> Graph {
    let mut edges = Vec::with_capacity(graph.edge_count());
    for a in 0..graph.len() {
        for (b, w) in graph.out_edges(a) {
            edges.push((index(community[a]), index(community[b]), w));
        }
    }
    Graph::new(count, edges)
}

/// Final labels: by community size, largest first, then by smallest node.
fn label(assignment: &[usize]) -> (Vec<u32>, usize) {
    let count = assignment.iter().copied().max().map_or(0, |m| m + 1);
    let mut size = vec![0usize; count];
    let mut first = vec![usize::MAX; count];
    for (node, &c) in assignment.iter().enumerate() {
        size[c] += 1;
        first[c] = first[c].min(node);
    }
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(size[c]), first[c]));
    let mut label_of = vec![0u32; count];
    for (label, &c) in order.iter().enumerate() {
        label_of[c] = u32::try_from(label).unwrap_or(u32::MAX);
    }
    (assignment.iter().map(|&c| label_of[c]).collect(), count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clique(nodes: &[u32]) -> Vec<(u32, u32, f64)> {
        let mut edges = Vec::new();
        for (i, &a) in nodes.iter().enumerate() {
            for &b in &nodes[i + 1..] {
                edges.push((a, b, 1.0));
            }
        }
        edges
    }

    /// Two 5-cliques joined by one edge: two communities, the bridge's
    /// ends each in their own clique's.
    #[test]
    fn two_cliques_and_a_bridge() {
        let mut edges = clique(&[0, 1, 2, 3, 4]);
        edges.extend(clique(&[5, 6, 7, 8, 9]));
        edges.push((4, 5, 1.0));
        let (labels, count) = louvain(&Graph::new(10, edges), &LouvainOptions::default());
        assert_eq!(count, 2);
        assert_eq!(labels, vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    }

    /// Three cliques of different sizes on a ring: labelled by size.
    #[test]
    fn labels_go_by_size() {
        let mut edges = clique(&[0, 1, 2]);
        edges.extend(clique(&[3, 4, 5, 6, 7, 8]));
        edges.extend(clique(&[9, 10, 11, 12]));
        edges.extend([(2, 3, 1.0), (8, 9, 1.0), (12, 0, 1.0)]);
        let (labels, count) = louvain(&Graph::new(13, edges), &LouvainOptions::default());
        assert_eq!(count, 3);
        assert_eq!(labels, vec![2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    }

    #[test]
    fn isolated_nodes_and_empty_graphs() {
        let (labels, count) = louvain(&Graph::new(3, []), &LouvainOptions::default());
        assert_eq!((labels, count), (vec![0, 1, 2], 3));
        let (labels, count) = louvain(&Graph::new(0, []), &LouvainOptions::default());
        assert!(labels.is_empty() && count == 0);
    }

    #[test]
    fn the_same_input_gives_the_same_labels() {
        let edges: Vec<(u32, u32, f64)> = (0..400u32)
            .flat_map(|i| [(i, (i + 1) % 400, 1.0), (i, (i * 31 + 7) % 400, 0.5)])
            .collect();
        let g = Graph::new(400, edges);
        let a = louvain(&g, &LouvainOptions::default());
        let b = louvain(&g, &LouvainOptions::default());
        assert_eq!(a, b);
        assert!(a.1 > 1 && a.1 < 400);
    }
}
