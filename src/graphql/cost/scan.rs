//! The lexical pre-pass: one linear read of the raw text, before the recursive parser.

/// What one linear read of the raw text found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scan {
    /// GraphQL tokens; whitespace, commas and comments are not tokens.
    pub tokens: usize,
    /// Deepest nesting of `{`, `(` and `[`.
    pub nesting: usize,
}

/// Reads the raw text once, counting tokens and bracket nesting. Never fails: text that is
/// not GraphQL is counted as best it can be and left to the parser to refuse.
pub fn scan(text: &str) -> Scan {
    let b = text.as_bytes();
    let mut i = 0;
    let mut out = Scan::default();
    let mut depth = 0usize;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            // The byte order mark is ignored, like whitespace.
            0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                i += 3;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() {
                    if b[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if b[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() {
                    match b[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
            }
            b'{' | b'(' | b'[' => {
                depth += 1;
                out.nesting = out.nesting.max(depth);
                i += 1;
            }
            b'}' | b')' | b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'.' if b[i..].starts_with(b"...") => i += 3,
            c if c == b'_' || c.is_ascii_alphabetic() => {
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            c if c == b'-' || c.is_ascii_digit() => {
                i += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            // Punctuators, and bytes that are not GraphQL at all (the parser refuses those).
            _ => i += 1,
        }
        out.tokens += 1;
    }
    out
}
