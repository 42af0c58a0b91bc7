//! The splitter: examples of where it cuts, and properties over many generated texts.

use super::*;
use crate::limits::utf16_len;

const BUDGET: usize = 4_096;

/// Asserts what every split must hold, and returns the parts.
fn checked(text: &str, budget: usize) -> Vec<&str> {
    let parts = split(text, budget);
    assert_eq!(parts.concat(), text, "joined, the parts are the text");
    for part in &parts {
        assert!(
            utf16_len(part) <= budget.max(2),
            "a part of {} code units",
            utf16_len(part)
        );
    }
    if utf16_len(text) > budget {
        assert!(parts.iter().all(|p| !p.is_empty()), "no empty part");
    } else {
        assert_eq!(parts, [text], "a text that fits stays whole");
    }
    parts
}

#[test]
fn a_text_that_fits_is_one_part() {
    checked("", BUDGET);
    checked(&"a".repeat(BUDGET), BUDGET);
    checked(&"😀".repeat(BUDGET / 2), BUDGET);
}

#[test]
fn paragraphs_are_preferred_then_lines_then_spaces() {
    let paragraph = format!("{}\n\n", "word ".repeat(500));
    let line = format!("{}\n", "word ".repeat(300));
    let text = format!("{paragraph}{line}{}", "word ".repeat(400));
    let parts = checked(&text, 4_000);
    assert_eq!(
        parts[0], paragraph,
        "the first part ends after the blank line"
    );

    let lines = format!("{line}{line}{line}");
    let parts = checked(&lines, 4_000);
    assert!(parts[0].ends_with('\n'), "ends at a line break");

    let words = "lorem ipsum ".repeat(1_000);
    for part in &checked(&words, BUDGET)[..1] {
        assert!(
            part.ends_with(' '),
            "ends at a space: {:?}",
            &part[part.len() - 5..]
        );
    }
}

#[test]
fn a_text_without_spaces_is_cut_where_it_fills_the_part() {
    let text = "x".repeat(9_000);
    let parts = checked(&text, BUDGET);
    assert_eq!(
        parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
        [4_096, 4_096, 808]
    );
}

#[test]
fn surrogate_pairs_are_never_split() {
    // An odd budget: a pair would straddle the cut if characters were code units.
    let text = "😀".repeat(5_000);
    let parts = checked(&text, 4_095);
    assert!(parts.iter().all(|p| p.chars().all(|c| c == '😀')));
    assert_eq!(utf16_len(parts[0]), 4_094);
    let mixed = format!("a{}", "😀".repeat(5_000));
    checked(&mixed, BUDGET);
}

#[test]
fn graphemes_stay_whole() {
    let family = "👩\u{200D}👩\u{200D}👧\u{200D}👦"; // 11 code units
    let families = family.repeat(1_000);
    let parts = checked(&families, BUDGET);
    assert!(
        parts
            .iter()
            .all(|p| p.starts_with('👩') && p.ends_with('👦'))
    );

    let flags = "🇩🇪🇫🇷".repeat(1_500);
    let parts = checked(&flags, 4_001);
    assert!(
        parts.iter().all(|p| utf16_len(p).is_multiple_of(4)),
        "no flag cut in half"
    );

    let accented = "e\u{0301}".repeat(3_000);
    let parts = checked(&accented, 4_001);
    assert!(parts.iter().all(|p| p.starts_with('e')));

    let crlf = "\r\n".repeat(3_000);
    let parts = checked(&crlf, 4_001);
    assert!(parts.iter().all(|p| p.starts_with('\r')));
}

#[test]
fn a_grapheme_longer_than_a_part_is_still_cut() {
    let zalgo = format!("a{}", "\u{0301}".repeat(5_000));
    checked(&zalgo, BUDGET);
}

#[test]
fn tiny_budgets_still_make_progress() {
    checked("😀a😀", 1);
    checked("ab cd", 2);
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("small")
    }
}

/// Pieces texts are made of: words, whitespace, line breaks, other scripts, emoji,
/// joined emoji, flags, combining marks.
const PIECES: &[&str] = &[
    "word",
    " ",
    " ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "é",
    "e\u{0301}",
    "日本語",
    "😀",
    "👍🏽",
    "👩\u{200D}💻",
    "🇺🇦",
    "❤\u{FE0F}",
    "x",
    "ж",
    "\u{00A0}",
];

#[test]
fn any_text_joins_back_and_every_part_fits() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let len = rng.below(6_000);
        let text: String = (0..len).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        let budget = [1, 2, 3, 7, 100, 4_000, 4_089, BUDGET][round % 8];
        checked(&text, budget);
    }
}
