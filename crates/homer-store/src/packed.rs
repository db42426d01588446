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

/// Values shorter than this are stored as they are.
const MIN_PACKED_VALUE: usize = 256;
/// The most a stored value may inflate to.
const MAX_VALUE: usize = 1 << 30;

/// The stored form of a task's value, and whether it is deflated: when
/// that saves at least an eighth.
pub(crate) fn pack_value(value: &[u8]) -> (std::borrow::Cow<'_, [u8]>, bool) {
    if value.len() >= MIN_PACKED_VALUE
        && let Some(deflated) = deflate_smaller(value)
        && deflated.len() <= value.len() - value.len() / 8
    {
        return (std::borrow::Cow::Owned(deflated), true);
    }
    (std::borrow::Cow::Borrowed(value), false)
}

/// A task's value from its stored form.
pub(crate) fn unpack_value(stored: Vec<u8>, packed: bool) -> Result<Vec<u8>, String> {
    if !packed {
        return Ok(stored);
    }
    let mut out = Vec::new();
    inflate_onto(&stored, &mut out, MAX_VALUE)?;
    Ok(out)
}

/// A task's value from its stored form, added to the end of `out`.
pub(crate) fn unpack_value_onto(
    stored: &[u8],
    packed: bool,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    if packed {
        inflate_onto(stored, out, MAX_VALUE)
    } else {
        out.extend_from_slice(stored);
        Ok(())
    }
}

/// Inflates raw-deflated `stored` (at most `limit` bytes of it) onto the
/// end of `out`. One decompressor per thread, reset between values, with
/// its output buffer: a new one is 11 KB to allocate and clear, which cost
/// more than inflating most values (an update reads every commit's record,
/// 50,000 of them on the synthetic repository).
fn inflate_onto(stored: &[u8], out: &mut Vec<u8>, limit: usize) -> Result<(), String> {
    use miniz_oxide::inflate::TINFLStatus;
    use miniz_oxide::inflate::core::inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    use miniz_oxide::inflate::core::{DecompressorOxide, decompress};
    thread_local! {
        static INFLATER: std::cell::RefCell<(Box<DecompressorOxide>, Vec<u8>)> =
            std::cell::RefCell::new((Box::default(), Vec::new()));
    }
    INFLATER.with_borrow_mut(|(inflater, buffer)| {
        inflater.init();
        buffer.clear();
        buffer.resize(stored.len().saturating_mul(4).clamp(64, limit.max(1)), 0);
        let (mut input, mut written) = (stored, 0);
        loop {
            let (status, read, wrote) = decompress(
                inflater,
                input,
                buffer,
                written,
                TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
            );
            written += wrote;
            match status {
                TINFLStatus::Done => {
                    out.extend_from_slice(&buffer[..written]);
                    return Ok(());
                }
                TINFLStatus::HasMoreOutput if buffer.len() < limit => {
                    input = input.get(read..).unwrap_or_default();
                    let grown = buffer.len().saturating_mul(2).min(limit);
                    buffer.resize(grown, 0);
                }
                status => return Err(format!("a packed task value does not inflate: {status:?}")),
            }
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

    /// One inflater serves every value of a thread: values that inflate to
    /// many times their stored size (the buffer grows), several in a row
    /// onto one buffer, and a damaged or cut value is an error.
    #[test]
    fn values_inflate_one_after_another() {
        let repetitive: Vec<u8> = b"a".repeat(100_000);
        let varied: Vec<u8> = (0..5_000u64)
            .flat_map(|i| {
                format!("{i}:{}\n", i.wrapping_mul(2_654_435_761) % 1_000_003).into_bytes()
            })
            .collect();
        let mut out = b"before".to_vec();
        for value in [&repetitive, &varied, &repetitive] {
            let (stored, packed) = pack_value(value);
            assert!(packed, "deflate shrinks each");
            unpack_value_onto(&stored, packed, &mut out).expect("inflates");
        }
        let expected: Vec<u8> = [&b"before"[..], &repetitive, &varied, &repetitive].concat();
        assert!(
            out == expected,
            "the values, in order, after what was there"
        );
        let (stored, _) = pack_value(&varied);
        let cut = &stored[..stored.len() / 2];
        assert!(unpack_value(cut.to_vec(), true).is_err(), "a cut value");
        assert!(unpack_value(vec![0xff; 40], true).is_err(), "not deflate");
        // The inflater recovers from a failure.
        assert_eq!(unpack_value(stored.into_owned(), true), Ok(varied));
    }

    #[test]
    fn values_read_back_as_written() {
        let long: Vec<u8> = b"signature doc comment name ".repeat(40);
        let (stored, packed) = pack_value(&long);
        assert!(packed && stored.len() < long.len() / 2);
        assert_eq!(unpack_value(stored.into_owned(), true), Ok(long));
        let short = b"short".to_vec();
        assert_eq!(
            pack_value(&short),
            (std::borrow::Cow::Borrowed(&short[..]), false)
        );
        assert_eq!(unpack_value(short.clone(), false), Ok(short));
        assert!(unpack_value(vec![0xde, 0xad, 0xbe, 0xef, 0, 0xff], true).is_err());
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
