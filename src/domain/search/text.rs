//! Text normalisation for search: case- and accent-insensitive (ä = a, ö = o, é = e), with
//! Finnish inflection tolerated by matching word prefixes ("kuopion" finds "Kuopio").

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

/// LIKE patterns for a free-text query, one per word, all of which must match. Words are
/// alphanumeric after normalisation, so they never contain LIKE wildcards.
pub fn like_patterns(query: &str) -> Vec<String> {
    words(query)
        .iter()
        .map(|word| format!("% {}%", stem(word)))
        .collect()
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
    fn like_patterns_match_word_starts() {
        assert_eq!(
            like_patterns("Kuopion kaupunki"),
            vec!["% kuop%", "% kaupu%"]
        );
        assert!(like_patterns("  --  ").is_empty());
        assert_eq!(like_patterns("100%_"), vec!["% 100%"]);
    }
}
