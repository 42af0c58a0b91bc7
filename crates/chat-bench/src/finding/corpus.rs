//! The texts of the finding benchmark: deterministic messages of Russian-looking and
//! English-looking words, with word frequencies that fall off like a language's (a few
//! words everywhere, most words rare), and the queries asked of them.

/// How many distinct words the messages use.
const VOCABULARY: u64 = 20_000;

/// Words per message.
const WORDS: usize = 12;

/// Syllables of the Cyrillic words (even ranks) and of the Latin ones (odd ranks).
const CYRILLIC: [&str; 16] = [
    "ка", "ро", "ми", "ле", "ту", "на", "со", "бо", "ви", "да", "же", "пу", "ре", "ло", "ны", "ша",
];
const LATIN: [&str; 16] = [
    "ka", "ro", "mi", "le", "tu", "na", "so", "bo", "vi", "da", "je", "pu", "re", "lo", "ny", "sh",
];

/// A small deterministic generator (64-bit LCG): the same seed, the same corpus.
#[derive(Debug, Clone)]
pub struct Corpus {
    state: u64,
}

impl Corpus {
    /// A corpus from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.state >> 11
    }

    /// A uniform number in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        // `next` has 53 random bits: exactly representable.
        self.next() as f64 / (1_u64 << 53) as f64
    }

    /// A word rank drawn log-uniformly from `1..=VOCABULARY` (rank 1 is the most frequent).
    fn rank(&mut self) -> u64 {
        let rank = (VOCABULARY as f64).powf(self.unit()) as u64;
        rank.clamp(1, VOCABULARY)
    }

    /// The next message's text.
    pub fn message(&mut self) -> String {
        let words: Vec<String> = (0..WORDS).map(|_| word(self.rank())).collect();
        words.join(" ")
    }

    /// A query for a word of rank `from..to`, uniformly (a user looks for a word that
    /// tells messages apart, not for the commonest ones).
    pub fn query(&mut self, from: u64, to: u64) -> String {
        let span = to.saturating_sub(from).max(1);
        word(from + self.next() % span)
    }
}

/// The word of `rank`: its syllables spell the rank in base 16, Cyrillic for even ranks,
/// Latin for odd ones.
pub fn word(rank: u64) -> String {
    let syllables = if rank.is_multiple_of(2) {
        &CYRILLIC
    } else {
        &LATIN
    };
    let mut n = rank;
    let mut out = String::new();
    // At least two syllables, so no word is a stop word or a single letter.
    for _ in 0..2 {
        out.push_str(syllables[(n % 16) as usize]);
        n /= 16;
    }
    while n > 0 {
        out.push_str(syllables[(n % 16) as usize]);
        n /= 16;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_deterministic_and_its_words_distinct() {
        assert_eq!(Corpus::new(1).message(), Corpus::new(1).message());
        let words: std::collections::HashSet<String> = (1..=VOCABULARY).map(word).collect();
        assert_eq!(words.len() as u64, VOCABULARY);
    }
}
