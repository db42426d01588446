//! Writes the `o200k_base` vocabulary as a table the binary can use with
//! no work at start-up (`src/tokens.rs` reads it): tiktoken-rs builds its
//! tokenizer from base64 text and sorts and clones it, about 150 ms of CPU
//! in every process that counts a token. The vocabulary comes from the
//! tiktoken-rs crate (a build dependency), so nothing is downloaded.
//!
//! Layout, all integers u32 little-endian:
//! `tokens`, `slots` (a power of two), `tokens + 1` byte offsets of each
//! rank's bytes, `slots` entries of an open-addressing table keyed by the
//! xxh3 hash of a token's bytes (rank + 1, 0 for empty, linear probing),
//! then the tokens' bytes one after the other.

use std::path::PathBuf;

#[path = "src/o200k_slot.rs"]
mod o200k_slot;

use o200k_slot::first_slot;

/// The tokens that are not byte strings of the vocabulary but markers;
/// counted apart (`src/tokens.rs`).
const SPECIAL: [&str; 2] = ["<|endoftext|>", "<|endofprompt|>"];

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let bpe = tiktoken_rs::o200k_base().expect("tiktoken-rs builds o200k_base");
    let special: Vec<u32> = SPECIAL
        .iter()
        .map(|s| {
            let ids = bpe.encode_with_special_tokens(s);
            assert_eq!(ids.len(), 1, "{s} is one special token");
            ids[0]
        })
        .collect();

    // Ranks are dense from 0 up to the first special token.
    let mut tokens: Vec<Vec<u8>> = Vec::new();
    loop {
        let rank = u32::try_from(tokens.len()).expect("fewer than 2^32 tokens");
        if special.contains(&rank) {
            break;
        }
        match bpe.decode_bytes(&[rank]) {
            Ok(bytes) => tokens.push(bytes),
            Err(_) => break,
        }
    }
    assert!(
        tokens.len() > 199_000,
        "o200k_base has about 200,000 tokens"
    );

    let slots = (tokens.len() * 2).next_power_of_two();
    let mut table = vec![0u32; slots];
    for (rank, bytes) in tokens.iter().enumerate() {
        let mut slot = first_slot(bytes, slots);
        while table[slot] != 0 {
            slot = (slot + 1) & (slots - 1);
        }
        table[slot] = u32::try_from(rank + 1).expect("rank fits");
    }

    let mut out = Vec::new();
    let word = |out: &mut Vec<u8>, n: usize| {
        out.extend_from_slice(&u32::try_from(n).expect("fits u32").to_le_bytes());
    };
    word(&mut out, tokens.len());
    word(&mut out, slots);
    let mut offset = 0;
    for bytes in &tokens {
        word(&mut out, offset);
        offset += bytes.len();
    }
    word(&mut out, offset);
    for &entry in &table {
        word(&mut out, entry as usize);
    }
    for bytes in &tokens {
        out.extend_from_slice(bytes);
    }

    let dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(dir.join("o200k.bin"), out).expect("write the token table");
    std::fs::write(
        dir.join("o200k_pattern.txt"),
        tiktoken_rs::O200K_BASE_PAT_STR,
    )
    .expect("write the pre-tokenizer pattern");
}
