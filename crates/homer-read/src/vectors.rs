//! Brute-force nearest neighbours over a flat array of unit vectors: the
//! scoring behind semantic search and a symbol's similar definitions.

/// The `k` keys whose vectors have the largest dot product with `query`
/// (the cosine, for unit vectors), best first; ties by key. `flat` holds
/// `keys.len()` vectors of `query.len()` numbers each.
#[must_use]
pub fn nearest(flat: &[f32], keys: &[i64], query: &[f32], k: usize) -> Vec<(f32, i64)> {
    let dim = query.len().max(1);
    let mut scored: Vec<(f32, i64)> = flat
        .chunks_exact(dim)
        .zip(keys)
        .map(|(v, &key)| (dot(v, query), key))
        .collect();
    let order = |a: &(f32, i64), b: &(f32, i64)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if k < scored.len() {
        scored.select_nth_unstable_by(k, order);
        scored.truncate(k);
    }
    scored.sort_by(order);
    scored
}

/// Dot product in four independent lanes, so the compiler can keep them
/// in vector registers.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for i in 0..4 {
            lanes[i] += x[i] * y[i];
        }
    }
    let tail: f32 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    lanes.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_come_first_and_ties_go_by_key() {
        // Three 2-d vectors; the query points along the first axis.
        let flat = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0];
        let keys = [7, 3, 5];
        assert_eq!(
            nearest(&flat, &keys, &[1.0, 0.0], 2),
            vec![(1.0, 5), (1.0, 7)]
        );
        assert_eq!(nearest(&flat, &keys, &[0.0, 1.0], 10)[0], (1.0, 3));
        assert_eq!(nearest(&flat, &keys, &[0.0, 1.0], 10).len(), 3);
    }

    #[test]
    fn dot_products_match_the_plain_sum() {
        let a: Vec<f32> = (0..387).map(|i| (i as f32).sin()).collect();
        let b: Vec<f32> = (0..387).map(|i| (i as f32).cos()).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-3);
    }
}
