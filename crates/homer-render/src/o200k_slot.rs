//! Where the probe for a token's bytes starts in the vocabulary table:
//! `build.rs` writes the table with it and `tokens.rs` looks tokens up
//! with it, so both include this one file.

use xxhash_rust::xxh3::xxh3_64;

/// The first slot to probe for `bytes` in a table of `slots` slots (a
/// power of two): the low bits of the bytes' xxh3 hash.
pub(crate) fn first_slot(bytes: &[u8], slots: usize) -> usize {
    let mask = u64::try_from(slots.saturating_sub(1)).unwrap_or(u64::MAX);
    usize::try_from(xxh3_64(bytes) & mask).unwrap_or(0)
}
