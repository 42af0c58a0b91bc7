//! Splitting a text too long for one Telegram message into parts that each fit.
//!
//! The parts are consecutive slices of the text: joined, they are the text again, with
//! no character lost, added or repeated (the whitespace at a cut stays at the end of the
//! part before it). A part ends, in order of preference, after a blank line, after a
//! line break, after other whitespace, or where no character sequence is broken: never
//! inside a character (so never between the two halves of a UTF-16 surrogate pair), and
//! not inside a grapheme as far as cheap rules tell (combining marks, joiners, variation
//! selectors, emoji modifiers and tags, flag pairs, CRLF). A preferred boundary is taken
//! only in the second half of what fits, so no part is needlessly short.

/// Zero width joiner: glues emoji into one picture (👩‍💻).
const ZWJ: char = '\u{200D}';

/// How far back a cut may move to keep a grapheme whole; a longer grapheme (thousands
/// of stacked combining marks) is cut anyway.
const MAX_GRAPHEME_BACKOFF: usize = 32;

/// `text` in consecutive parts of at most `budget` UTF-16 code units each (one part when
/// it fits; a `budget` under 2 counts as 2, what the widest character needs).
#[must_use]
pub fn split(text: &str, budget: usize) -> Vec<&str> {
    let budget = budget.max(2);
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let fits = longest_prefix(rest, budget);
        if fits == rest.len() {
            parts.push(rest);
            return parts;
        }
        let (part, tail) = rest.split_at(cut(rest, fits));
        parts.push(part);
        rest = tail;
    }
}

/// Where the first part of `text` ends when its first `fits` bytes are what fits: a
/// byte index at a character boundary, above 0.
fn cut(text: &str, fits: usize) -> usize {
    let window = &text[..fits];
    let preferred = [
        window.rfind("\n\n").map(|i| i + 2),
        window.rfind('\n').map(|i| i + 1),
    ]
    .into_iter()
    .chain([window
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, c)| i + c.len_utf8())]);
    preferred
        .flatten()
        .find(|&at| at > fits / 2)
        .unwrap_or_else(|| keep_grapheme(text, fits))
}

/// The byte length of the longest prefix of `text` within `budget` UTF-16 code units.
fn longest_prefix(text: &str, budget: usize) -> usize {
    let mut units = 0;
    for (at, c) in text.char_indices() {
        units += c.len_utf16();
        if units > budget {
            return at;
        }
    }
    text.len()
}

/// `at`, or the nearest boundary before it that does not break a grapheme (`at` itself
/// when none is near).
fn keep_grapheme(text: &str, at: usize) -> usize {
    let mut cut = at;
    for _ in 0..MAX_GRAPHEME_BACKOFF {
        if !breaks_grapheme(text, cut) {
            return cut;
        }
        match text[..cut].char_indices().next_back() {
            Some((before, _)) if before > 0 => cut = before,
            _ => return at,
        }
    }
    at
}

/// Whether cutting `text` at byte `at` splits what reads as one character.
fn breaks_grapheme(text: &str, at: usize) -> bool {
    let (Some(before), Some(after)) = (text[..at].chars().next_back(), text[at..].chars().next())
    else {
        return false;
    };
    if before == '\r' && after == '\n' || before == ZWJ || extends(after) {
        return true;
    }
    // Flags are pairs of regional indicators: a cut after an odd count splits one.
    regional_indicator(before)
        && regional_indicator(after)
        && text[..at]
            .chars()
            .rev()
            .take_while(|c| regional_indicator(*c))
            .count()
            % 2
            == 1
}

/// Characters that attach to the one before them.
fn extends(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'       // combining diacritical marks
        | '\u{0483}'..='\u{0489}'     // Cyrillic combining marks
        | '\u{0591}'..='\u{05C7}'     // Hebrew points
        | '\u{064B}'..='\u{065F}'     // Arabic harakat
        | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' // Devanagari signs
        | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}' | ZWJ            // joiners
        | '\u{20D0}'..='\u{20FF}'     // combining marks for symbols (keycaps)
        | '\u{FE00}'..='\u{FE0F}'     // variation selectors
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{1F3FB}'..='\u{1F3FF}'   // skin tones
        | '\u{E0020}'..='\u{E007F}'   // emoji tag sequences
        | '\u{E0100}'..='\u{E01EF}')
}

const fn regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

#[cfg(test)]
#[path = "split_tests.rs"]
mod tests;
