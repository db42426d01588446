//! git's measure of how much of one blob's content another one contains, and
//! its test for binary content.

use std::collections::HashMap;

/// How much of a blob git inspects to decide that it is binary.
const BINARY_SNIFF_BYTES: usize = 8000;

/// What rename detection needs to know of a blob: its size and its span
/// signature.
#[derive(Debug)]
pub(crate) struct Signature {
    pub(crate) len: usize,
    pub(crate) spans: Vec<(u32, u32)>,
}

impl Signature {
    pub(crate) fn of(data: &[u8]) -> Self {
        Signature {
            len: data.len(),
            spans: span_signature(data),
        }
    }
}

/// git's rule: binary when the first 8000 bytes hold a NUL.
pub(crate) fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_SNIFF_BYTES)].contains(&0)
}

/// The span signature git uses to estimate similarity: the content is cut
/// into spans that end at a newline or after 64 bytes (a CR before a LF is
/// skipped in text), each span is hashed, and the result maps each hash to
/// the number of bytes in spans with that hash, sorted by hash.
fn span_signature(data: &[u8]) -> Vec<(u32, u32)> {
    const MODULUS: u32 = 107_927;
    let text = !is_binary(data);
    let mut counts: HashMap<u32, u32> = HashMap::new();
    let (mut a1, mut a2): (u32, u32) = (0, 0);
    let mut n: u32 = 0;
    let mut i = 0;
    while i < data.len() {
        let c = data[i];
        i += 1;
        if text && c == b'\r' && data.get(i) == Some(&b'\n') {
            continue;
        }
        let old1 = a1;
        a1 = (a1 << 7) ^ (a2 >> 25);
        a2 = (a2 << 7) ^ (old1 >> 25);
        a1 = a1.wrapping_add(u32::from(c));
        n += 1;
        if n < 64 && c != b'\n' {
            continue;
        }
        let hash = a1.wrapping_add(a2.wrapping_mul(0x61)) % MODULUS;
        *counts.entry(hash).or_default() += n;
        n = 0;
        a1 = 0;
        a2 = 0;
    }
    if n > 0 {
        let hash = a1.wrapping_add(a2.wrapping_mul(0x61)) % MODULUS;
        *counts.entry(hash).or_default() += n;
    }
    let mut spans: Vec<(u32, u32)> = counts.into_iter().collect();
    spans.sort_unstable();
    spans
}

/// How many bytes of `dst` come from `src`: for every span hash, the
/// smaller of the two byte counts.
pub(crate) fn copied_bytes(src: &[(u32, u32)], dst: &[(u32, u32)]) -> u64 {
    let (mut i, mut j) = (0, 0);
    let mut copied = 0u64;
    while i < src.len() && j < dst.len() {
        match src[i].0.cmp(&dst[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                copied += u64::from(src[i].1.min(dst[j].1));
                i += 1;
                j += 1;
            }
        }
    }
    copied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_end_at_newlines_and_64_bytes() {
        let spans = span_signature(b"a\nb\n");
        assert_eq!(spans.iter().map(|s| s.1).sum::<u32>(), 4);
        let long = vec![b'x'; 130];
        let spans = span_signature(&long);
        // 64 + 64 + 2 bytes; the two full spans hash alike.
        assert_eq!(spans.iter().map(|s| s.1).sum::<u32>(), 130);
        assert!(spans.iter().any(|s| s.1 == 128));
    }

    #[test]
    fn crlf_counts_like_lf_in_text_but_not_in_binary() {
        assert_eq!(
            span_signature(b"one\r\ntwo\r\n"),
            span_signature(b"one\ntwo\n")
        );
        assert_ne!(span_signature(b"one\r\n\0"), span_signature(b"one\n\0"));
    }

    #[test]
    fn copied_bytes_takes_the_minimum_per_hash() {
        let a = span_signature(b"same\nsame\nother\n");
        let b = span_signature(b"same\nnew line\n");
        assert_eq!(copied_bytes(&a, &b), 5);
        assert_eq!(copied_bytes(&a, &a), 16);
    }
}
