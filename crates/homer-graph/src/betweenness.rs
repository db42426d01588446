//! Betweenness centrality (Brandes), on directed edges counted as single
//! hops, normalized as networkx does (by 1/((n-1)(n-2)), endpoints
//! excluded) unless asked for the raw sums of path shares. Above a size,
//! from a seeded sample of sources, scaled by n / sample.

use std::collections::VecDeque;

use crate::Graph;
use crate::random::SplitMix64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BetweennessOptions {
    /// Exact (every node a source) when the graph has at most this many
    /// nodes.
    pub exact_up_to: usize,
    /// Sources sampled above that size.
    pub samples: usize,
    pub seed: u64,
    /// Divide by (n-1)(n-2), as networkx's `normalized=True`. The raw sums
    /// of an exact run do not move when an unrelated node joins the graph.
    pub normalized: bool,
}

impl Default for BetweennessOptions {
    fn default() -> Self {
        BetweennessOptions {
            exact_up_to: 4000,
            samples: 500,
            seed: 0x486f_6d65_7221,
            normalized: true,
        }
    }
}

/// Betweenness of every node; the second value says whether it was exact.
#[must_use]
pub fn betweenness(graph: &Graph, options: &BetweennessOptions) -> (Vec<f64>, bool) {
    let n = graph.len();
    let mut centrality = vec![0.0; n];
    if n == 0 {
        return (centrality, true);
    }
    let exact = n <= options.exact_up_to || options.samples >= n;
    let sources: Vec<usize> = if exact {
        (0..n).collect()
    } else {
        let mut order: Vec<usize> = (0..n).collect();
        SplitMix64::new(options.seed).shuffle(&mut order);
        order.truncate(options.samples.max(1));
        order.sort_unstable();
        order
    };

    let mut sigma = vec![0.0f64; n];
    let mut distance = vec![usize::MAX; n];
    let mut delta = vec![0.0f64; n];
    let mut predecessors: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut stack = Vec::with_capacity(n);
    let mut queue = VecDeque::with_capacity(n);
    for &s in &sources {
        for v in &stack {
            let v: usize = *v;
            predecessors[v].clear();
            sigma[v] = 0.0;
            distance[v] = usize::MAX;
            delta[v] = 0.0;
        }
        stack.clear();
        sigma[s] = 1.0;
        distance[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            stack.push(v);
            for (w, _) in graph.out_edges(v) {
                if distance[w] == usize::MAX {
                    distance[w] = distance[v] + 1;
                    queue.push_back(w);
                }
                if distance[w] == distance[v] + 1 {
                    sigma[w] += sigma[v];
                    predecessors[w].push(v);
                }
            }
        }
        for &w in stack.iter().rev() {
            for &v in &predecessors[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    let normalize = options.normalized && n > 2;
    if normalize || !exact {
        let mut scale = 1.0;
        if normalize {
            scale /= (n - 1) as f64 * (n - 2) as f64;
        }
        if !exact {
            scale *= n as f64 / sources.len() as f64;
        }
        for c in &mut centrality {
            *c *= scale;
        }
    }
    (centrality, exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A directed path 0 → 1 → 2 → 3: node 1 lies on the paths 0→2 and
    /// 0→3, node 2 on 0→3 and 1→3; normalized by (n-1)(n-2) = 6.
    #[test]
    fn a_path() {
        let g = Graph::new(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)]);
        let (b, exact) = betweenness(&g, &BetweennessOptions::default());
        assert!(exact);
        assert_eq!(b, vec![0.0, 2.0 / 6.0, 2.0 / 6.0, 0.0]);
    }

    /// Two shortest paths from 0 to 3 (through 1 and through 2) share the
    /// credit: 1 and 2 get half each.
    #[test]
    fn shared_shortest_paths_split_the_credit() {
        let g = Graph::new(4, [(0, 1, 1.0), (0, 2, 1.0), (1, 3, 1.0), (2, 3, 1.0)]);
        let (b, _) = betweenness(&g, &BetweennessOptions::default());
        assert_eq!(b, vec![0.0, 0.5 / 6.0, 0.5 / 6.0, 0.0]);
    }

    #[test]
    fn a_star_centre_carries_everything() {
        // Leaves 1..=4 to the centre 0 and back: every leaf-to-leaf path
        // (12 of them) passes the centre.
        let edges: Vec<(u32, u32, f64)> = (1..=4u32)
            .flat_map(|l| [(l, 0, 1.0), (0, l, 1.0)])
            .collect();
        let g = Graph::new(5, edges);
        let (b, _) = betweenness(&g, &BetweennessOptions::default());
        assert!((b[0] - 12.0 / 12.0).abs() < 1e-12, "{b:?}");
        assert!(b[1..].iter().all(|&x| x == 0.0));
    }

    /// The path 0 → 1 → 2 → 3 raw: node 1 on two shortest paths, node 2
    /// on two; and a node joining elsewhere leaves them as they are.
    #[test]
    fn raw_sums_do_not_move_when_an_unrelated_node_joins() {
        let raw = BetweennessOptions {
            normalized: false,
            ..BetweennessOptions::default()
        };
        let path = [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0)];
        let (b, _) = betweenness(&Graph::new(4, path), &raw);
        assert_eq!(b, [0.0, 2.0, 2.0, 0.0]);
        let (b, _) = betweenness(&Graph::new(5, path), &raw);
        assert_eq!(b, [0.0, 2.0, 2.0, 0.0, 0.0]);
    }

    #[test]
    fn sampling_is_deterministic_and_close() {
        let edges: Vec<(u32, u32, f64)> = (0..300u32)
            .flat_map(|i| [(i, (i + 1) % 300, 1.0), (i, (i * 17 + 1) % 300, 1.0)])
            .collect();
        let g = Graph::new(300, edges);
        let options = BetweennessOptions {
            exact_up_to: 100,
            samples: 150,
            seed: 7,
            normalized: true,
        };
        let (a, exact) = betweenness(&g, &options);
        let (b, _) = betweenness(&g, &options);
        assert!(!exact);
        assert_eq!(a, b);
        let (full, _) = betweenness(&g, &BetweennessOptions::default());
        let err: f64 =
            a.iter().zip(&full).map(|(x, y)| (x - y).abs()).sum::<f64>() / full.iter().sum::<f64>();
        assert!(err < 0.25, "relative L1 error {err}");
    }
}
