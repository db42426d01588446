//! A missing or broken runtime or model is an error with the path, never
//! a panic. (Its own test binary: ONNX Runtime's environment is made once
//! per process.)

use homer_embed::{EmbedError, Embedder, ModelFiles};

#[test]
fn missing_files_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let err = Embedder::load(&ModelFiles::in_dir(dir.path()), 1).expect_err("nothing there");
    assert!(matches!(err, EmbedError::Missing { .. }), "{err}");
    assert!(err.to_string().contains("homer model fetch"), "{err}");
}

#[test]
fn a_runtime_that_is_not_a_library_is_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = ModelFiles::in_dir(dir.path());
    for path in [&files.runtime, &files.model, &files.tokenizer] {
        std::fs::write(path, b"not what it should be").expect("write");
    }
    let err = Embedder::load(&files, 1).expect_err("garbage");
    assert!(matches!(err, EmbedError::Runtime { .. }), "{err}");
}
