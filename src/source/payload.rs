//! CloudWatch Logs subscription payloads as Firehose or a forwarder stores
//! them: `DATA_MESSAGE` JSON (`logGroup`, `logStream`, `logEvents[]`), gzip
//! compressed, often base64-encoded one record per line, and concatenated
//! without separators by Firehose. Decoding them is inflating, so it is the
//! source's work; after it, the log scanner reads the JSON like any other (it
//! follows `logGroup`, `logStream` and `timestamp`).

use base64::Engine;
use flate2::read::MultiGzDecoder;
use std::io::Read;

/// True when the text is base64 of gzip (`H4sI…`).
pub fn is_base64_gzip(buf: &[u8]) -> bool {
    buf.trim_ascii_start().starts_with(b"H4sI")
}

/// Why a file of payloads cannot be decoded; each names the record (line) at fault.
#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error("line {line}: not base64: {source}")]
    NotBase64 { line: usize, source: base64::DecodeError },
    #[error("line {line}: not gzip data: {source}")]
    NotGzip { line: usize, source: std::io::Error },
    #[error("line {line}: the payloads decode to more than {limit} bytes")]
    TooLarge { line: usize, limit: usize },
}

/// Decodes base64 records (one per line, or one whole file) of gzip data into
/// their concatenated text, of at most `limit` bytes (a small record can
/// inflate to gigabytes).
pub fn decode(buf: &[u8], limit: usize) -> Result<Vec<u8>, PayloadError> {
    let mut out = Vec::new();
    for (i, line) in buf.split(|&c| c == b'\n').enumerate() {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        let raw = base64::engine::general_purpose::STANDARD
            .decode(line)
            .map_err(|source| PayloadError::NotBase64 { line: i + 1, source })?;
        let room = (limit - out.len()) as u64;
        MultiGzDecoder::new(&raw[..])
            .take(room + 1)
            .read_to_end(&mut out)
            .map_err(|source| PayloadError::NotGzip { line: i + 1, source })?;
        if out.len() >= limit {
            return Err(PayloadError::TooLarge { line: i + 1, limit });
        }
        out.push(b'\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    #[test]
    fn round_trip() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(br#"{"messageType":"DATA_MESSAGE"}"#).unwrap();
        let line = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        let two = format!("{line}\n{line}\n");
        assert!(is_base64_gzip(two.as_bytes()));
        let text = decode(two.as_bytes(), 1 << 20).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "{\"messageType\":\"DATA_MESSAGE\"}\n{\"messageType\":\"DATA_MESSAGE\"}\n"
        );
        assert!(decode(b"H4sI!!\n", 1 << 20).unwrap_err().to_string().starts_with("line 1: not base64"));
        // A record that inflates past the limit stops the file, however small it is.
        let mut gz = GzEncoder::new(Vec::new(), Compression::best());
        gz.write_all(&vec![b'x'; 1 << 20]).unwrap();
        let bomb = base64::engine::general_purpose::STANDARD.encode(gz.finish().unwrap());
        assert!(bomb.len() < 4096);
        let err = decode(bomb.as_bytes(), 1 << 16).unwrap_err();
        assert_eq!(err.to_string(), "line 1: the payloads decode to more than 65536 bytes");
    }
}
