//! Salsa-style tests of the memo engine: build, change one input, run again,
//! and assert the exact execution log; and the checks of verification mode,
//! which must catch a task that reads something its input does not name.
//!
//! The toy pipeline: inputs are named texts. `len(name)` owns a symbol node
//! for its input and stores the text's length; `total()` depends on every
//! `len` output, owns a `total` node linked by one edge to each symbol, and
//! stores the sum.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use homer_dag::{
    DagError, Declared, Engine, KindStats, Sweep, Task, TaskError, TaskKind, Upstream,
};
use homer_store::{
    DumpOptions, EdgeKind, Member, NodeId, NodeKind, Role, Store, TaskWriter, Value,
};
use serde::Serialize;

type Inputs = BTreeMap<&'static str, &'static str>;

/// `len(name)`, at a version chosen by the test.
struct Len<const V: u32>;

impl<const V: u32> Task for Len<V> {
    const KIND: TaskKind = TaskKind::new("len", V);
    type Input = &'static str;
    type Output = u64;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute((): &(), (): &mut (), _: &str, text: &&'static str) -> Result<u64, TaskError> {
        Ok(text.len() as u64)
    }

    fn write(
        w: &mut TaskWriter<'_>,
        key: &str,
        _: &&'static str,
        len: u64,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let node = w.claim_node(NodeKind::Symbol, key, None, None)?;
        w.value(node, "len", &Value::Int(len as i64))?;
        Ok(Some(len.to_le_bytes().to_vec()))
    }
}

/// `total()`: the sum of every `len`, read as upstream outputs.
struct Total<'a>(std::marker::PhantomData<&'a ()>);

#[derive(Serialize)]
struct TotalInput<'a> {
    lens: Vec<(&'a str, Upstream<'a, u64>)>,
}

impl<'a> Task for Total<'a> {
    const KIND: TaskKind = TaskKind::new("total", 1);
    type Input = TotalInput<'a>;
    type Output = u64;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute((): &(), (): &mut (), _: &str, input: &TotalInput<'a>) -> Result<u64, TaskError> {
        Ok(input.lens.iter().map(|(_, n)| **n).sum())
    }

    fn write(
        w: &mut TaskWriter<'_>,
        _: &str,
        input: &TotalInput<'a>,
        sum: u64,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let node = w.claim_node(NodeKind::Symbol, "total", None, None)?;
        let mut members = vec![Member::new(node, Role::Source)];
        for (key, _) in &input.lens {
            members.push(Member::new(NodeId::of(NodeKind::Symbol, key), Role::Target));
        }
        w.edge(EdgeKind::Depends, &members, None, None)?;
        w.value(node, "sum", &Value::Int(sum as i64))?;
        Ok(None)
    }
}

fn update<const V: u32>(store: &mut Store, inputs: &Inputs) -> (Vec<String>, Engine<'static>) {
    run::<V>(store, inputs, false).expect("update")
}

fn run<const V: u32>(
    store: &mut Store,
    inputs: &Inputs,
    verify: bool,
) -> Result<(Vec<String>, Engine<'static>), DagError> {
    let tx = store.begin_write().expect("begin");
    let mut engine = Engine::start(&tx)?;
    engine.verify(verify);
    let stage = engine.begin_stage(&tx, "stage.toy", &[Len::<V>::KIND, Total::KIND], &inputs)?;
    if !stage.skip() {
        let declared: Vec<Declared<&'static str>> = inputs
            .iter()
            .map(|(name, text)| Declared::new((*name).to_owned(), *text))
            .collect();
        let outputs = engine.run::<Len<V>>(&tx, &(), &declared, Sweep::Complete)?;
        let values: BTreeMap<String, u64> = tx
            .memo_values("len")?
            .iter()
            .map(|(k, v)| {
                (
                    k.to_owned(),
                    u64::from_le_bytes(v.try_into().expect("8 bytes")),
                )
            })
            .collect();
        let lens = outputs
            .iter()
            .map(|(key, hash)| (key, Upstream::new(hash, &values[key])))
            .collect();
        let total = [Declared::new(String::new(), TotalInput { lens })];
        engine.run::<Total<'_>>(&tx, &(), &total, Sweep::Complete)?;
    }
    engine.end_stage(&tx, stage)?;
    tx.commit().expect("commit");
    let log = engine.log().iter().map(ToString::to_string).collect();
    Ok((log, engine))
}

fn inputs(pairs: &[(&'static str, &'static str)]) -> Inputs {
    pairs.iter().copied().collect()
}

fn fresh(inputs: &Inputs) -> Store {
    let mut store = Store::open_in_memory().expect("open");
    update::<1>(&mut store, inputs);
    store
}

/// The incremental result equals a from-scratch build of the same inputs.
fn assert_same_as_fresh(store: &Store, inputs: &Inputs) {
    let options = DumpOptions::default();
    assert_eq!(
        store.dump(options).expect("dump"),
        fresh(inputs).dump(options).expect("dump fresh")
    );
    assert_eq!(
        store.check_integrity().expect("integrity"),
        Vec::<String>::new()
    );
}

fn sum(store: &Store) -> String {
    let dump = store.dump(DumpOptions::default()).expect("dump");
    dump.lines()
        .find(|l| l.contains("sum="))
        .expect("a sum value")
        .to_owned()
}

#[test]
fn the_first_run_executes_every_task() {
    let mut store = Store::open_in_memory().expect("open");
    let (log, _) = update::<1>(&mut store, &inputs(&[("a", "xx"), ("b", "yyy")]));
    assert_eq!(
        log,
        ["executed len(a)", "executed len(b)", "executed total()"]
    );
    assert!(sum(&store).contains("sum=5"));
}

#[test]
fn a_no_op_rerun_executes_nothing_and_its_stage_is_skipped() {
    let state = inputs(&[("a", "xx"), ("b", "yyy")]);
    let mut store = fresh(&state);
    let before = store.dump(DumpOptions { revisions: true }).expect("dump");
    let (log, engine) = update::<1>(&mut store, &state);
    assert_eq!(log, Vec::<String>::new());
    assert!(!engine.changed());
    // The stage's signature did not move: no task was even declared.
    assert!(engine.stats().is_empty(), "{:?}", engine.stats());
    // Not even the revision moves.
    assert_eq!(
        store.dump(DumpOptions { revisions: true }).expect("dump"),
        before
    );
}

#[test]
fn a_changed_input_re_executes_exactly_its_dependents() {
    let mut store = fresh(&inputs(&[("a", "xx"), ("b", "yyy")]));
    let state = inputs(&[("a", "xxxx"), ("b", "yyy")]);
    let (log, engine) = update::<1>(&mut store, &state);
    assert_eq!(log, ["executed len(a)", "executed total()"]);
    assert_eq!(
        engine.stats()["len"],
        KindStats {
            executed: 1,
            reused: 1,
            millis: engine.stats()["len"].millis,
            ..KindStats::default()
        }
    );
    assert!(sum(&store).contains("sum=7"));
    assert_same_as_fresh(&store, &state);
}

#[test]
fn a_backdated_output_stops_propagation() {
    let mut store = fresh(&inputs(&[("a", "xx"), ("b", "yyy")]));
    // Same length, different text: len(a) runs, its output is unchanged, and
    // total() does not run.
    let state = inputs(&[("a", "zz"), ("b", "yyy")]);
    let (log, engine) = update::<1>(&mut store, &state);
    assert_eq!(log, ["backdated len(a)"]);
    assert_eq!(engine.stats()["len"].backdated, 1);
    assert_eq!(engine.stats()["total"].reused, 1);
    assert_same_as_fresh(&store, &state);
}

#[test]
fn a_removed_input_deletes_its_derived_rows() {
    let mut store = fresh(&inputs(&[("a", "xx"), ("b", "yyy")]));
    let state = inputs(&[("a", "xx")]);
    let (log, _) = update::<1>(&mut store, &state);
    assert_eq!(log, ["deleted len(b)", "executed total()"]);
    let dump = store.dump(DumpOptions::default()).expect("dump");
    assert!(
        !dump.contains("\"b\""),
        "nothing about b may remain:\n{dump}"
    );
    assert!(sum(&store).contains("sum=2"));
    assert_same_as_fresh(&store, &state);
}

#[test]
fn an_added_input_executes_it_and_its_dependents() {
    let mut store = fresh(&inputs(&[("a", "xx")]));
    let state = inputs(&[("a", "xx"), ("c", "z")]);
    let (log, _) = update::<1>(&mut store, &state);
    assert_eq!(log, ["executed len(c)", "executed total()"]);
    assert_same_as_fresh(&store, &state);
}

#[test]
fn a_new_kind_version_moves_the_stage_and_re_executes_the_kind() {
    let state = inputs(&[("a", "xx"), ("b", "yyy")]);
    let mut store = fresh(&state);
    // Same inputs: only the version of `len` says the stage must run.
    let (log, _) = update::<2>(&mut store, &state);
    assert_eq!(log, ["backdated len(a)", "backdated len(b)"]);
}

#[test]
fn a_sequence_of_changes_ends_equal_to_a_fresh_build() {
    let mut store = Store::open_in_memory().expect("open");
    let steps = [
        inputs(&[("a", "1"), ("b", "22"), ("c", "333")]),
        inputs(&[("a", "1"), ("c", "3333")]),
        inputs(&[("a", "one"), ("b", "22"), ("d", "")]),
        inputs(&[]),
        inputs(&[("e", "5")]),
    ];
    for state in &steps {
        update::<1>(&mut store, state);
        assert_same_as_fresh(&store, state);
        // And verification finds every reused task writing what it wrote.
        let (log, engine) = run::<1>(&mut store, state, true).expect("verifies");
        assert_eq!(log, Vec::<String>::new());
        let verified: u64 = engine.stats().values().map(|k| k.verified).sum();
        assert_eq!(verified, state.len() as u64 + 1);
    }
}

/// A task that reads a global its input does not name: the kind of
/// mistake verification exists to catch.
static HIDDEN: AtomicU64 = AtomicU64::new(0);

struct Leaky;

impl Task for Leaky {
    const KIND: TaskKind = TaskKind::new("leaky", 1);
    type Input = &'static str;
    type Output = u64;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute((): &(), (): &mut (), _: &str, text: &&'static str) -> Result<u64, TaskError> {
        Ok(text.len() as u64 + HIDDEN.load(Ordering::SeqCst))
    }

    fn write(
        w: &mut TaskWriter<'_>,
        key: &str,
        _: &&'static str,
        n: u64,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        let node = w.claim_node(NodeKind::Symbol, key, None, None)?;
        w.value(node, "n", &Value::Int(n as i64))?;
        Ok(None)
    }
}

fn run_leaky(store: &mut Store, verify: bool, stage_input: u32) -> Result<(), DagError> {
    let tx = store.begin_write().expect("begin");
    let mut engine = Engine::start(&tx)?;
    engine.verify(verify);
    let stage = engine.begin_stage(&tx, "stage.leaky", &[Leaky::KIND], &stage_input)?;
    if !stage.skip() {
        let declared = [Declared::new("a".to_owned(), "xx")];
        engine.run::<Leaky>(&tx, &(), &declared, Sweep::Complete)?;
    }
    engine.end_stage(&tx, stage)?;
    tx.commit().expect("commit");
    Ok(())
}

#[test]
fn verification_catches_a_read_outside_the_declared_input() {
    HIDDEN.store(0, Ordering::SeqCst);
    let mut store = Store::open_in_memory().expect("open");
    run_leaky(&mut store, false, 1).expect("first build");
    // Nothing outside moved: verification passes.
    run_leaky(&mut store, true, 2).expect("verifies while nothing moved");
    // The hidden input moves. A normal update reuses the stale output
    // without noticing; verification refuses it and names the task.
    HIDDEN.store(5, Ordering::SeqCst);
    run_leaky(&mut store, false, 3).expect("a normal run does not notice");
    let err = run_leaky(&mut store, true, 4).expect_err("verification notices");
    assert!(
        matches!(&err, DagError::Unstable { kind: "leaky", key } if key == "a"),
        "{err}"
    );
    HIDDEN.store(0, Ordering::SeqCst);
}

#[test]
fn verification_catches_a_stage_signature_that_misses_an_input() {
    let mut store = Store::open_in_memory().expect("open");
    let first = inputs(&[("a", "xx")]);
    update::<1>(&mut store, &first);
    // The toy stage's signature hashes its inputs: a stage whose signature
    // stays while its tasks change is what a forgotten input looks like.
    // Simulate one: keep the stored signature, change the texts.
    let tx = store.begin_write().expect("begin");
    let mut engine = Engine::start(&tx).expect("start");
    engine.verify(true);
    let stage = engine
        .begin_stage(&tx, "stage.toy", &[Len::<1>::KIND, Total::KIND], &first)
        .expect("stage");
    let declared = [Declared::new("a".to_owned(), "xxxx")];
    engine
        .run::<Len<1>>(&tx, &(), &declared, Sweep::Complete)
        .expect("run");
    let err = engine.end_stage(&tx, stage).expect_err("the stage moved");
    assert!(matches!(err, DagError::StageMoved { .. }), "{err}");
}

/// `square(key)`: its input squared, or an error for the key `bad`.
struct Square;

impl Task for Square {
    const KIND: TaskKind = TaskKind::new("square", 1);
    type Input = u64;
    type Output = u64;
    type Shared = ();
    type Worker = ();

    fn worker((): &()) -> Result<(), TaskError> {
        Ok(())
    }

    fn compute((): &(), (): &mut (), key: &str, n: &u64) -> Result<u64, TaskError> {
        if key == "bad" {
            return Err("no square for this one".into());
        }
        Ok(n * n)
    }

    fn write(
        w: &mut TaskWriter<'_>,
        key: &str,
        _: &u64,
        square: u64,
    ) -> Result<Option<Vec<u8>>, TaskError> {
        w.claim_node(NodeKind::Symbol, key, None, None)?;
        Ok(Some(square.to_le_bytes().to_vec()))
    }
}

/// Runs `square` over `n` keys (`k0000`...), plus `bad` when asked.
fn run_squares(store: &mut Store, n: u64, bad: bool) -> Result<Vec<String>, DagError> {
    let tx = store.begin_write().expect("begin");
    let mut engine = Engine::start(&tx)?;
    let mut declared: Vec<Declared<u64>> = (0..n)
        .map(|i| Declared::new(format!("k{i:04}"), i))
        .collect();
    if bad {
        declared.insert(declared.len() / 2, Declared::new("bad".to_owned(), 0));
    }
    engine.run::<Square>(&tx, &(), &declared, Sweep::Complete)?;
    tx.commit().expect("commit");
    Ok(engine.log().iter().map(ToString::to_string).collect())
}

/// Thousands of tasks go from the workers to the writer in batches: each
/// is written once, with its own output.
#[test]
fn many_tasks_are_each_written_once_with_their_output() {
    let mut store = Store::open_in_memory().expect("open");
    let log = run_squares(&mut store, 3_000, false).expect("run");
    assert_eq!(log.len(), 3_000);
    let tx = store.begin_write().expect("begin");
    let values = tx.memo_values("square").expect("values");
    let mut squares: Vec<(String, u64)> = values
        .iter()
        .map(|(k, v)| {
            (
                k.to_owned(),
                u64::from_le_bytes(v.try_into().expect("8 bytes")),
            )
        })
        .collect();
    // Kept by id, not by key.
    squares.sort();
    let expected: Vec<(String, u64)> = (0..3_000u64).map(|i| (format!("k{i:04}"), i * i)).collect();
    assert_eq!(squares, expected);
}

/// One failing task among thousands stops the run with an error that
/// names it, and the transaction, never committed, leaves nothing.
#[test]
fn a_failing_task_among_many_stops_the_run_and_is_named() {
    let mut store = Store::open_in_memory().expect("open");
    let error = run_squares(&mut store, 3_000, true).expect_err("one task fails");
    let text = error.to_string();
    assert!(text.contains("square") && text.contains("bad"), "{text}");
    assert_eq!(
        store
            .summary()
            .expect("summary")
            .tasks
            .iter()
            .map(|k| k.count)
            .sum::<u64>(),
        0
    );
}
