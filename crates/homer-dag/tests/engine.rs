//! Salsa-style tests of the memo engine: build, change one input, run again,
//! and assert the exact execution log.
//!
//! The toy pipeline: inputs are named texts. `len(name)` owns a symbol node
//! for its input and stores the text's length; `total()` depends on every
//! `len` output, owns a `total` node linked by one edge to each symbol, and
//! stores the sum.

use std::collections::BTreeMap;

use homer_dag::{Declared, Engine, KindStats, Sweep, TaskKind};
use homer_store::{DumpOptions, EdgeKind, Member, NodeKind, Role, Store, Value};

const LEN: TaskKind = TaskKind::new("len", 1);
const TOTAL: TaskKind = TaskKind::new("total", 1);

type Inputs = BTreeMap<&'static str, &'static str>;

fn update(
    store: &mut Store,
    inputs: &Inputs,
    len_kind: TaskKind,
) -> (Vec<String>, Engine<'static>) {
    let tx = store.begin_write().expect("begin");
    let mut engine = Engine::start(&tx).expect("start");
    let declared: Vec<Declared<&str>> = inputs
        .iter()
        .map(|(name, text)| Declared {
            key: (*name).to_owned(),
            input_hash: len_kind.input().str(text).finish(),
            data: *text,
        })
        .collect();
    let lens = engine
        .run(
            &tx,
            &len_kind,
            &declared,
            Sweep::Complete,
            |_, text| Ok(text.len() as u64),
            |w, key, _, len| {
                let node = w.claim_node(NodeKind::Symbol, key, None, None)?;
                w.value(node, "len", &Value::Int(len as i64))?;
                Ok(Some(len.to_le_bytes().to_vec()))
            },
        )
        .expect("run len");

    let mut input = TOTAL.input();
    for (key, hash) in lens.iter() {
        input.push_bytes(key.as_bytes());
        input.push_u64(hash);
    }
    let keys: Vec<String> = lens.iter().map(|(k, _)| k.to_owned()).collect();
    let total = [Declared {
        key: String::new(),
        input_hash: input.finish(),
        data: keys,
    }];
    engine
        .run_serial(&tx, &TOTAL, &total, Sweep::Complete, |tx, w, _, keys| {
            let mut sum = 0u64;
            let node = w.claim_node(NodeKind::Symbol, "total", None, None)?;
            let mut members = vec![Member::new(node, Role::Source)];
            for key in keys {
                let bytes = tx
                    .memo_value(homer_store::TaskId::of(LEN.name, key))?
                    .expect("len stores its value");
                sum += u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
                members.push(Member::new(
                    homer_store::NodeId::of(NodeKind::Symbol, key),
                    Role::Target,
                ));
            }
            w.edge(EdgeKind::Depends, &members, None, None)?;
            w.value(node, "sum", &Value::Int(sum as i64))?;
            Ok(None)
        })
        .expect("run total");
    engine.end_stage(&tx).expect("end stage");
    tx.commit().expect("commit");
    let log = engine.log().iter().map(ToString::to_string).collect();
    (log, engine)
}

fn inputs(pairs: &[(&'static str, &'static str)]) -> Inputs {
    pairs.iter().copied().collect()
}

fn fresh(inputs: &Inputs) -> Store {
    let mut store = Store::open_in_memory().expect("open");
    update(&mut store, inputs, LEN);
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
    let (log, _) = update(&mut store, &inputs(&[("a", "xx"), ("b", "yyy")]), LEN);
    assert_eq!(
        log,
        ["executed len(a)", "executed len(b)", "executed total()"]
    );
    assert!(sum(&store).contains("sum=5"));
}

#[test]
fn a_no_op_rerun_executes_nothing() {
    let state = inputs(&[("a", "xx"), ("b", "yyy")]);
    let mut store = fresh(&state);
    let before = store.dump(DumpOptions { revisions: true }).expect("dump");
    let (log, engine) = update(&mut store, &state, LEN);
    assert_eq!(log, Vec::<String>::new());
    assert!(!engine.changed());
    assert_eq!(
        engine.stats()["len"],
        KindStats {
            reused: 2,
            millis: engine.stats()["len"].millis,
            ..KindStats::default()
        }
    );
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
    let (log, _) = update(&mut store, &state, LEN);
    assert_eq!(log, ["executed len(a)", "executed total()"]);
    assert!(sum(&store).contains("sum=7"));
    assert_same_as_fresh(&store, &state);
}

#[test]
fn a_backdated_output_stops_propagation() {
    let mut store = fresh(&inputs(&[("a", "xx"), ("b", "yyy")]));
    // Same length, different text: len(a) runs, its output is unchanged, and
    // total() does not run.
    let state = inputs(&[("a", "zz"), ("b", "yyy")]);
    let (log, engine) = update(&mut store, &state, LEN);
    assert_eq!(log, ["backdated len(a)"]);
    assert_eq!(engine.stats()["len"].backdated, 1);
    assert_eq!(engine.stats()["total"].reused, 1);
    assert_same_as_fresh(&store, &state);
}

#[test]
fn a_removed_input_deletes_its_derived_rows() {
    let mut store = fresh(&inputs(&[("a", "xx"), ("b", "yyy")]));
    let state = inputs(&[("a", "xx")]);
    let (log, _) = update(&mut store, &state, LEN);
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
    let (log, _) = update(&mut store, &state, LEN);
    assert_eq!(log, ["executed len(c)", "executed total()"]);
    assert_same_as_fresh(&store, &state);
}

#[test]
fn a_new_kind_version_re_executes_the_kind_and_backdates_same_outputs() {
    let state = inputs(&[("a", "xx"), ("b", "yyy")]);
    let mut store = fresh(&state);
    let (log, _) = update(&mut store, &state, TaskKind::new("len", 2));
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
        update(&mut store, state, LEN);
        assert_same_as_fresh(&store, state);
    }
}
