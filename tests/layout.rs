//! Rules about the code itself (issue 9): no function in `src/` is longer than 100 lines
//! outside test code (long functions hid the state machine's steps), and the layers import
//! only downwards (docs/architecture.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 100;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") && !p.ends_with("tests.rs") {
            out.push(p);
        }
    }
}

fn starts_fn(line: &str) -> bool {
    let t = line.trim_start();
    [
        "fn ",
        "pub fn ",
        "pub(crate) fn ",
        "pub(super) fn ",
        "async fn ",
        "pub async fn ",
        "const fn ",
        "pub const fn ",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

/// (name, first line, length) of every function longer than `MAX_LINES` before the file's
/// `#[cfg(test)] mod tests`.
fn long_functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .windows(2)
        .position(|w| w[0].trim() == "#[cfg(test)]" && w[1].trim_start().starts_with("mod tests"))
        .unwrap_or(lines.len());
    let mut out = Vec::new();
    let mut i = 0;
    while i < end {
        let line = lines[i];
        if !starts_fn(line) {
            i += 1;
            continue;
        }
        let indent = &line[..line.len() - line.trim_start().len()];
        let one_line = line.contains('{') && line.matches('{').count() == line.matches('}').count();
        if one_line || line.trim_end().ends_with(';') {
            i += 1;
            continue;
        }
        let close = (i + 1..end).find(|&j| {
            let l = lines[j];
            l.starts_with(indent) && l[indent.len()..].starts_with('}') && !l[indent.len()..].starts_with("} else")
        });
        let Some(j) = close else {
            i += 1;
            continue;
        };
        let n = j - i + 1;
        if n > MAX_LINES {
            let name = line.trim_start().split("fn ").nth(1).unwrap_or("?");
            let name = name.split(['(', '<']).next().unwrap_or("?").to_owned();
            out.push((name, i + 1, n));
        }
        i = j + 1;
    }
    out
}

#[test]
fn no_function_in_src_is_longer_than_100_lines() {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut long = Vec::new();
    for f in files {
        for (name, line, n) in long_functions(&std::fs::read_to_string(&f).unwrap()) {
            long.push(format!("{}:{line} {name}: {n} lines", f.display()));
        }
    }
    assert!(long.is_empty(), "split these functions:\n{}", long.join("\n"));
}

#[test]
fn the_length_rule_sees_a_long_function() {
    let body = "    let x = 1;\n".repeat(MAX_LINES);
    let text = format!("pub fn short() {{}}\n\npub async fn long(a: u8) -> u8 {{\n{body}}}\n");
    assert_eq!(long_functions(&text), vec![("long".to_owned(), 3, MAX_LINES + 2)]);
}

/// Every `crate::<module>` a file names (in `use` lines and in paths).
fn crate_modules(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    for part in text.split("crate::").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    // `use crate::{a, b}`
    for part in text.split("crate::{").skip(1) {
        for name in part.split('}').next().unwrap_or("").split(',') {
            let name = name.trim().split("::").next().unwrap_or("").trim();
            if !name.is_empty() {
                out.insert(name.to_owned());
            }
        }
    }
    out
}

fn files_under(sub: &str) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src").join(sub), &mut files);
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f).unwrap();
            (f, text)
        })
        .collect()
}

#[test]
fn layers_import_only_downwards() {
    // db: storage only; it knows nothing of HTTP or of the services above it.
    for (f, text) in files_under("db") {
        let m = crate_modules(&text);
        for banned in ["http", "service", "startup", "cli"] {
            assert!(!m.contains(banned), "{} imports crate::{banned}", f.display());
        }
    }
    // http: handlers call services; they never reach the database.
    for (f, text) in files_under("http") {
        let m = crate_modules(&text);
        assert!(!m.contains("db"), "{} imports crate::db", f.display());
        assert!(!text.contains("state.db"), "{} uses state.db directly", f.display());
    }
    // Only startup wires the HTTP layer in.
    let mut all = Vec::new();
    rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
    for f in all {
        let rel = f
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
            .unwrap();
        if rel.starts_with("http") || rel == Path::new("startup.rs") || rel == Path::new("lib.rs") {
            continue;
        }
        let m = crate_modules(&std::fs::read_to_string(&f).unwrap());
        assert!(!m.contains("http"), "{} imports crate::http", f.display());
    }
    // The domain is pure: of the crate it uses only itself and the pure leaves (text, calendar);
    // no storage, HTTP, OpenAPI, services, state, configuration, routing or the problem type.
    for (f, text) in files_under("domain") {
        let m = crate_modules(&text);
        for module in &m {
            assert!(
                ["domain", "text", "calendar"].contains(&module.as_str()),
                "{} imports crate::{module}",
                f.display()
            );
        }
        for krate in ["diesel", "actix_web", "utoipa", "awc", "lettre", "askama"] {
            assert!(!text.contains(&format!("{krate}::")), "{} uses {krate}", f.display());
        }
    }
    // The pure leaves import nothing else of the crate.
    for leaf in ["text", "calendar"] {
        for (f, text) in files_under(leaf) {
            for module in crate_modules(&text) {
                assert!(module == leaf, "{} imports crate::{module}", f.display());
            }
        }
    }
}

#[test]
fn the_import_scanner_sees_both_forms() {
    let m = crate_modules("use crate::db::cases;\nuse crate::{error::AppError, state};\nlet x = crate::http::f();");
    let names: Vec<&str> = m.iter().map(String::as_str).collect();
    assert_eq!(names, ["db", "error", "http", "state"]);
}
