//! PageRank by power iteration, with networkx's semantics: edge weights
//! normalized per source, the mass of nodes without outgoing weight
//! (dangling) handed out like the teleport. Converged when the L1 change
//! of an iteration falls below the tolerance itself (networkx stops at
//! `len × tolerance`, which leaves large graphs further from the fixed
//! point; networkx with `tol = tolerance / len` stops where this does).
//!
//! Two runs that start from different vectors (a warm start, a cold one)
//! converge to the same scores but not to the same bits, and an
//! incremental index must equal a fresh one. So, once converged, the
//! iteration goes on while it still gets closer (down to the rounding
//! noise of floating point, about 1e-16 in total), and the scores are then
//! rounded to multiples of 2^-32 (about 2.3e-10): two runs end on the same
//! bits unless a score lies within the noise of a rounding boundary, which
//! is about one chance in 10^8 per node.

use crate::Graph;

/// Iterations past convergence, at most, spent getting down to the noise.
const POLISH_LIMIT: u32 = 100;
/// Scores are rounded to multiples of 1 / this (2^32).
const QUANTUM_INVERSE: f64 = 4_294_967_296.0;

/// How PageRank runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PageRankOptions {
    /// The probability of following an edge rather than jumping.
    pub damping: f64,
    /// Converged when the L1 change of an iteration is below this.
    pub tolerance: f64,
    pub max_iterations: u32,
}

impl Default for PageRankOptions {
    fn default() -> Self {
        PageRankOptions {
            damping: 0.85,
            tolerance: 1e-10,
            max_iterations: 1000,
        }
    }
}

/// Scores (summing to 1) and how they were reached.
#[derive(Clone, Debug, PartialEq)]
pub struct PageRank {
    pub scores: Vec<f64>,
    pub iterations: u32,
    /// False when `max_iterations` ran out first; the scores are then the
    /// last iterate.
    pub converged: bool,
}

/// PageRank with a uniform teleport. `start`, when given (one value per
/// node, e.g. the scores of a previous run with new nodes at any positive
/// value), is where the iteration starts: a warm start that changes the
/// iterations needed, not the result.
#[must_use]
pub fn pagerank(graph: &Graph, options: &PageRankOptions, start: Option<&[f64]>) -> PageRank {
    let n = graph.len();
    let uniform = vec![1.0 / n.max(1) as f64; n];
    iterate(graph, options, &uniform, start)
}

/// PageRank whose teleport (and dangling mass) goes to `seeds`, in
/// proportion to their weights: "what matters from here". Seeds out of
/// range or with a weight that is not positive are ignored; with none left
/// the teleport is uniform.
///
/// The iteration starts from the teleport itself, so a node the seeds do
/// not reach along the edges holds exactly zero throughout: the scores of
/// the part the seeds reach are the same bits whether the rest of the graph
/// is there or not (a task context walks only that part), provided its
/// nodes and edges keep their relative order.
#[must_use]
pub fn personalized_pagerank(
    graph: &Graph,
    options: &PageRankOptions,
    seeds: &[(usize, f64)],
) -> PageRank {
    let n = graph.len();
    let mut teleport = vec![0.0; n];
    for &(node, weight) in seeds {
        if node < n && weight.is_finite() && weight > 0.0 {
            teleport[node] += weight;
        }
    }
    let total: f64 = teleport.iter().sum();
    if total > 0.0 {
        for t in &mut teleport {
            *t /= total;
        }
    } else {
        teleport = vec![1.0 / n.max(1) as f64; n];
    }
    let start = teleport.clone();
    iterate(graph, options, &teleport, Some(&start))
}

fn iterate(
    graph: &Graph,
    options: &PageRankOptions,
    teleport: &[f64],
    start: Option<&[f64]>,
) -> PageRank {
    let n = graph.len();
    if n == 0 {
        return PageRank {
            scores: Vec::new(),
            iterations: 0,
            converged: true,
        };
    }
    let alpha = options.damping;
    let mut x = match start {
        Some(s) if s.len() == n && s.iter().all(|v| v.is_finite() && *v >= 0.0) => {
            let total: f64 = s.iter().sum();
            if total > 0.0 {
                s.iter().map(|v| v / total).collect()
            } else {
                vec![1.0 / n as f64; n]
            }
        }
        _ => vec![1.0 / n as f64; n],
    };
    let dangling: Vec<usize> = (0..n).filter(|&i| graph.out_weight(i) == 0.0).collect();
    let mut next = vec![0.0; n];
    let mut iterations = 0;
    // The iteration at which the change first fell below the tolerance.
    let mut converged_at: Option<u32> = None;
    let mut last_change = f64::INFINITY;
    while iterations < options.max_iterations {
        iterations += 1;
        let dangling_mass: f64 = dangling.iter().map(|&i| x[i]).sum();
        next.fill(0.0);
        for (i, &xi) in x.iter().enumerate() {
            let out = graph.out_weight(i);
            if out == 0.0 || xi == 0.0 {
                continue;
            }
            let share = xi / out;
            for (j, w) in graph.out_edges(i) {
                next[j] += share * w;
            }
        }
        let mut change = 0.0;
        for j in 0..n {
            let value =
                alpha * (next[j] + dangling_mass * teleport[j]) + (1.0 - alpha) * teleport[j];
            change += (value - x[j]).abs();
            next[j] = value;
        }
        if converged_at.is_some() && change >= last_change {
            // Rounding noise reached: this step made nothing better.
            break;
        }
        std::mem::swap(&mut x, &mut next);
        last_change = change;
        if converged_at.is_none() && change < options.tolerance {
            converged_at = Some(iterations);
        }
        match converged_at {
            Some(_) if change == 0.0 => break,
            Some(at) if iterations - at >= POLISH_LIMIT => break,
            _ => {}
        }
    }
    for v in &mut x {
        *v = (*v * QUANTUM_INVERSE).round() / QUANTUM_INVERSE;
    }
    PageRank {
        scores: x,
        iterations,
        converged: converged_at.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rounding step of the stored scores.
    const QUANTUM: f64 = 1.0 / QUANTUM_INVERSE;

    fn close(a: &[f64], b: &[f64], tolerance: f64) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < tolerance)
    }

    #[test]
    fn a_cycle_is_uniform() {
        let g = Graph::new(3, [(0, 1, 1.0), (1, 2, 1.0), (2, 0, 1.0)]);
        let r = pagerank(&g, &PageRankOptions::default(), None);
        assert!(r.converged);
        assert!(close(&r.scores, &[1.0 / 3.0; 3], QUANTUM), "{:?}", r.scores);
    }

    /// Two nodes, 0 → 1, node 1 dangling. By hand, with d = 0.85 and the
    /// dangling mass spread uniformly: x0 = (1 - d)/2 + d·x1/2, and
    /// x1 = 1 - x0, so x0 = 0.075 + 0.425·(1 - x0), x0 = 0.5/1.425.
    #[test]
    fn a_dangling_node_spreads_its_mass() {
        let g = Graph::new(2, [(0, 1, 1.0)]);
        let r = pagerank(&g, &PageRankOptions::default(), None);
        let x0 = 0.5 / 1.425;
        assert!(close(&r.scores, &[x0, 1.0 - x0], QUANTUM), "{:?}", r.scores);
    }

    /// Weights split a node's score: 0 → 1 (weight 3), 0 → 2 (weight 1),
    /// 1 and 2 back to 0. By hand, with teleport 0.15/3 = 0.05:
    /// x1 = 0.05 + 0.85·0.75·x0, x2 = 0.05 + 0.85·0.25·x0 and
    /// x0 = 0.05 + 0.85·(x1 + x2) = 0.135 + 0.7225·x0.
    #[test]
    fn weights_split_a_score() {
        let g = Graph::new(3, [(0, 1, 3.0), (0, 2, 1.0), (1, 0, 1.0), (2, 0, 1.0)]);
        let r = pagerank(&g, &PageRankOptions::default(), None);
        let x0 = 0.135 / 0.2775;
        let x1 = 0.05 + 0.85 * 0.75 * x0;
        let x2 = 0.05 + 0.85 * 0.25 * x0;
        assert!(close(&r.scores, &[x0, x1, x2], QUANTUM), "{:?}", r.scores);
    }

    #[test]
    fn a_warm_start_reaches_the_same_scores_sooner() {
        // Skewed, like a dependency graph: everything points at a few
        // low-numbered nodes, so the scores are far from uniform.
        let edges: Vec<(u32, u32, f64)> = (1..200u32)
            .flat_map(|i| [(i, i / 2, 1.0), (i, i / 3, 2.0), (i, (i * 7) % 200, 0.5)])
            .collect();
        let g = Graph::new(200, edges.clone());
        let options = PageRankOptions::default();
        let cold = pagerank(&g, &options, None);
        // A small change: one more edge.
        let mut changed = edges;
        changed.push((5, 6, 1.0));
        let g2 = Graph::new(200, changed);
        let again = pagerank(&g2, &options, None);
        let warm = pagerank(&g2, &options, Some(&cold.scores));
        assert!(warm.converged && again.converged);
        // Not just close: the same bits, so an incremental index equals a
        // fresh one.
        assert_eq!(warm.scores, again.scores);
        assert!(
            warm.iterations < again.iterations,
            "warm {} cold {}",
            warm.iterations,
            again.iterations
        );
    }

    #[test]
    fn personalization_pulls_scores_toward_the_seeds() {
        let g = Graph::new(4, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (3, 0, 1.0)]);
        let r = personalized_pagerank(&g, &PageRankOptions::default(), &[(2, 1.0)]);
        let best = (0..4).max_by(|&a, &b| r.scores[a].total_cmp(&r.scores[b]));
        assert_eq!(best, Some(2));
        assert!((r.scores.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        // No usable seed: the plain PageRank.
        let plain = personalized_pagerank(&g, &PageRankOptions::default(), &[(9, 1.0)]);
        assert!(close(&plain.scores, &[0.25; 4], QUANTUM));
    }

    /// Seed 0, edges 0 → 1 and 2 → 1, node 1 dangling. By hand, with
    /// d = 0.85 and node 1's mass going back to the seed: x1 = d·x0 and
    /// x0 = (1 - d) + d·x1, so x0 = 0.15 / (1 - 0.7225); node 2, which the
    /// seed does not reach, is exactly zero. And the part the seed reaches,
    /// walked alone (nodes 0 and 1, in the same order), ends on the same
    /// bits.
    #[test]
    fn what_the_seeds_do_not_reach_is_zero_and_changes_nothing() {
        let whole = Graph::new(3, [(0, 1, 1.0), (2, 1, 1.0)]);
        let r = personalized_pagerank(&whole, &PageRankOptions::default(), &[(0, 1.0)]);
        let x0 = 0.15 / (1.0 - 0.7225);
        assert!(
            close(&r.scores, &[x0, 1.0 - x0, 0.0], QUANTUM),
            "{:?}",
            r.scores
        );
        assert_eq!(r.scores[2].to_bits(), 0.0f64.to_bits());
        let part = Graph::new(2, [(0, 1, 1.0)]);
        let p = personalized_pagerank(&part, &PageRankOptions::default(), &[(0, 1.0)]);
        assert_eq!(p.scores[..], r.scores[..2]);
        assert_eq!(p.iterations, r.iterations);
    }

    #[test]
    fn empty_and_edgeless_graphs() {
        let r = pagerank(&Graph::new(0, []), &PageRankOptions::default(), None);
        assert!(r.scores.is_empty() && r.converged);
        let r = pagerank(&Graph::new(4, []), &PageRankOptions::default(), None);
        assert!(close(&r.scores, &[0.25; 4], QUANTUM));
    }
}
