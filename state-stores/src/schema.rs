//! Kafka Streams' byte layouts of window and session store keys, which are
//! also their changelog keys, so Java consumers can read our changelogs.
//!
//! - window: `key ++ window start (8 bytes, big-endian) ++ sequence number (4 bytes)`
//! - session: `key ++ session end (8 bytes) ++ session start (8 bytes)`

/// The stored key of `key`'s window starting at `start`, with sequence `seq`
/// (0 unless duplicates are retained).
pub fn window_key(key: &[u8], start: i64, seq: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + 12);
    out.extend_from_slice(key);
    out.extend_from_slice(&start.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    out
}

/// Splits a stored window key into key bytes, window start and sequence.
pub fn split_window_key(stored: &[u8]) -> Option<(&[u8], i64, u32)> {
    let n = stored.len().checked_sub(12)?;
    let (key, rest) = stored.split_at(n);
    let start = i64::from_be_bytes(rest[..8].try_into().ok()?);
    let seq = u32::from_be_bytes(rest[8..].try_into().ok()?);
    Some((key, start, seq))
}

/// The stored key of `key`'s session `[start, end]`.
pub fn session_key(key: &[u8], start: i64, end: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() + 16);
    out.extend_from_slice(key);
    out.extend_from_slice(&end.to_be_bytes());
    out.extend_from_slice(&start.to_be_bytes());
    out
}

/// Splits a stored session key into key bytes, start and end.
pub fn split_session_key(stored: &[u8]) -> Option<(&[u8], i64, i64)> {
    let n = stored.len().checked_sub(16)?;
    let (key, rest) = stored.split_at(n);
    let end = i64::from_be_bytes(rest[..8].try_into().ok()?);
    let start = i64::from_be_bytes(rest[8..].try_into().ok()?);
    Some((key, start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_round_trip() {
        let w = window_key(b"k", 0x0102, 7);
        assert_eq!(w, [b'k', 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 7]);
        assert_eq!(split_window_key(&w), Some((&b"k"[..], 0x0102, 7)));
        let s = session_key(b"k", 5, 9);
        assert_eq!(&s[1..9], &9i64.to_be_bytes());
        assert_eq!(split_session_key(&s), Some((&b"k"[..], 5, 9)));
        assert_eq!(split_window_key(b"short"), None);
        assert_eq!(split_session_key(b"short"), None);
    }
}
