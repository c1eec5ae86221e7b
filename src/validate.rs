//! Validation of write input.
//!
//! Every check is a pure function that takes the GraphQL input path of the value it checks
//! (`field`, e.g. `input.businessId`) and returns the normalised value or a [`FieldError`]
//! naming that path, so a resolver can answer with `BAD_USER_INPUT` and
//! `extensions.field`. A [`Validator`] collects the errors of several checks, so a resolver
//! can report the first one or all of them.
//!
//! This module depends on no other module of the crate.

use std::fmt;

use async_graphql::{ErrorExtensions, Value};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

/// A rejected input value: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The GraphQL input path of the value, such as `input.businessId`.
    pub field: String,
    /// What is wrong, in words a developer can act on.
    pub message: String,
}

impl FieldError {
    /// An error for `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

/// `BAD_USER_INPUT` with `extensions.field` naming the input path.
impl ErrorExtensions for FieldError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", "BAD_USER_INPUT");
            ext.set("field", self.field.as_str());
        })
    }
}

/// One GraphQL error for a list of field errors: the message and `extensions.field` of the
/// first, and all of them in `extensions.fields` (`[{field, message}]`). `code` is
/// `BAD_USER_INPUT`.
pub fn to_graphql_error(errors: &[FieldError]) -> async_graphql::Error {
    let Some(first) = errors.first() else {
        return async_graphql::Error::new("invalid input")
            .extend_with(|_, ext| ext.set("code", "BAD_USER_INPUT"));
    };
    let all: Vec<Value> = errors
        .iter()
        .map(|e| {
            let mut obj = async_graphql::indexmap::IndexMap::new();
            obj.insert(async_graphql::Name::new("field"), Value::from(e.field.as_str()));
            obj.insert(
                async_graphql::Name::new("message"),
                Value::from(e.message.as_str()),
            );
            Value::Object(obj)
        })
        .collect();
    first.extend().extend_with(|_, ext| ext.set("fields", all))
}

/// The result of a check.
pub type Result<T> = std::result::Result<T, FieldError>;

fn fail<T>(field: &str, message: impl Into<String>) -> Result<T> {
    Err(FieldError::new(field, message))
}

/// The languages multilingual text is kept in. Finnish is required; Swedish and English are
/// optional and fall back to Finnish.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Language {
    /// Finnish (suomi), always present.
    #[default]
    Fi,
    /// Swedish (svenska).
    Sv,
    /// English.
    En,
}

impl Language {
    /// The ISO 639-1 code: `fi`, `sv` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Language::Fi => "fi",
            Language::Sv => "sv",
            Language::En => "en",
        }
    }
}

/// A Finnish business ID (Y-tunnus), `NNNNNNN-C`, with its mod-11 check digit.
///
/// The weights 7, 9, 10, 5, 8, 4, 2 are applied to the seven digits; remainder 0 gives check
/// digit 0, remainder 1 is never issued, otherwise the check digit is 11 − remainder. Older
/// IDs written with six digits (`NNNNNN-C`) get their leading zero back. Returns the
/// canonical `NNNNNNN-C`.
pub fn business_id(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    let Some((body, check)) = value.split_once('-') else {
        return fail(field, "a business ID is written 1234567-8");
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(body) || !(6..=7).contains(&body.len()) || !all_digits(check) || check.len() != 1
    {
        return fail(field, "a business ID is written 1234567-8");
    }
    let body = format!("{body:0>7}");
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let expected = match sum % 11 {
        0 => 0,
        1 => return fail(field, "not a valid business ID (no check digit exists for it)"),
        r => 11 - r,
    };
    let given = u32::from(check.as_bytes()[0] - b'0');
    if given != expected {
        return fail(field, "not a valid business ID (the check digit does not match)");
    }
    Ok(format!("{body}-{check}"))
}

/// A municipality code (kuntanumero): exactly three digits, e.g. `297` for Kuopio. Whether the
/// code exists is for the caller to check against the code list.
pub fn municipality_code(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        fail(field, "a municipality code is three digits, e.g. 297")
    }
}

/// An e-mail address, checked pragmatically: one `@`; a local part of 1–64 characters
/// (letters, digits and ``!#$%&'*+/=?^_`{|}~.-``, no leading, trailing or double dot); a
/// domain of at least two dot-separated labels of letters, digits and hyphens, none starting
/// or ending with a hyphen; at most 254 characters in all. Internationalised domains are
/// written in their `xn--` form. The domain is lowercased.
pub fn email(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return fail(field, "an e-mail address is required");
    }
    if value.chars().count() > 254 {
        return fail(field, "an e-mail address is at most 254 characters");
    }
    let mut parts = value.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return fail(field, "an e-mail address has exactly one @");
    };
    if local.is_empty() || local.len() > 64 {
        return fail(field, "the part before @ must be 1–64 characters");
    }
    let local_ok = local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    if !local_ok {
        return fail(field, "the part before @ has characters an address cannot have");
    }
    if !is_domain(domain, true) {
        return fail(field, "the part after @ is not a domain name such as example.org");
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// Whether `domain` is a DNS name of ASCII labels (`[A-Za-z0-9-]{1,63}`, no hyphen at
/// either end), at most 253 characters, with at least two labels when `need_dot`.
fn is_domain(domain: &str, need_dot: bool) -> bool {
    if domain.is_empty() || domain.len() > 253 {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if need_dot && labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    // A top-level domain is never all digits (that would be an IP address).
    labels_ok
        && labels
            .last()
            .is_some_and(|tld| !tld.bytes().all(|b| b.is_ascii_digit()))
}

/// A telephone number, normalised to E.164 (`+358447142631`).
///
/// Accepted: Finnish national numbers (`044 7142631`, `(017) 182 012`, `09 310 1691`,
/// `0447142631`) — the leading 0 is replaced by `+358`, and 5–12 digits must follow it —
/// and international numbers (`+358 44 714 2631`, `+46 8 123 456`, `00358 44 714 2631`),
/// with at most 15 digits. `+358 (0)44 …` and `+358 044 …` are read as `+358 44 …`.
/// Spaces, hyphens, dots, slashes and parentheses around digits may separate digits; letters
/// and anything else are refused.
pub fn phone(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return fail(field, "a phone number is required");
    }
    // The "(0)" written after a country code is a trunk prefix to drop, not a digit.
    let value = if value.starts_with('+') || value.starts_with("00") {
        value.replacen("(0)", "", 1)
    } else {
        value.to_owned()
    };
    let mut digits = String::with_capacity(value.len());
    let mut plus = false;
    let mut open_paren = false;
    for (i, c) in value.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => plus = true,
            ' ' | '-' | '.' | '/' => {}
            '(' if !open_paren => open_paren = true,
            ')' if open_paren => open_paren = false,
            _ => {
                return fail(
                    field,
                    "a phone number has only digits, a leading +, spaces, hyphens and parentheses",
                );
            }
        }
    }
    if open_paren {
        return fail(field, "a phone number has an unclosed parenthesis");
    }
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    let normalised = match international {
        Some(number) => {
            if number.starts_with('0') || number.is_empty() {
                return fail(field, "an international number starts with a country code, e.g. +358");
            }
            match number.strip_prefix("358") {
                Some(national) => finnish(field, national.strip_prefix('0').unwrap_or(national))?,
                None => {
                    if !(7..=15).contains(&number.len()) {
                        return fail(field, "an international number has 7–15 digits");
                    }
                    format!("+{number}")
                }
            }
        }
        None => match digits.strip_prefix('0') {
            Some(national) => finnish(field, national)?,
            None => {
                return fail(
                    field,
                    "write the number with its area or operator code (e.g. 044 …) or in international form (+358 …)",
                );
            }
        },
    };
    Ok(normalised)
}

/// `+358` and a Finnish national significant number (the digits after the trunk 0).
fn finnish(field: &str, national: &str) -> Result<String> {
    if !(5..=12).contains(&national.len()) {
        return fail(field, "a Finnish number has 5–12 digits after the leading 0");
    }
    if national.starts_with('0') {
        return fail(field, "not a Finnish phone number");
    }
    Ok(format!("+358{national}"))
}

/// An absolute `http` or `https` URL with a host, at most 2048 characters, with no
/// whitespace, control characters or credentials (`user@`). Characters that are never valid
/// in a URL (`<>"{}|\^` and backtick) and malformed `%` escapes are refused. The scheme and
/// host are lowercased.
pub fn url(field: &str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return fail(field, "a URL is required");
    }
    if value.len() > 2048 {
        return fail(field, "a URL is at most 2048 characters");
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return fail(field, "a URL has no spaces or control characters");
    }
    if value.chars().any(|c| "<>\"{}|\\^`".contains(c)) {
        return fail(field, "a URL cannot contain <, >, \", {, }, |, \\, ^ or `");
    }
    let Some((scheme, rest)) = value.split_once("://") else {
        return fail(field, "a URL starts with http:// or https://");
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return fail(field, "a URL starts with http:// or https://");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    if authority.contains('@') {
        return fail(field, "a URL cannot carry a user name or password");
    }
    let (host, port) = split_host_port(authority);
    if host.is_empty() {
        return fail(field, "a URL needs a host name");
    }
    if let Some(port) = port {
        let ok = !port.is_empty()
            && port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p));
        if !ok {
            return fail(field, "the port of the URL is not a number 1–65535");
        }
    }
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok())
    } else if host.parse::<std::net::Ipv4Addr>().is_ok() {
        true
    } else {
        is_host_name(host)
    };
    if !host_ok {
        return fail(field, "the host of the URL is not a valid name or address");
    }
    if !percent_escapes_ok(tail) {
        return fail(field, "the URL has a % not followed by two hex digits");
    }
    let port = port.map(|p| format!(":{p}")).unwrap_or_default();
    Ok(format!("{scheme}://{}{port}{tail}", host.to_lowercase()))
}

/// Splits `host[:port]`, minding the brackets of an IPv6 literal.
fn split_host_port(authority: &str) -> (&str, Option<&str>) {
    if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => {
                let (host, rest) = authority.split_at(end + 1);
                match rest.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    // Anything else after the bracket is not a port: refused as one.
                    None if !rest.is_empty() => (host, Some(rest)),
                    None => (host, None),
                }
            }
            None => (authority, None),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    }
}

/// A host name: dot-separated labels of letters (internationalised letters too), digits and
/// hyphens, none empty or starting or ending with a hyphen, the last not all digits; one
/// trailing dot allowed.
fn is_host_name(host: &str) -> bool {
    let host = host.strip_suffix('.').unwrap_or(host);
    !host.is_empty()
        && !host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.chars().count() <= 63
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
}

fn percent_escapes_ok(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let ok = bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
            if !ok {
                return false;
            }
            i += 3;
        } else {
            i += 1;
        }
    }
    true
}

/// Free text: trimmed and in Unicode NFC; Windows line breaks become `\n`. Empty text is
/// `None`, or an error when `required`. At most `max_chars` characters; no control
/// characters other than `\n` and `\t`, and no bidirectional embedding or override
/// characters (U+202A–U+202E, U+2066–U+2069), which can make text display other than it
/// reads.
pub fn text(field: &str, value: &str, max_chars: usize, required: bool) -> Result<Option<String>> {
    let value: String = value.replace("\r\n", "\n").trim().nfc().collect();
    if value.is_empty() {
        return if required {
            fail(field, "must not be empty")
        } else {
            Ok(None)
        };
    }
    let count = value.chars().count();
    if count > max_chars {
        return fail(
            field,
            format!("is {count} characters long; at most {max_chars} are allowed"),
        );
    }
    if value
        .chars()
        .any(|c| (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c))
    {
        return fail(field, "contains control characters");
    }
    Ok(Some(value))
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A validity period: `validTo` (named by `field_to`) may not be before `validFrom`. An open
/// end on either side is fine; a one-day period (`from == to`) is fine.
pub fn date_range(field_to: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<()> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => fail(
            field_to,
            format!("the end date {to} is before the start date {from}"),
        ),
        _ => Ok(()),
    }
}

/// Runs a check on an optional value: `None` stays `None`.
pub fn optional<T>(
    value: Option<&str>,
    check: impl FnOnce(&str) -> Result<T>,
) -> Result<Option<T>> {
    value.map(check).transpose()
}

/// Collects the errors of several checks, so a resolver can report the first or all of them.
///
/// ```ignore
/// let mut v = Validator::new();
/// let bid = v.check(validate::business_id("input.businessId", &input.business_id));
/// let mail = v.check(validate::email("input.email", &input.email));
/// v.finish().map_err(|errs| validate::to_graphql_error(&errs))?;
/// // here every `check` returned `Some`
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    /// An empty collector.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records the error of `result`, if any, and returns its value.
    pub fn check<T>(&mut self, result: Result<T>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors.push(err);
                None
            }
        }
    }

    /// Records an error found by other means.
    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    /// Records an error for `field` unless `ok`.
    pub fn ensure(&mut self, ok: bool, field: &str, message: impl Into<String>) {
        if !ok {
            self.push(FieldError::new(field, message));
        }
    }

    /// Whether no error has been recorded.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// The errors recorded so far, in order.
    pub fn errors(&self) -> &[FieldError] {
        &self.errors
    }

    /// `Ok` when no check failed, otherwise all errors in the order they were found.
    pub fn finish(self) -> std::result::Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// `Ok` when no check failed, otherwise the first error.
    pub fn finish_first(self) -> Result<()> {
        match self.errors.into_iter().next() {
            None => Ok(()),
            Some(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &str = "input.x";

    #[test]
    fn business_ids() {
        // Kuopio city, Helsinki city, Nokia Oyj, Kela (remainder 0 → check digit 0).
        for id in ["0135202-4", "0201256-6", "0112038-9", "0246246-0"] {
            assert_eq!(business_id(F, id).unwrap(), id);
        }
        assert_eq!(business_id(F, "  0135202-4\n").unwrap(), "0135202-4");
        // Six-digit form gets its leading zero back.
        assert_eq!(business_id(F, "135202-4").unwrap(), "0135202-4");
        // Wrong check digit.
        let err = business_id("input.businessId", "0135202-5").unwrap_err();
        assert_eq!(err.field, "input.businessId");
        assert!(err.message.contains("check digit"));
        assert!(business_id(F, "0201256-7").is_err());
        // 1234567 → 7+18+30+20+40+24+14 = 153, 153 % 11 = 10, check digit 1.
        assert_eq!(business_id(F, "1234567-1").unwrap(), "1234567-1");
        // Remainder 1 (no check digit exists): 0000006 → 6·2 = 12; 1234568 → 155 = 14·11 + 1.
        for body in ["0000006", "0000014", "1234568"] {
            for check in 0..=9 {
                assert!(business_id(F, &format!("{body}-{check}")).is_err(), "{body}-{check}");
            }
        }
        assert!(business_id(F, "0000006-0").unwrap_err().message.contains("no check digit"));
        // Wrong format.
        for bad in [
            "",
            "01352024",
            "0135202_4",
            "01352-024",
            "00135202-4",
            "0135202-",
            "0135202-44",
            "O135202-4",
            "0135202 -4",
            "+135202-4",
            "١٣٥٢٠٢-4",
        ] {
            assert!(business_id(F, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn remainder_one_bodies_really_have_remainder_one() {
        const W: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
        for body in ["0000006", "0000014", "1234568"] {
            let sum: u32 = body.bytes().zip(W).map(|(b, w)| u32::from(b - b'0') * w).sum();
            assert_eq!(sum % 11, 1, "{body}");
        }
    }

    #[test]
    fn municipality_codes() {
        assert_eq!(municipality_code(F, "297").unwrap(), "297");
        assert_eq!(municipality_code(F, " 091 ").unwrap(), "091");
        for bad in ["", "29", "2970", "29a", "-97", "２９７"] {
            assert!(municipality_code(F, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            email(F, " Matti.Meikalainen@Example.ORG ").unwrap(),
            "Matti.Meikalainen@example.org"
        );
        assert_eq!(email(F, "a+tag@sub.example.fi").unwrap(), "a+tag@sub.example.fi");
        assert_eq!(
            email(F, "info@xn--hmeenlinna-q5a.fi").unwrap(),
            "info@xn--hmeenlinna-q5a.fi"
        );
        let long_local = "a".repeat(65);
        let label = "b".repeat(63);
        let long_total = format!("{}@{label}.{label}.{label}.{label}.org", "a".repeat(64));
        for bad in [
            "",
            "plain",
            "@example.org",
            "a@",
            "a@@example.org",
            "a@b@example.org",
            "a b@example.org",
            "a@exa mple.org",
            "a@localhost",
            "a@-example.org",
            "a@example-.org",
            "a@example..org",
            "a@.example.org",
            "a@example.org.",
            "a@exa_mple.org",
            "a@1.2.3.4",
            ".a@example.org",
            "a.@example.org",
            "a..b@example.org",
            "ä@example.org",
            "a@hämeenlinna.fi",
            "a\"b@example.org",
            &format!("{long_local}@example.org"),
            &long_total,
        ] {
            assert!(email(F, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn phones() {
        for (input, expected) in [
            ("044 7142631", "+358447142631"),
            ("0447142631", "+358447142631"),
            ("044-714 2631", "+358447142631"),
            ("017 182012", "+35817182012"),
            ("(017) 182 012", "+35817182012"),
            ("09 310 1691", "+35893101691"),
            ("+358447142631", "+358447142631"),
            ("+358 44 714 2631", "+358447142631"),
            ("+358 (0)44 714 2631", "+358447142631"),
            ("+358 044 714 2631", "+358447142631"),
            ("00358 44 714 2631", "+358447142631"),
            ("+46 8 123 456 78", "+46812345678"),
            ("+1 (202) 555-0143", "+12025550143"),
            ("029 5000", "+358295000"),
        ] {
            assert_eq!(phone(F, input).unwrap(), expected, "{input}");
        }
        for bad in [
            "",
            "112",
            "447142631",
            "044 714263l",
            "+358 44 714 2631 ext 5",
            "044 7142631 / mobile",
            "044+7142631",
            "+",
            "+0 123 4567",
            "0123",
            "0 1234 5678 9012 3",
            "+1234567890123456",
            "+12345",
            "(044 7142631",
            "(0)44 7142631",
            "044) 7142631",
            "044\u{0}7142631",
            "+358 123",
        ] {
            assert!(phone(F, bad).is_err(), "{bad:?}");
        }
        // 15 digits is the E.164 maximum.
        assert_eq!(phone(F, "+123456789012345").unwrap(), "+123456789012345");
    }

    #[test]
    fn urls() {
        for (input, expected) in [
            ("https://www.kuopio.fi/", "https://www.kuopio.fi/"),
            ("HTTPS://WWW.Kuopio.FI/Asiat?x=1#a", "https://www.kuopio.fi/Asiat?x=1#a"),
            ("http://example.org", "http://example.org"),
            ("https://example.org:8443/a%20b", "https://example.org:8443/a%20b"),
            ("http://10.0.0.1/x", "http://10.0.0.1/x"),
            ("http://[::1]:8080/x", "http://[::1]:8080/x"),
            ("https://intranet/agenda", "https://intranet/agenda"),
            ("https://hämeenlinna.fi/pöytäkirja", "https://hämeenlinna.fi/pöytäkirja"),
        ] {
            assert_eq!(url(F, input).unwrap(), expected, "{input}");
        }
        let too_long = format!("https://example.org/{}", "a".repeat(2048));
        for bad in [
            "",
            "example.org",
            "www.example.org/x",
            "ftp://example.org/",
            "javascript:alert(1)",
            "javascript://example.org/%0aalert(1)",
            "https://",
            "https:///path",
            "https://exa mple.org/",
            "https://example.org/a b",
            "https://example.org/\u{7}",
            "https://user:pw@example.org/",
            "https://example.org:0/",
            "https://example.org:65536/",
            "https://example.org:http/",
            "https://-example.org/",
            "https://exa_mple.org/",
            "https://[::1/",
            "https://[zz]/",
            "https://[::1]x/",
            "http://999.1.1.1/",
            "http://1234/",
            "https://example.org/<script>",
            "https://example.org/%zz",
            "https://example.org/%4",
            &too_long,
        ] {
            assert!(url(F, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn texts() {
        assert_eq!(text(F, "  Kuntafoorumi \n", 100, true).unwrap().as_deref(), Some("Kuntafoorumi"));
        assert_eq!(text(F, "   ", 100, false).unwrap(), None);
        assert_eq!(text(F, "", 100, true).unwrap_err().field, F);
        assert_eq!(text(F, "a\tb\r\nc", 100, true).unwrap().as_deref(), Some("a\tb\nc"));
        // Limit counts characters, not bytes: "ääkkönen" is 8 chars, 11 bytes.
        assert_eq!(text(F, "ääkkönen", 8, true).unwrap().as_deref(), Some("ääkkönen"));
        assert!(text(F, "ääkkönen", 7, true).is_err());
        // Decomposed "a" + U+0308 becomes the single character "ä".
        assert_eq!(text(F, "a\u{308}", 1, true).unwrap().as_deref(), Some("ä"));
        for bad in ["a\u{0}b", "a\rb", "a\u{1b}[31m", "a\u{7f}", "a\u{85}b", "evil\u{202E}txt.exe"] {
            assert!(text(F, bad, 100, false).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn date_ranges() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert!(date_range("input.validTo", d("2023-01-01"), d("2025-12-31")).is_ok());
        assert!(date_range("input.validTo", d("2023-01-01"), d("2023-01-01")).is_ok());
        assert!(date_range("input.validTo", None, d("2023-01-01")).is_ok());
        assert!(date_range("input.validTo", d("2023-01-01"), None).is_ok());
        let err = date_range("input.validTo", d("2025-01-02"), d("2025-01-01")).unwrap_err();
        assert_eq!(err.field, "input.validTo");
        assert_eq!(err.message, "the end date 2025-01-01 is before the start date 2025-01-02");
    }

    #[test]
    fn validator_collects() {
        let mut v = Validator::new();
        assert_eq!(v.check(municipality_code("input.code", "297")), Some("297".to_owned()));
        assert!(v.is_ok());
        assert_eq!(v.check(business_id("input.businessId", "0135202-5")), None);
        assert_eq!(v.check(email("input.email", "nope")), None);
        v.ensure(true, "input.never", "not recorded");
        v.ensure(false, "input.name", "must not be empty");
        let fields: Vec<&str> = v.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["input.businessId", "input.email", "input.name"]);
        assert_eq!(v.clone().finish_first().unwrap_err().field, "input.businessId");
        assert_eq!(v.finish().unwrap_err().len(), 3);
        assert_eq!(Validator::new().finish(), Ok(()));
        assert_eq!(optional(None, |s| email(F, s)), Ok(None));
        assert_eq!(
            optional(Some("a@Example.org"), |s| email(F, s)),
            Ok(Some("a@example.org".to_owned()))
        );
    }

    #[test]
    fn graphql_errors_carry_code_and_field() {
        let err = FieldError::new("input.email", "bad").extend();
        let ext = serde_json::to_value(err.extensions.unwrap()).unwrap();
        assert_eq!(ext["code"], "BAD_USER_INPUT");
        assert_eq!(ext["field"], "input.email");
        let all = to_graphql_error(&[
            FieldError::new("input.a", "x"),
            FieldError::new("input.b", "y"),
        ]);
        assert_eq!(all.message, "input.a: x");
        let ext = serde_json::to_value(all.extensions.unwrap()).unwrap();
        assert_eq!(ext["field"], "input.a");
        assert_eq!(ext["fields"][1]["field"], "input.b");
        assert_eq!(ext["fields"][1]["message"], "y");
    }

    #[test]
    fn languages() {
        use async_graphql::{EnumType, InputType};
        assert_eq!(Language::default(), Language::Fi);
        assert_eq!(Language::Sv.code(), "sv");
        let names: Vec<&str> = Language::items().iter().map(|i| i.name).collect();
        assert_eq!(names, ["FI", "SV", "EN"]);
        assert_eq!(Language::En.to_value(), Value::Enum(async_graphql::Name::new("EN")));
    }
}
