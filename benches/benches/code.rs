//! Criterion suite for the code stage's pure parts: extraction per
//! language and resolution of a whole repository.
//!
//!     HOMER_CORPUS=/tmp/corpus cargo bench -p homer-benches --bench code
//!
//! Over the clones in `HOMER_CORPUS` (see `../shared/corpus/README`), or
//! over `fixtures/languages` when it is unset.

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use homer_benches::{Repo, by_language, repositories};
use homer_syntax::{Extractor, FileFacts, Manifests, Project};

fn extract(c: &mut Criterion, repos: &[Repo]) {
    let mut group = c.benchmark_group("extract");
    group.sample_size(10);
    for repo in repos {
        for (language, sources) in by_language(&repo.files) {
            let bytes: usize = sources.iter().map(|s| s.len()).sum();
            if bytes < 10_000 {
                continue;
            }
            group.throughput(Throughput::Bytes(bytes as u64));
            let mut extractor = Extractor::new();
            group.bench_function(format!("{}/{}", repo.name, language.name()), |b| {
                b.iter(|| {
                    for s in &sources {
                        std::hint::black_box(extractor.extract(language, s));
                    }
                });
            });
        }
    }
    group.finish();
}

fn resolve(c: &mut Criterion, repos: &[Repo]) {
    let mut group = c.benchmark_group("resolve");
    group.sample_size(10);
    for repo in repos {
        let mut extractor = Extractor::new();
        let facts: Vec<(String, FileFacts)> = repo
            .files
            .iter()
            .map(|f| (f.path.clone(), extractor.extract(f.language, &f.bytes)))
            .collect();
        let manifests = Manifests::default();
        group.throughput(Throughput::Elements(facts.len() as u64));
        group.bench_function(repo.name.as_str(), |b| {
            b.iter_batched(
                || (),
                |()| {
                    let project =
                        Project::new(facts.iter().map(|(p, f)| (p.as_str(), f)), &manifests);
                    for (path, _) in &facts {
                        std::hint::black_box(project.resolve(path));
                    }
                },
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

fn suite(c: &mut Criterion) {
    let repos = repositories();
    extract(c, &repos);
    resolve(c, &repos);
}

criterion_group!(benches, suite);
criterion_main!(benches);
