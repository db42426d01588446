//! Brute-force nearest neighbours over the stored vectors (unit vectors,
//! int8 numbers with a scale each): the scoring behind semantic search
//! and a symbol's similar definitions.

use homer_store::StoredVectors;

/// The `k` keys whose vectors have the largest dot product with `query`
/// (the cosine, for unit vectors), best first; ties by key. A vector of
/// another length than `query` scores nothing.
#[must_use]
pub fn nearest(vectors: &StoredVectors, query: &[f32], k: usize) -> Vec<(f32, i64)> {
    nearest_and_mean(vectors, query, k).0
}

/// [`nearest`], and the mean score over every vector: what a score of
/// this query means here (static vectors of one repository share a
/// direction, and most pairs score high). `None` without vectors of the
/// query's dimensions.
#[must_use]
pub fn nearest_and_mean(
    vectors: &StoredVectors,
    query: &[f32],
    k: usize,
) -> (Vec<(f32, i64)>, Option<f64>) {
    if vectors.dim != query.len() {
        return (Vec::new(), None);
    }
    let mut scored: Vec<(f32, i64)> = vectors
        .iter()
        .map(|(key, scale, numbers)| (dot(numbers, query) * scale, key))
        .collect();
    // Summed in f64: hundreds of thousands of terms.
    let mean = (!scored.is_empty())
        .then(|| scored.iter().map(|s| f64::from(s.0)).sum::<f64>() / scored.len() as f64);
    let order = |a: &(f32, i64), b: &(f32, i64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k < scored.len() {
        scored.select_nth_unstable_by(k, order);
        scored.truncate(k);
    }
    scored.sort_by(order);
    (scored, mean)
}

/// Dot product of int8 numbers with a query, in eight independent lanes
/// so the compiler can keep them in vector registers.
fn dot(a: &[i8], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..8 {
            lanes[i] += f32::from(x[i]) * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(&x, y)| f32::from(x) * y).sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(dim: usize, rows: &[(i64, f32, &[i8])]) -> StoredVectors {
        StoredVectors {
            dim,
            keys: rows.iter().map(|r| r.0).collect(),
            scales: rows.iter().map(|r| r.1).collect(),
            numbers: rows.iter().flat_map(|r| r.2.iter().copied()).collect(),
        }
    }

    #[test]
    fn the_nearest_come_first_and_ties_go_by_key() {
        // Three 2-d vectors; the query points along the first axis.
        let vectors = stored(
            2,
            &[
                (7, 1.0 / 127.0, &[127, 0]),
                (3, 1.0 / 127.0, &[0, 127]),
                (5, 1.0 / 127.0, &[127, 0]),
            ],
        );
        assert_eq!(nearest(&vectors, &[1.0, 0.0], 2), vec![(1.0, 5), (1.0, 7)]);
        assert_eq!(nearest(&vectors, &[0.0, 1.0], 10)[0], (1.0, 3));
        assert_eq!(nearest(&vectors, &[0.0, 1.0], 10).len(), 3);
        // A query of another length matches nothing.
        assert!(nearest(&vectors, &[1.0, 0.0, 0.0], 10).is_empty());
        // The mean is over every vector, not the k kept: (1 + 0 + 1) / 3
        // along the first axis, (0.6 + 0.8 + 0.6) / 3 along (0.6, 0.8).
        let mean = |q: &[f32]| nearest_and_mean(&vectors, q, 1).1.expect("vectors");
        assert!((mean(&[1.0, 0.0]) - 2.0 / 3.0).abs() < 1e-6);
        assert!((mean(&[0.6, 0.8]) - 2.0 / 3.0).abs() < 1e-6);
        assert_eq!(nearest_and_mean(&vectors, &[1.0], 1).1, None);
    }

    #[test]
    fn scores_are_the_decoded_vectors_dot_products() {
        let numbers: Vec<i8> = (0..387)
            .map(|i| i8::try_from((i * 37) % 255 - 127).expect("within ±127"))
            .collect();
        let query: Vec<f32> = (0..387).map(|i| (i as f32).cos()).collect();
        let vectors = stored(387, &[(1, 0.003, &numbers)]);
        let plain: f32 = vectors
            .decoded(0)
            .iter()
            .zip(&query)
            .map(|(x, y)| x * y)
            .sum();
        let (score, key) = nearest(&vectors, &query, 1)[0];
        assert_eq!(key, 1);
        assert!((score - plain).abs() < 1e-4, "{score} vs {plain}");
    }
}
