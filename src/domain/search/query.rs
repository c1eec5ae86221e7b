//! A free-text query resolved against the index's vocabulary, written in each engine's
//! query language: an FTS5 `MATCH` expression (SQLite) or a `tsquery` (PostgreSQL).

use super::text::stem;

/// How one word of the query is matched. Every word must match (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordMatch {
    /// Indexed words starting with `stem`, the query word without its last letters, so
    /// that other forms of the word match ("kuopion" is matched by "kuop…": Kuopio). Rows
    /// holding one of the `base` words rank higher: the shortest indexed words with the
    /// stem, most likely the base form ("kuopion" finds Kuopio before "Kuopion …", "borga"
    /// Borgå before Borgnäs); for a word not looked up in the vocabulary, the word itself.
    Prefix { stem: String, base: Vec<String> },
    /// The word was not in the index: any of these indexed words within its typo distance.
    Corrected(Vec<String>),
}

impl WordMatch {
    /// The prefix match of a normalised query word.
    pub fn prefix(word: &str) -> WordMatch {
        WordMatch::Prefix {
            stem: stem(word),
            base: vec![word.to_owned()],
        }
    }
}

/// A query every word of which the index knows, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextQuery {
    pub words: Vec<WordMatch>,
}

impl TextQuery {
    /// The FTS5 `MATCH` expression. Words are alphanumeric after normalisation, and are
    /// quoted all the same, so nothing in them is read as FTS5 syntax.
    pub fn fts5(&self) -> String {
        self.join(" AND ", |word| match word {
            WordMatch::Prefix { stem, base } => {
                let base: Vec<String> = base.iter().map(|b| format!(" OR \"{b}\"")).collect();
                format!("(\"{stem}\"*{})", base.concat())
            }
            WordMatch::Corrected(terms) => alternatives(terms, " OR ", |t| format!("\"{t}\"")),
        })
    }

    /// The `tsquery` text for `to_tsquery('simple', …)`.
    pub fn tsquery(&self) -> String {
        self.join(" & ", |word| match word {
            WordMatch::Prefix { stem, base } => {
                let base: Vec<String> = base.iter().map(|b| format!(" | {b}")).collect();
                format!("({stem}:*{})", base.concat())
            }
            WordMatch::Corrected(terms) => alternatives(terms, " | ", |t| t.clone()),
        })
    }

    fn join(&self, and: &str, one: impl Fn(&WordMatch) -> String) -> String {
        self.words.iter().map(one).collect::<Vec<_>>().join(and)
    }
}

fn alternatives(terms: &[String], or: &str, one: impl Fn(&String) -> String) -> String {
    format!("({})", terms.iter().map(one).collect::<Vec<_>>().join(or))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query() -> TextQuery {
        TextQuery {
            words: vec![
                WordMatch::prefix("kuopion"),
                WordMatch::Corrected(vec!["kaupunki".into(), "kaupungin".into()]),
            ],
        }
    }

    #[test]
    fn fts5_expressions_quote_every_word() {
        assert_eq!(
            query().fts5(),
            r#"("kuop"* OR "kuopion") AND ("kaupunki" OR "kaupungin")"#
        );
    }

    #[test]
    fn tsqueries_use_prefix_lexemes() {
        assert_eq!(
            query().tsquery(),
            "(kuop:* | kuopion) & (kaupunki | kaupungin)"
        );
    }
}
