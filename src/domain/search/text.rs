//! Text normalisation for search: case- and accent-insensitive (ä = a, ö = o, å = a, é = e),
//! with Finnish inflection tolerated by matching word prefixes ("kuopion" finds "Kuopio") and
//! typos by edit distance ("kupio" finds "Kuopio").

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases `text`, strips diacritics and splits it into alphanumeric words.
pub fn words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().map(str::to_owned).collect()
}

/// The stored search column for the given texts: normalised words separated by single
/// spaces, with a space at both ends so a word prefix is always preceded by one.
pub fn search_column<'a>(texts: impl IntoIterator<Item = Option<&'a str>>) -> String {
    let mut out = String::from(" ");
    for text in texts.into_iter().flatten() {
        for word in words(text) {
            out.push_str(&word);
            out.push(' ');
        }
    }
    out
}

/// The prefix a query word is matched by: Finnish case endings are at most a few letters,
/// so the last three letters are dropped from long words, keeping at least four.
pub fn stem(word: &str) -> String {
    let len = word.chars().count();
    let keep = if len <= 4 { len } else { (len - 3).max(4) };
    word.chars().take(keep).collect()
}

/// Whether `word` may be corrected: a word of at least four letters. Numbers and codes are
/// never corrected, and short words are too close to too many others.
pub fn correctable(word: &str) -> bool {
    word.chars().count() >= 4 && word.chars().all(char::is_alphabetic)
}

/// Edits forgiven in a word of `len` letters: one up to seven letters, two from eight.
pub fn typos_forgiven(len: usize) -> usize {
    if len >= 8 { 2 } else { 1 }
}

/// Whether the indexed word `term` is within the forgiven number of edits of the query word
/// `word` (insertions, deletions, substitutions and swaps of neighbours each count one).
pub fn is_typo_of(word: &str, term: &str) -> bool {
    let len = word.chars().count();
    let limit = typos_forgiven(len);
    len.abs_diff(term.chars().count()) <= limit && strsim::damerau_levenshtein(word, term) <= limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_finnish_letters() {
        assert_eq!(words("Siilinjärvi"), vec!["siilinjarvi"]);
        assert_eq!(
            words("Pohjois-Savon hyvinvointialue"),
            vec!["pohjois", "savon", "hyvinvointialue"]
        );
        assert_eq!(words("Åbo ÖSTERBOTTEN"), vec!["abo", "osterbotten"]);
    }

    #[test]
    fn search_column_has_spaces_around_every_word() {
        assert_eq!(
            search_column([Some("Kuopio"), None, Some("297")]),
            " kuopio 297 "
        );
    }

    #[test]
    fn stems_tolerate_case_endings() {
        assert_eq!(stem("kuopion"), "kuop");
        assert_eq!(stem("siilinjarvi"), "siilinja");
        assert_eq!(stem("hyte"), "hyte");
        assert_eq!(stem("te"), "te");
        assert_eq!(stem("varkauden"), "varkau");
        assert!(" varkaus ".contains(&stem("varkauden")));
    }

    #[test]
    fn one_typo_is_forgiven_in_short_words_and_two_in_long_ones() {
        assert!(is_typo_of("kupio", "kuopio"));
        assert!(is_typo_of("kuopoi", "kuopio"));
        assert!(!is_typo_of("kpoi", "kuopio"));
        assert!(is_typo_of("siilinjarv", "siilinjarvi"));
        assert!(is_typo_of("silinjarv", "siilinjarvi"));
        assert!(!is_typo_of("kuopio", "kuopion kaupunki"));
    }

    #[test]
    fn only_words_of_four_letters_are_corrected() {
        assert!(correctable("kupio"));
        assert!(!correctable("hyt"));
        assert!(!correctable("297"));
        assert!(!correctable("a1b2"));
    }
}
