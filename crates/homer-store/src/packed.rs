//! Text stored deflated where that makes it smaller: a chunk's body is
//! TEXT when short or incompressible, else a BLOB of raw deflate. SQLite's
//! own type of the column says which, so either reads back the same and
//! the `sqlite3` shell still shows the short ones as they are.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, Value, ValueRef};

/// Texts shorter than this are stored as they are (deflate gains little
/// on a line or two).
const MIN_PACKED: usize = 96;
/// The most a stored text may inflate to: a chunk is at most 40 lines of
/// 400 characters and its doc; a larger result means a damaged row.
const MAX_TEXT: usize = 16 << 20;
/// Deflate's level: 6 packs hono's chunk bodies to 45% of their size (9
/// gains nothing there, 1 a point less).
const LEVEL: u8 = 6;

/// The stored form of `text`.
pub(crate) fn pack(text: &str) -> ToSqlOutput<'_> {
    if text.len() >= MIN_PACKED
        && let Some(deflated) = deflate_smaller(text.as_bytes())
    {
        return ToSqlOutput::Owned(Value::Blob(deflated));
    }
    ToSqlOutput::Borrowed(ValueRef::Text(text.as_bytes()))
}

/// `bytes` deflated, if that is shorter. One compressor per thread, reset
/// between texts: a new one allocates and clears a few hundred KB of
/// tables, more than compressing a chunk's body costs.
fn deflate_smaller(bytes: &[u8]) -> Option<Vec<u8>> {
    use miniz_oxide::deflate::core::{
        CompressorOxide, TDEFLFlush, TDEFLStatus, compress, create_comp_flags_from_zip_params,
    };
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Box<CompressorOxide>> = std::cell::RefCell::new(
            Box::new(CompressorOxide::new(create_comp_flags_from_zip_params(LEVEL.into(), 0, 0))),
        );
    }
    COMPRESSOR.with_borrow_mut(|c| {
        c.reset();
        // Room for one byte less than the text: a result that does not fit
        // would not be kept.
        let mut out = vec![0; bytes.len().checked_sub(1)?];
        match compress(c, bytes, &mut out, TDEFLFlush::Finish) {
            (TDEFLStatus::Done, _, written) => {
                out.truncate(written);
                Some(out)
            }
            _ => None,
        }
    })
}

/// A text read back from its stored form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Unpacked(pub String);

impl FromSql for Unpacked {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let bytes = match value {
            ValueRef::Text(t) => t.to_vec(),
            ValueRef::Blob(b) => miniz_oxide::inflate::decompress_to_vec_with_limit(b, MAX_TEXT)
                .map_err(|e| FromSqlError::Other(format!("a packed text: {e}").into()))?,
            _ => return Err(FromSqlError::InvalidType),
        };
        String::from_utf8(bytes)
            .map(Unpacked)
            .map_err(|e| FromSqlError::Other(Box::new(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn round_trip(text: &str) -> (String, String) {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (v ANY) STRICT")
            .expect("table");
        conn.execute("INSERT INTO t VALUES (?1)", [pack(text)])
            .expect("insert");
        conn.query_row("SELECT typeof(v), v FROM t", [], |r| {
            Ok((r.get(0)?, r.get::<_, Unpacked>(1)?.0))
        })
        .expect("read back")
    }

    #[test]
    fn texts_read_back_as_written() {
        let code = "fn main() {\n    println!(\"hello\");\n}\n".repeat(20);
        assert_eq!(round_trip(&code), ("blob".to_owned(), code.clone()));
        assert_eq!(round_trip("short"), ("text".to_owned(), "short".to_owned()));
        assert_eq!(round_trip(""), ("text".to_owned(), String::new()));
        // Text deflate cannot shrink stays text.
        let noise: String = (0..200u32)
            .map(|i| char::from_u32(0x4e00 + (i * 7919) % 20000).expect("a CJK letter"))
            .collect();
        assert_eq!(round_trip(&noise).1, noise);
    }

    #[test]
    fn a_damaged_blob_is_an_error_not_a_panic() {
        let conn = Connection::open_in_memory().expect("open");
        let got = conn.query_row("SELECT x'deadbeef00ff'", [], |r| r.get::<_, Unpacked>(0));
        assert!(got.is_err());
        let got = conn.query_row("SELECT 42", [], |r| r.get::<_, Unpacked>(0));
        assert!(got.is_err());
    }
}
