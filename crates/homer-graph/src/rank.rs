//! Percentile ranks: where each value stands among all of them, in 0..=1,
//! so that scores from graphs of different sizes compare (raw PageRank
//! shrinks like 1/n).

/// The percentile rank of each value: the share of the other values below
/// it, counting ties as half below. The largest distinct value gets 1, the
/// smallest 0; equal values share a rank; a single value gets 1.
#[must_use]
pub fn percentile_ranks(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    if n == 1 {
        return vec![1.0];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; n];
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && values[order[end]].total_cmp(&values[order[start]]).is_eq() {
            end += 1;
        }
        // `start` values below, `end - start - 1` others equal.
        let below = start as f64 + (end - start - 1) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = below / (n - 1) as f64;
        }
        start = end;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_spread_from_zero_to_one() {
        assert_eq!(percentile_ranks(&[30.0, 10.0, 20.0]), vec![1.0, 0.0, 0.5]);
    }

    #[test]
    fn ties_share_a_rank() {
        assert_eq!(
            percentile_ranks(&[1.0, 5.0, 5.0, 9.0, 0.0]),
            vec![0.25, 0.625, 0.625, 1.0, 0.0]
        );
        assert_eq!(percentile_ranks(&[2.0, 2.0]), vec![0.5, 0.5]);
    }

    #[test]
    fn scale_does_not_matter() {
        let small = percentile_ranks(&[0.1, 0.3, 0.2]);
        let large = percentile_ranks(&[1000.0, 3000.0, 2000.0]);
        assert_eq!(small, large);
        assert_eq!(percentile_ranks(&[7.0]), vec![1.0]);
        assert!(percentile_ranks(&[]).is_empty());
    }
}
