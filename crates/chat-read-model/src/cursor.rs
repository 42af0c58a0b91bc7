//! Opaque page cursors: a position in some ordering, as a short string the client hands
//! back unchanged.
//!
//! A cursor is a kind tag and a fixed number of bytes, in lower-case hex. The tag keeps a
//! cursor of one listing from being read as another's; anything that is not exactly such
//! a string (a forged or truncated cursor) decodes to `None`, which the routes answer
//! with 400. A well-formed cursor only names a position, never a permission, so one a
//! client assembles by hand reveals nothing the caller may not read anyway.

/// The kind of listing a cursor belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum CursorKind {
    /// A user's chat list (see [`crate::chat_list`]).
    ChatList = 1,
    /// Message search results (see [`crate::search`]).
    MessageSearch = 2,
}

/// `bytes` tagged with `kind`, as hex.
#[must_use]
pub fn encode(kind: CursorKind, bytes: &[u8]) -> String {
    std::iter::once(kind as u8)
        .chain(bytes.iter().copied())
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `N` bytes of a cursor of `kind`; `None` for anything else.
#[must_use]
pub fn decode<const N: usize>(kind: CursorKind, cursor: &str) -> Option<[u8; N]> {
    let text = cursor.as_bytes();
    if text.len() != 2 * (N + 1) {
        return None;
    }
    let mut bytes = text.chunks_exact(2).map(|pair| {
        let pair = std::str::from_utf8(pair).ok()?;
        // `from_str_radix` takes a sign; a cursor never has one.
        if !pair.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u8::from_str_radix(pair, 16).ok()
    });
    if bytes.next()?? != kind as u8 {
        return None;
    }
    let mut out = [0; N];
    for slot in &mut out {
        *slot = bytes.next()??;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_decodes_to_its_bytes_only_for_its_kind() {
        let cursor = encode(CursorKind::ChatList, &[0, 1, 0xab, 0xff]);
        assert_eq!(
            decode::<4>(CursorKind::ChatList, &cursor),
            Some([0, 1, 0xab, 0xff])
        );
        assert_eq!(decode::<4>(CursorKind::MessageSearch, &cursor), None);
        assert_eq!(decode::<3>(CursorKind::ChatList, &cursor), None);
    }

    #[test]
    fn forged_cursors_decode_to_nothing() {
        for forged in ["", "zz", "01", "01+1", "01-1", "0100010ab", "01 0 0 ", "ωω"] {
            assert_eq!(
                decode::<1>(CursorKind::ChatList, forged),
                None,
                "{forged:?}"
            );
        }
    }
}
