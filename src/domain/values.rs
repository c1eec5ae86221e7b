//! Values parsed once at the boundary: a code, an ID, an address is a type, and its rule
//! lives here with its tests. Every parse names the input field at fault, so the error
//! reaches the caller as `BAD_USER_INPUT` with `extensions.field`.

use chrono::NaiveDate;

pub use crate::error::{Checked, FieldError};

fn fail<T>(field: &str, message: impl Into<String>) -> Checked<T> {
    Err(FieldError::new(field, message))
}

/// Free text: trimmed, empty as none (or an error when required), at most `max` characters,
/// no control characters other than line breaks and tabs.
pub fn text(
    field: &str,
    value: Option<&str>,
    max: usize,
    required: bool,
) -> Checked<Option<String>> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    match value {
        None if required => fail(field, format!("{field} is required")),
        None => Ok(None),
        Some(v) if v.chars().count() > max => {
            fail(field, format!("{field} may be at most {max} characters"))
        }
        Some(v) if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
            fail(field, format!("{field} contains control characters"))
        }
        Some(v) => Ok(Some(v.to_owned())),
    }
}

/// Most priority areas a strategy may list.
pub const MAX_PRIORITIES: usize = 20;

/// A strategy's priority areas, stored one a line: each required, one line, at most `max`
/// characters; at most [`MAX_PRIORITIES`]; none (an empty list) clears them.
pub fn priorities(field: &str, items: &[String], max: usize) -> Checked<Option<String>> {
    if items.len() > MAX_PRIORITIES {
        return fail(
            field,
            format!("{field} may list at most {MAX_PRIORITIES} areas"),
        );
    }
    let mut lines = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let line = required(&at, item, max)?;
        if line.contains('\n') {
            return fail(&at, format!("{at} must be one line"));
        }
        lines.push(line);
    }
    Ok((!lines.is_empty()).then(|| lines.join("\n")))
}

/// Required free text.
pub fn required(field: &str, value: &str, max: usize) -> Checked<String> {
    text(field, Some(value), max, true).map(Option::unwrap_or_default)
}

/// A Finnish business ID (Y-tunnus) `1234567-8` with a valid mod-11 check digit.
pub fn business_id(field: &str, value: &str) -> Checked<String> {
    let value = value.trim();
    let bytes = value.as_bytes();
    let shape_ok = bytes.len() == 9
        && bytes[7] == b'-'
        && bytes[..7].iter().all(u8::is_ascii_digit)
        && bytes[8].is_ascii_digit();
    if !shape_ok {
        return fail(
            field,
            "a business ID is seven digits, a hyphen and a check digit, e.g. 0171450-7",
        );
    }
    const WEIGHTS: [u32; 7] = [7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = bytes[..7]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let expected = match sum % 11 {
        0 => 0,
        1 => return fail(field, "this business ID cannot have a valid check digit"),
        r => 11 - r,
    };
    if u32::from(bytes[8] - b'0') != expected {
        return fail(field, "the business ID's check digit is wrong");
    }
    Ok(value.to_owned())
}

/// A three-digit municipality code (kuntanumero).
pub fn municipality_code(field: &str, value: &str) -> Checked<String> {
    let value = value.trim();
    if value.len() == 3 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value.to_owned())
    } else {
        fail(field, "a municipality code is three digits, e.g. 297")
    }
}

/// An e-mail address, with the domain lower-cased.
pub fn email(field: &str, value: &str) -> Checked<String> {
    let value = value.trim();
    let bad = || fail(field, "not an e-mail address");
    if value.len() > 254 || value.chars().any(char::is_whitespace) {
        return bad();
    }
    let Some((local, domain)) = value.split_once('@') else {
        return bad();
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') || !domain.contains('.') {
        return bad();
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !domain.split('.').all(label_ok)
        || local.starts_with('.')
        || local.ends_with('.')
        || local.contains("..")
    {
        return bad();
    }
    Ok(format!("{local}@{}", domain.to_ascii_lowercase()))
}

/// A phone number in Finnish national form (`044 714 2631`, `(017) 182 012`) or E.164
/// (`+358 44 714 2631`), returned in E.164 (`+358447142631`).
pub fn phone(field: &str, value: &str) -> Checked<String> {
    let value = value.trim();
    if !value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '+'))
        || value.chars().skip(1).any(|c| c == '+')
    {
        return fail(
            field,
            "a phone number may contain only digits, spaces, hyphens, brackets and a leading +",
        );
    }
    let digits: String = value.chars().filter(char::is_ascii_digit).collect();
    if let Some(rest) = value.strip_prefix('+') {
        let _ = rest;
        if !(8..=15).contains(&digits.len()) || digits.starts_with('0') {
            return fail(
                field,
                "an international number has a country code and 8–15 digits in all",
            );
        }
        Ok(format!("+{digits}"))
    } else if let Some(national) = digits.strip_prefix('0') {
        if !(5..=12).contains(&national.len()) {
            return fail(
                field,
                "a Finnish number has 6–13 digits starting with 0, e.g. 044 714 2631",
            );
        }
        Ok(format!("+358{national}"))
    } else {
        fail(
            field,
            "give the number with its area code (044 …) or in international form (+358 …)",
        )
    }
}

/// An absolute http(s) URL.
pub fn url(field: &str, value: &str) -> Checked<String> {
    let value = value.trim();
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or_default());
    match host {
        Some(host)
            if value.len() <= 2048
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                && !host.is_empty()
                && host.split(':').next().is_some_and(|h| {
                    !h.is_empty()
                        && h.chars()
                            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
                }) =>
        {
            Ok(value.to_owned())
        }
        _ => fail(field, "not an absolute http or https URL"),
    }
}

/// `validTo` must not be before `validFrom`.
pub fn date_range(field_to: &str, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Checked<()> {
    match (from, to) {
        (Some(from), Some(to)) if to < from => fail(
            field_to,
            format!("{field_to} ({to}) is before the start ({from})"),
        ),
        _ => Ok(()),
    }
}

/// Declares a string value type whose only way in is its checked `parse`.
macro_rules! value_type {
    ($(#[$doc:meta])* $name:ident, $check:path) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses `value`, naming `field` when it is rejected.
            pub fn parse(field: &str, value: &str) -> Checked<Self> {
                $check(field, value).map(Self)
            }

            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The stored text.
            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

value_type!(
    /// A three-digit municipality code (kuntanumero), leading zeros kept (`005`).
    MunicipalityCode,
    municipality_code
);
value_type!(
    /// A Finnish business ID (Y-tunnus) with a valid check digit.
    BusinessId,
    business_id
);
value_type!(
    /// An e-mail address, domain lower-cased.
    Email,
    email
);
value_type!(
    /// A phone number in E.164 form.
    Phone,
    phone
);
value_type!(
    /// An absolute http(s) URL.
    Url,
    url
);
value_type!(
    /// A topic slug: lower-case letters, digits and hyphens (`health-promotion`).
    Slug,
    slug
);

/// A slug: 1–64 lower-case ASCII letters, digits and single hyphens inside.
pub fn slug(field: &str, value: &str) -> Checked<String> {
    let value = value.trim();
    let ok = !value.is_empty()
        && value.len() <= 64
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !value.starts_with('-')
        && !value.ends_with('-')
        && !value.contains("--");
    if ok {
        Ok(value.to_owned())
    } else {
        fail(
            field,
            "a topic slug is lower-case letters, digits and hyphens, e.g. employment",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_digit_code_is_rejected() {
        let err = MunicipalityCode::parse("input.municipalityCode", "97").unwrap_err();
        assert_eq!(err.field, "input.municipalityCode");
        assert!(MunicipalityCode::parse("f", "2977").is_err());
        assert!(MunicipalityCode::parse("f", "29a").is_err());
    }

    #[test]
    fn leading_zeros_are_kept() {
        let code = MunicipalityCode::parse("f", " 005 ").unwrap();
        assert_eq!(code.as_str(), "005");
    }

    #[test]
    fn a_slug_is_lower_case_words_with_hyphens() {
        assert_eq!(
            Slug::parse("f", "health-promotion").unwrap().as_str(),
            "health-promotion"
        );
        assert!(Slug::parse("f", "Health").is_err());
        assert!(Slug::parse("f", "-x").is_err());
        assert!(Slug::parse("f", "").is_err());
    }

    #[test]
    fn an_email_keeps_its_local_part_and_lower_cases_its_domain() {
        let email = Email::parse("f", "Aino.E@Example.ORG").unwrap();
        assert_eq!(email.into_inner(), "Aino.E@example.org");
    }

    #[test]
    fn business_ids() {
        // Check digits computed with weights 7, 9, 10, 5, 8, 4, 2.
        // 0·7 + 1·9 + 7·10 + 1·5 + 4·8 + 5·4 + 0·2 = 136, remainder 4, check 11 − 4 = 7.
        assert_eq!(business_id("f", "0171450-7"), Ok("0171450-7".into()));
        assert!(business_id("f", "0171450-8").is_err());
        assert_eq!(business_id("f", " 1234567-1 "), Ok("1234567-1".into()));
        assert!(business_id("f", "1234567-2").is_err());
        assert!(business_id("f", "123456-7").is_err());
        assert!(business_id("f", "1234567_1").is_err());
        // 1·2 = 2, remainder 2, check 9.
        assert_eq!(business_id("f", "0000001-9"), Ok("0000001-9".into()));
        // 6·2 = 12, remainder 1: no check digit is valid.
        assert!(business_id("f", "0000006-0").is_err());
        let err = business_id("input.businessId", "x").unwrap_err();
        assert_eq!(err.field, "input.businessId");
    }

    #[test]
    fn municipality_codes() {
        assert_eq!(municipality_code("f", "297"), Ok("297".into()));
        assert!(municipality_code("f", "29").is_err());
        assert!(municipality_code("f", "2970").is_err());
        assert!(municipality_code("f", "29a").is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(
            email("f", "Aino.Esimerkki@Example.ORG"),
            Ok("Aino.Esimerkki@example.org".into())
        );
        for bad in [
            "",
            "aino",
            "aino@",
            "@example.org",
            "aino@example",
            "a b@example.org",
            "aino@-x.org",
            "a@@example.org",
            "a..b@example.org",
        ] {
            assert!(email("f", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(phone("f", "044 7142631"), Ok("+358447142631".into()));
        assert_eq!(phone("f", "017 182012"), Ok("+35817182012".into()));
        assert_eq!(phone("f", "(017) 182 012"), Ok("+35817182012".into()));
        assert_eq!(phone("f", "+358 44 714 2631"), Ok("+358447142631".into()));
        assert_eq!(phone("f", "+46 8 123 456 78"), Ok("+46812345678".into()));
        for bad in [
            "",
            "abc",
            "44 714 2631",
            "0123",
            "+0123456789",
            "044 714 2631 ext 5",
            "044+7142631",
            "+1234567890123456",
        ] {
            assert!(phone("f", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert!(url("f", "https://www.kuopio.fi/yhteystiedot").is_ok());
        assert!(url("f", "http://localhost:8080/x").is_ok());
        for bad in [
            "",
            "www.kuopio.fi",
            "ftp://x.fi",
            "https://",
            "https://exa mple.org",
            "javascript:alert(1)",
        ] {
            assert!(url("f", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn texts_and_dates() {
        assert_eq!(
            text("f", Some("  Kuopio  "), 10, true),
            Ok(Some("Kuopio".into()))
        );
        assert_eq!(text("f", Some("   "), 10, false), Ok(None));
        assert!(text("f", Some("   "), 10, true).is_err());
        assert!(text("f", Some("x".repeat(11).as_str()), 10, false).is_err());
        assert!(text("f", Some("a\u{0}b"), 10, false).is_err());
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(
            date_range(
                "input.validTo",
                Some(d("2024-01-02")),
                Some(d("2024-01-01"))
            )
            .is_err()
        );
        assert!(
            date_range(
                "input.validTo",
                Some(d("2024-01-01")),
                Some(d("2024-01-01"))
            )
            .is_ok()
        );
        assert!(date_range("input.validTo", None, Some(d("2024-01-01"))).is_ok());
    }

    #[test]
    fn priority_areas_are_single_lines_and_an_empty_list_clears_them() {
        let areas = ["asukkaat".to_owned(), " palvelut ".to_owned()];
        assert_eq!(
            priorities("p", &areas, 50).unwrap().as_deref(),
            Some("asukkaat\npalvelut")
        );
        assert_eq!(priorities("p", &[], 50).unwrap(), None);
        let err = priorities("p", &["a\nb".to_owned()], 50).unwrap_err();
        assert_eq!(err.field, "p[0]");
        let err = priorities("p", &["".to_owned()], 50).unwrap_err();
        assert_eq!(err.field, "p[0]");
        assert!(priorities("p", &vec!["x".to_owned(); MAX_PRIORITIES + 1], 50).is_err());
    }
}
