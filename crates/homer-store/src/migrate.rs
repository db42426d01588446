//! The migrations in `schema/`, embedded at build time and applied in order.

use rusqlite::Connection;

use crate::StoreError;

/// What a migration does besides changing the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// It deletes every row derived from git: the next update builds the
    /// index again.
    Empties,
    /// It rebuilds a table that others refer to (SQLite's procedure for a
    /// change ALTER TABLE cannot make), so it runs in a transaction of its
    /// own with foreign keys off: dropping the old table must not cascade.
    /// The others run with them on (the emptying ones delete edges and
    /// count on the cascade to their members).
    Rebuilds,
    /// It deletes much of what the index holds: the file is vacuumed
    /// after it, or it would not get smaller.
    Shrinks,
    /// It deletes the mined commits: the next update mines the history
    /// again (and says so: it takes as long as a first build's history).
    Remines,
}

/// A migration: its number (the `user_version` it leads to), name, SQL
/// and what it does besides.
#[derive(Debug)]
pub(crate) struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
    pub effects: &'static [Effect],
}

impl Migration {
    pub(crate) fn does(&self, effect: Effect) -> bool {
        self.effects.contains(&effect)
    }
}

/// Every migration, in order. `schema/` is append-only: a shipped file is
/// never edited (a test pins each file's hash), a change is a new file.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init.sql",
        sql: include_str!("../../../schema/0001_init.sql"),
        effects: &[],
    },
    Migration {
        version: 2,
        name: "0002_search.sql",
        sql: include_str!("../../../schema/0002_search.sql"),
        effects: &[Effect::Empties],
    },
    Migration {
        version: 3,
        name: "0003_confidence.sql",
        sql: include_str!("../../../schema/0003_confidence.sql"),
        effects: &[],
    },
    Migration {
        version: 4,
        name: "0004_values_by_name.sql",
        sql: include_str!("../../../schema/0004_values_by_name.sql"),
        effects: &[],
    },
    Migration {
        version: 5,
        name: "0005_grouped_ids.sql",
        sql: include_str!("../../../schema/0005_grouped_ids.sql"),
        effects: &[Effect::Empties],
    },
    Migration {
        version: 6,
        name: "0006_compact_text.sql",
        sql: include_str!("../../../schema/0006_compact_text.sql"),
        effects: &[Effect::Empties],
    },
    Migration {
        version: 7,
        name: "0007_commit_chunk_ids.sql",
        sql: include_str!("../../../schema/0007_commit_chunk_ids.sql"),
        effects: &[Effect::Empties],
    },
    Migration {
        version: 8,
        name: "0008_row_counts.sql",
        sql: include_str!("../../../schema/0008_row_counts.sql"),
        effects: &[],
    },
    Migration {
        version: 9,
        name: "0009_value_marks.sql",
        sql: include_str!("../../../schema/0009_value_marks.sql"),
        effects: &[],
    },
    Migration {
        version: 10,
        name: "0010_tasks_by_kind.sql",
        sql: include_str!("../../../schema/0010_tasks_by_kind.sql"),
        effects: &[Effect::Rebuilds],
    },
    Migration {
        version: 11,
        name: "0011_commit_attrs.sql",
        sql: include_str!("../../../schema/0011_commit_attrs.sql"),
        effects: &[],
    },
    Migration {
        version: 12,
        name: "0012_values_by_name_only.sql",
        sql: include_str!("../../../schema/0012_values_by_name_only.sql"),
        effects: &[Effect::Rebuilds],
    },
    Migration {
        version: 13,
        name: "0013_salience_when_read.sql",
        sql: include_str!("../../../schema/0013_salience_when_read.sql"),
        effects: &[],
    },
    Migration {
        version: 14,
        name: "0014_small_chunk_ids.sql",
        sql: include_str!("../../../schema/0014_small_chunk_ids.sql"),
        effects: &[Effect::Empties],
    },
    Migration {
        version: 15,
        name: "0015_commits_kept_once.sql",
        sql: include_str!("../../../schema/0015_commits_kept_once.sql"),
        effects: &[Effect::Shrinks, Effect::Remines],
    },
    Migration {
        version: 16,
        name: "0016_values_found_by_their_task.sql",
        sql: include_str!("../../../schema/0016_values_found_by_their_task.sql"),
        effects: &[Effect::Rebuilds],
    },
    Migration {
        version: 17,
        name: "0017_record_texts.sql",
        sql: include_str!("../../../schema/0017_record_texts.sql"),
        effects: &[Effect::Shrinks, Effect::Remines],
    },
    Migration {
        version: 18,
        name: "0018_chunk_lines_from_the_file.sql",
        sql: include_str!("../../../schema/0018_chunk_lines_from_the_file.sql"),
        effects: &[],
    },
    Migration {
        version: 19,
        name: "0019_population_numbers_as_reals.sql",
        sql: include_str!("../../../schema/0019_population_numbers_as_reals.sql"),
        effects: &[],
    },
    Migration {
        version: 20,
        name: "0020_tasks_by_kind_code.sql",
        sql: include_str!("../../../schema/0020_tasks_by_kind_code.sql"),
        effects: &[Effect::Rebuilds],
    },
];

/// Whether upgrading from `from` runs a migration that empties the index.
pub(crate) fn upgrade_empties(from: u32) -> bool {
    MIGRATIONS
        .iter()
        .any(|m| m.version > from && m.version <= until() && m.does(Effect::Empties))
}

/// Whether upgrading from `from` runs a migration that deletes the mined
/// commits.
pub(crate) fn upgrade_remines(from: u32) -> bool {
    MIGRATIONS
        .iter()
        .any(|m| m.version > from && m.version <= until() && m.does(Effect::Remines))
}

/// The schema version this build writes and understands.
#[must_use]
pub(crate) fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub(crate) fn user_version(conn: &Connection) -> Result<u32, StoreError> {
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(StoreError::sqlite("read the schema version"))?;
    Ok(u32::try_from(v).unwrap_or(u32::MAX))
}

/// Applies the migrations the database lacks. Consecutive migrations run
/// in one transaction with the version bump, and a migration that
/// rebuilds a table runs in one of its own, with foreign keys off: a
/// reader sees the database at one version or the next, never between two
/// migrations of a transaction, and an interrupted upgrade leaves the last
/// committed version behind, which the next open carries on from.
pub(crate) fn migrate(conn: &mut Connection, from: u32) -> Result<(), StoreError> {
    // A rebuild sorts a whole table and the vacuum after it copies the
    // whole file into a temporary database: with the connection's temporary
    // store in memory, both were held there (the kernel-sized index's
    // upgrade peaked at 960 MB). On disk while migrating, as SQLite's
    // default is; the store's setting comes back after.
    with_setting(conn, "temp_store = FILE", "temp_store = MEMORY", |conn| {
        migrate_all(conn, from)
    })
}

#[cfg(test)]
thread_local! {
    /// The last migration a test's upgrade runs: a test of an older
    /// migration's upgrade stops before a later one empties the index.
    pub(crate) static UNTIL: std::cell::Cell<u32> = const { std::cell::Cell::new(u32::MAX) };
}

/// The last migration an upgrade runs: all of them but in a test that
/// says otherwise.
fn until() -> u32 {
    #[cfg(test)]
    return UNTIL.with(std::cell::Cell::get);
    #[cfg(not(test))]
    u32::MAX
}

fn migrate_all(conn: &mut Connection, from: u32) -> Result<(), StoreError> {
    let mut from = from;
    let mut emptied = false;
    let mut rebuilt = false;
    let mut shrunk = false;
    loop {
        // Another process may have migrated between our read of the version
        // and the write lock: `run_batch` reads it again under the lock.
        let pending: Vec<&Migration> = MIGRATIONS
            .iter()
            .filter(|m| m.version > from && m.version <= until())
            .collect();
        let Some(first) = pending.first() else { break };
        let batch: Vec<&Migration> = if first.does(Effect::Rebuilds) {
            vec![first]
        } else {
            pending
                .iter()
                .take_while(|m| !m.does(Effect::Rebuilds))
                .copied()
                .collect()
        };
        let (reached, batch_emptied) = if first.does(Effect::Rebuilds) {
            with_setting(conn, "foreign_keys = OFF", "foreign_keys = ON", |conn| {
                run_batch(conn, from, &batch)
            })?
        } else {
            run_batch(conn, from, &batch)?
        };
        emptied |= batch_emptied;
        rebuilt |= first.does(Effect::Rebuilds);
        shrunk |= batch.iter().any(|m| m.does(Effect::Shrinks));
        if reached <= from {
            break;
        }
        from = reached;
    }
    if emptied || rebuilt || shrunk {
        // The emptied index's pages would stay in the file, free, until the
        // rebuild reused them: a smaller schema would not make a smaller
        // file. What is left (vectors, vocabularies) is small, so this is
        // quick. A rebuilt table left its old pages free in the same way
        // (fmt's index grew 26.0 -> 29.1 MB by the copy of its memo table);
        // that vacuum rewrites the whole file, once. If a reader holds the
        // file and it cannot run, later updates reuse the free pages, so the
        // error is not the upgrade's. A migration that shrinks the index
        // (schema 15) leaves its pages free in the same way.
        let _ = conn.execute_batch("VACUUM");
    }
    Ok(())
}

/// Runs the migrations of `batch` the database still lacks in one
/// transaction with the version bump; returns the version reached and
/// whether one of them emptied the index.
fn run_batch(
    conn: &mut Connection,
    from: u32,
    batch: &[&Migration],
) -> Result<(u32, bool), StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(StoreError::sqlite("begin the migrations"))?;
    let from = user_version(&tx)?.max(from);
    let mut reached = from;
    let mut empties = false;
    for m in batch.iter().filter(|m| m.version > from) {
        tx.execute_batch(m.sql)
            .map_err(|source| StoreError::Migration {
                name: m.name,
                source,
            })?;
        if m.does(Effect::Rebuilds) {
            // With foreign keys off nothing checked the rebuilt table's
            // references: every row must still find what it refers to.
            let dangling: bool = tx
                .prepare("PRAGMA foreign_key_check")
                .and_then(|mut s| s.exists([]))
                .map_err(|source| StoreError::Migration {
                    name: m.name,
                    source,
                })?;
            if dangling {
                return Err(StoreError::Migration {
                    name: m.name,
                    source: rusqlite::Error::SqliteFailure(
                        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
                        Some("a row refers to a task the rebuilt table lacks".to_owned()),
                    ),
                });
            }
        }
        reached = m.version;
        empties |= m.does(Effect::Empties);
    }
    if reached > from {
        tx.pragma_update(None, "user_version", reached)
            .map_err(StoreError::sqlite("record the schema version"))?;
    }
    tx.commit()
        .map_err(StoreError::sqlite("commit the migrations"))?;
    Ok((reached, empties))
}

/// Runs `f` with the connection's `PRAGMA set` (foreign keys, the
/// temporary store: settings changed only outside a transaction), then
/// `PRAGMA reset`, whatever `f` returned.
fn with_setting<T>(
    conn: &mut Connection,
    set: &'static str,
    reset: &'static str,
    f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch(&format!("PRAGMA {set}"))
        .map_err(StoreError::sqlite("change a setting for the migrations"))?;
    let out = f(conn);
    conn.execute_batch(&format!("PRAGMA {reset}"))
        .map_err(StoreError::sqlite("restore a setting after the migrations"))?;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_match_the_schema_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("schema/ exists")
            .map(|e| {
                e.expect("readable entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|n| {
                std::path::Path::new(n)
                    .extension()
                    .is_some_and(|e| e == "sql")
            })
            .collect();
        files.sort();
        let names: Vec<&str> = MIGRATIONS.iter().map(|m| m.name).collect();
        assert_eq!(
            files, names,
            "every schema/*.sql file must be listed in MIGRATIONS, in order"
        );
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }

    /// Shipped migrations are never edited: a database that already ran one
    /// would silently differ from a new one. Add a new migration instead, and
    /// pin its hash here.
    #[test]
    fn shipped_migrations_are_unchanged() {
        let pinned: &[(&str, u64)] = &[
            ("0001_init.sql", 0x1456_9256_5527_e4d5),
            ("0002_search.sql", 0x1f6e_c99b_3fc7_95d2),
            ("0003_confidence.sql", 0x0cd0_dd74_ef90_6365),
            ("0004_values_by_name.sql", 0xf315_63d6_36de_5130),
            ("0005_grouped_ids.sql", 0xffd0_473d_d298_4daf),
            ("0006_compact_text.sql", 0xd5f2_cc39_f268_d067),
            ("0007_commit_chunk_ids.sql", 0xdf97_301d_d684_4096),
            ("0008_row_counts.sql", 0xe039_846b_07be_324c),
            ("0009_value_marks.sql", 0xaaee_c96e_bfe3_90a2),
            ("0010_tasks_by_kind.sql", 0x9080_2eeb_df84_2ca5),
            ("0011_commit_attrs.sql", 0x5806_8faa_eb2b_d227),
            ("0012_values_by_name_only.sql", 0x4711_a813_9357_a3da),
            ("0013_salience_when_read.sql", 0x3cd8_dede_0edc_3843),
            ("0014_small_chunk_ids.sql", 0xb091_c7e0_9b0c_68e3),
            ("0015_commits_kept_once.sql", 0xe4fa_ec17_31b3_56b7),
            ("0016_values_found_by_their_task.sql", 0x5e90_0f73_df01_db38),
            ("0017_record_texts.sql", 0x5f64_c635_eb10_aee9),
            ("0018_chunk_lines_from_the_file.sql", 0xfb81_d1ae_9303_902b),
            (
                "0019_population_numbers_as_reals.sql",
                0x87cf_a9bc_8528_ca0d,
            ),
            ("0020_tasks_by_kind_code.sql", 0x86f1_6884_4367_00da),
        ];
        assert_eq!(pinned.len(), MIGRATIONS.len(), "pin every migration");
        for (m, (name, hash)) in MIGRATIONS.iter().zip(pinned) {
            assert_eq!(m.name, *name);
            let actual = xxhash_rust::xxh3::xxh3_64(m.sql.as_bytes());
            assert_eq!(
                actual, *hash,
                "{name} changed (hash {actual:#018x}); migrations are append-only"
            );
        }
    }
}
