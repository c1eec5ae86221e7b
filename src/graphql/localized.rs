//! Multilingual text as a portal reads it: every stored language at once (`names`), and
//! which language a `name(lang:)` answer is really in (`nameLanguage(lang:)`), so a page in
//! Swedish can mark a Finnish fallback with `lang="fi"` or show the Swedish name when one
//! exists.

use async_graphql::SimpleObject;

/// A text in the three languages: Finnish is always present; Swedish and English are null
/// where no text in that language is stored (no Finnish fallback here).
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct LocalizedText {
    /// Finnish (suomi).
    pub fi: String,
    /// Swedish (svenska), or null when missing.
    pub sv: Option<String>,
    /// English, or null when missing.
    pub en: Option<String>,
}

impl LocalizedText {
    /// The stored texts, blank ones read as missing (as `name(lang:)` reads them).
    pub fn new(fi: &str, sv: Option<&str>, en: Option<&str>) -> Self {
        let present = |text: Option<&str>| text.filter(|t| !t.is_empty()).map(str::to_owned);
        Self {
            fi: fi.to_owned(),
            sv: present(sv),
            en: present(en),
        }
    }
}
