//! The totals the text index ranks by, kept true when chunks are deleted.
//!
//! BM25 divides by the number of documents and each column's average
//! length, which FTS5 keeps in one record of its data table (the
//! "averages" record, rowid 1: the row count, then each column's token
//! count, as varints). An index with `contentless_delete = 1` tombstones a
//! deleted row without taking it out of these totals (SQLite 3.53's
//! `fts5StorageContentlessDelete` never touches them), so an index that
//! was updated ranked against totals that still counted every chunk it
//! ever held, and answered a search differently from one built at once
//! (hono, 40 commits on: 8,982 documents counted for 8,599 held).
//!
//! Each deleted row's column sizes are still in `chunk_text_docsize` until
//! FTS5 deletes it, so the writer takes them out of the record itself,
//! before FTS5 first reads the totals in the transaction: FTS5 caches the
//! totals from its first write on and writes them back when the
//! transaction commits, so a correction made after that would be lost.

use rusqlite::{Connection, OptionalExtension};

use crate::{Result, StoreError};

/// The rowid of the averages record in `chunk_text_data`.
const AVERAGES: i64 = 1;

/// Takes the chunks queued for deletion out of the text index's totals.
/// Call before anything is written to `chunk_text` in the transaction.
pub(crate) fn subtract_deleted(conn: &Connection) -> Result<()> {
    let sql = || StoreError::sqlite("correct the text index's totals");
    let sizes: Vec<Vec<u8>> = conn
        .prepare_cached(
            "SELECT sz FROM chunk_text_docsize WHERE id IN
                 (SELECT id FROM chunk_text_pending WHERE op = 'delete')",
        )
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(sql())?;
    if sizes.is_empty() {
        return Ok(());
    }
    let record: Option<Vec<u8>> = conn
        .prepare_cached("SELECT block FROM chunk_text_data WHERE id = ?1")
        .and_then(|mut s| s.query_row([AVERAGES], |r| r.get(0)).optional())
        .map_err(sql())?;
    let Some(record) = record else {
        return Ok(());
    };
    let mut totals = decode(&record);
    let Some((rows, columns)) = totals.split_first_mut() else {
        return Ok(());
    };
    for size in &sizes {
        *rows = rows.saturating_sub(1);
        for (total, n) in columns.iter_mut().zip(decode(size)) {
            *total = total.saturating_sub(n);
        }
    }
    conn.prepare_cached("UPDATE chunk_text_data SET block = ?2 WHERE id = ?1")
        .and_then(|mut s| s.execute(rusqlite::params![AVERAGES, encode(&totals)]))
        .map_err(sql())?;
    Ok(())
}

/// The row count and column totals as FTS5 reads them (for the dump).
pub(crate) fn totals(conn: &Connection) -> Result<Vec<u64>> {
    let record: Option<Vec<u8>> = conn
        .query_row(
            "SELECT block FROM chunk_text_data WHERE id = ?1",
            [AVERAGES],
            |r| r.get(0),
        )
        .optional()
        .map_err(StoreError::sqlite("read the text index's totals"))?;
    Ok(record.map(|r| decode(&r)).unwrap_or_default())
}

/// SQLite's varints, one after another: big-endian groups of seven bits,
/// a set high bit saying another byte follows, the ninth byte whole.
fn decode(mut bytes: &[u8]) -> Vec<u64> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let mut v: u64 = 0;
        let mut used = 0;
        for (i, &b) in bytes.iter().enumerate().take(9) {
            used = i + 1;
            if i == 8 {
                v = (v << 8) | u64::from(b);
                break;
            }
            v = (v << 7) | u64::from(b & 0x7f);
            if b & 0x80 == 0 {
                break;
            }
        }
        out.push(v);
        bytes = &bytes[used..];
    }
    out
}

#[allow(clippy::cast_possible_truncation, reason = "each byte is masked first")]
fn encode(values: &[u64]) -> Vec<u8> {
    let mut out = Vec::new();
    for &v in values {
        if v > 0x00ff_ffff_ffff_ffff {
            // Nine bytes: eight of seven bits, the last of eight.
            let mut bytes = [0u8; 9];
            bytes[8] = (v & 0xff) as u8;
            let mut rest = v >> 8;
            for b in bytes[..8].iter_mut().rev() {
                *b = ((rest & 0x7f) as u8) | 0x80;
                rest >>= 7;
            }
            out.extend_from_slice(&bytes);
            continue;
        }
        let mut groups = vec![(v & 0x7f) as u8];
        let mut rest = v >> 7;
        while rest > 0 {
            groups.push((rest & 0x7f) as u8 | 0x80);
            rest >>= 7;
        }
        out.extend(groups.iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_read_back_as_written() {
        let values = [
            0,
            1,
            127,
            128,
            8599,
            16_383,
            16_384,
            1 << 40,
            0x00ff_ffff_ffff_ffff,
            0x0100_0000_0000_0000,
            u64::MAX,
        ];
        assert_eq!(decode(&encode(&values)), values);
        // As SQLite writes them (read off an index: 8,982 rows).
        assert_eq!(encode(&[8982]), [0xc6, 0x16]);
        assert_eq!(decode(&[0xc3, 0x17, 0x82, 0xae, 0x61]), [8599, 38_753]);
    }

    /// The bug this module works around, and the workaround: after a
    /// delete, the totals equal those of a table that never held the row.
    #[test]
    fn deleted_rows_leave_the_totals_as_if_never_written() {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(
            "CREATE VIRTUAL TABLE chunk_text USING fts5 (
                 title, body, words, content = '', contentless_delete = 1);
             CREATE TABLE chunk_text_pending (op TEXT, id INTEGER);
             INSERT INTO chunk_text (rowid, title, body, words)
                 VALUES (1, 'a b', 'c d e', ''), (2, 'f', 'g h', 'i j k l');",
        )
        .expect("sql");
        assert_eq!(totals(&conn).expect("totals"), [2, 3, 5, 4]);
        conn.execute_batch("DELETE FROM chunk_text WHERE rowid = 2")
            .expect("sql");
        // FTS5 alone: the row is gone, its sizes are not.
        assert_eq!(totals(&conn).expect("totals"), [2, 3, 5, 4]);

        conn.execute_batch(
            "INSERT INTO chunk_text_pending VALUES ('delete', 1), ('delete', 7);
             BEGIN;",
        )
        .expect("sql");
        subtract_deleted(&conn).expect("subtract");
        conn.execute_batch(
            "DELETE FROM chunk_text WHERE rowid IN (SELECT id FROM chunk_text_pending);
             INSERT INTO chunk_text (rowid, title, body, words) VALUES (3, 'x', 'y', 'z w');
             COMMIT;",
        )
        .expect("sql");
        // Row 2's sizes were lost before the correction existed; row 1's
        // are taken out, row 3's added, and the commit keeps it so.
        assert_eq!(totals(&conn).expect("totals"), [1 + 1, 1 + 1, 2 + 1, 4 + 2]);
    }
}
