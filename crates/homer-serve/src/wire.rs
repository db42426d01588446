//! The lines between the client and rmcp, checked on the way in.
//!
//! rmcp answers a request it cannot read with an Invalid Request error
//! that carries no id, as JSON-RPC allows when the id cannot be told; but
//! when the id can be told (`{"id": 9, "method": "tools/call", "params":
//! 5}`) a client waits for an answer to 9 that never comes. Such a line is
//! answered here, with its id, and not passed on. Text that is not JSON
//! has no id to answer; it goes on to rmcp, which ignores it as the other
//! official MCP SDKs do. Everything else passes through unchanged.

use rmcp::model::{ClientJsonRpcMessage, ErrorCode, ErrorData, RequestId, ServerJsonRpcMessage};
use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// Bytes the pipes between this layer and rmcp hold.
const PIPE: usize = 64 * 1024;
/// A longer line is dropped as it is read, never held whole (no request
/// of Homer's needs a tenth of it).
const MAX_LINE: usize = 16 * 1024 * 1024;

/// A transport for rmcp over `input` and `output` whose incoming lines are
/// checked first.
pub(crate) fn checked<R, W>(
    input: R,
    output: W,
) -> (tokio::io::DuplexStream, tokio::io::DuplexStream)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (rmcp_in, mut to_rmcp) = tokio::io::duplex(PIPE);
    let (rmcp_out, from_rmcp) = tokio::io::duplex(PIPE);
    let (errors, mut queued) = mpsc::unbounded_channel::<String>();
    // Client to rmcp.
    tokio::spawn(async move {
        let mut input = BufReader::new(input);
        let mut line = Vec::new();
        loop {
            match read_line(&mut input, &mut line).await {
                Ok(Line::End) | Err(_) => break,
                Ok(Line::TooLong) => continue,
                Ok(Line::Read) => {}
            }
            if let Some(reply) = std::str::from_utf8(&line).ok().and_then(refusal) {
                if errors.send(reply).is_err() {
                    break;
                }
                continue;
            }
            line.push(b'\n');
            if to_rmcp.write_all(&line).await.is_err() {
                break;
            }
        }
        // The client closed its end: so does rmcp's input.
        let _ = to_rmcp.shutdown().await;
    });
    // rmcp and the refusals to the client, a whole line at a time.
    tokio::spawn(async move {
        let mut output = output;
        let mut lines = BufReader::new(from_rmcp).lines();
        loop {
            let line = tokio::select! {
                line = lines.next_line() => match line {
                    Ok(Some(line)) => line,
                    _ => break,
                },
                Some(reply) = queued.recv() => reply,
            };
            let mut framed = line.into_bytes();
            framed.push(b'\n');
            if output.write_all(&framed).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });
    (rmcp_in, rmcp_out)
}

enum Line {
    Read,
    TooLong,
    End,
}

/// Reads one line into `line` (without its end), dropping one longer than
/// `MAX_LINE` as it goes.
async fn read_line<R: AsyncBufRead + Unpin>(
    input: &mut R,
    line: &mut Vec<u8>,
) -> std::io::Result<Line> {
    line.clear();
    let mut too_long = false;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            // The end: a last line without its newline still counts.
            return Ok(if line.is_empty() || too_long {
                Line::End
            } else {
                Line::Read
            });
        }
        let (chunk, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (&available[..i], Some(i + 1)),
            None => (available, None),
        };
        if !too_long {
            line.extend_from_slice(chunk);
            if line.len() > MAX_LINE {
                too_long = true;
                line.clear();
                line.shrink_to(4096);
            }
        }
        let used = done.unwrap_or(available.len());
        input.consume(used);
        if done.is_some() {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(if too_long { Line::TooLong } else { Line::Read });
        }
    }
}

/// The error reply for a request whose id can be read but whose message
/// rmcp cannot; `None` for every other line.
fn refusal(line: &str) -> Option<String> {
    let value: Value = serde_json::from_str(line).ok()?;
    let id = value.get("id")?;
    let id: RequestId = serde_json::from_value(id.clone()).ok()?;
    value.get("method")?;
    let problem = serde_json::from_value::<ClientJsonRpcMessage>(value.clone()).err()?;
    let error = ErrorData::new(
        ErrorCode::INVALID_REQUEST,
        format!("invalid request: {problem}"),
        None,
    );
    serde_json::to_string(&ServerJsonRpcMessage::error(error, Some(id))).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn lines_are_read_whole_and_an_overlong_one_is_dropped() {
        let mut text = b"one\r\n".to_vec();
        text.extend(std::iter::repeat_n(b'x', MAX_LINE + 10));
        text.extend_from_slice(b"\n\xff\xfe not utf-8\nlast");
        let mut input = BufReader::with_capacity(1000, &text[..]);
        let mut line = Vec::new();
        let mut seen = Vec::new();
        loop {
            match read_line(&mut input, &mut line).await.expect("read") {
                Line::End => break,
                Line::TooLong => seen.push("(too long)".to_owned()),
                Line::Read => seen.push(String::from_utf8_lossy(&line).into_owned()),
            }
        }
        assert_eq!(
            seen,
            ["one", "(too long)", "\u{fffd}\u{fffd} not utf-8", "last"]
        );
    }

    #[test]
    fn a_request_with_an_id_that_rmcp_cannot_read_is_answered_with_its_id() {
        let reply = refusal(r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":5}"#)
            .expect("a refusal");
        let reply: Value = serde_json::from_str(&reply).expect("json");
        assert_eq!(reply["id"], 9);
        assert_eq!(reply["error"]["code"], -32600);
        let reply = refusal(r#"{"jsonrpc":"2.0","id":"a","method":"initialize","params":[]}"#)
            .expect("a refusal");
        assert!(reply.contains(r#""id":"a""#), "{reply}");
    }

    #[test]
    fn everything_else_passes() {
        for line in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"no/such/method"}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"nope"}}"#,
            "not json",
            "[1,2]",
            "{}",
        ] {
            assert_eq!(refusal(line), None, "{line}");
        }
    }
}
