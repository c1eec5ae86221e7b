//! The layout rules of the source tree, checked on the files themselves: the GraphQL face
//! builds no SeaORM query, the domain knows nothing of GraphQL, and no file or function
//! grows past what a reader takes in at once.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn files_under(sub: &str) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(sub);
    let mut paths = Vec::new();
    sources(&root, &mut paths);
    assert!(!paths.is_empty(), "no sources under {}", root.display());
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read source");
            (p, text)
        })
        .collect()
}

#[test]
fn the_domain_does_not_know_graphql() {
    for (path, text) in files_under("domain") {
        assert!(
            !text.contains("async_graphql"),
            "{} imports async_graphql",
            path.display()
        );
    }
}

#[test]
fn resolvers_build_no_seaorm_query() {
    for (path, text) in files_under("graphql") {
        for needle in [
            "EntityTrait",
            "QueryFilter",
            "::find(",
            "find_by_id",
            "sea_query",
        ] {
            assert!(
                !text.contains(needle),
                "{} uses {needle}: queries belong in a domain service or db::loaders",
                path.display()
            );
        }
    }
}

/// Lengths of the functions with a body in `text`: from the `fn` line to the closing brace
/// at the same indentation.
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let signature = ["pub ", "pub(crate) ", "pub(super) ", "async ", "const "]
            .iter()
            .fold(trimmed, |rest, prefix| {
                rest.strip_prefix(prefix).unwrap_or(rest)
            });
        let Some(rest) = signature.strip_prefix("fn ") else {
            continue;
        };
        // A declaration, or a body that closes on its own line (`fn derive(&mut self) {}`).
        if line.trim_end().ends_with(';') || line.trim_end().ends_with('}') {
            continue;
        }
        let close = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|l| l.trim_end() == close) {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push((name, end + 2));
        }
    }
    out
}

#[test]
fn no_source_file_passes_500_lines_and_no_function_80() {
    for (path, text) in files_under("") {
        let lines = text.lines().count();
        assert!(lines <= 500, "{} has {lines} lines", path.display());
        for (name, length) in function_lengths(&text) {
            assert!(
                length <= 80,
                "{}: fn {name} has {length} lines",
                path.display()
            );
        }
    }
}

#[test]
fn the_length_check_sees_a_long_function() {
    let body = "    x();\n".repeat(90);
    let text = format!("fn empty() {{}}\n{body}\nfn long() {{\n{body}}}\n\nfn short() {{\n}}\n");
    assert_eq!(
        function_lengths(&text),
        vec![("long".to_owned(), 92), ("short".to_owned(), 2)]
    );
}
