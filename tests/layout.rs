//! Rules about the code itself (issue 9): no function in `src/` is longer than 100 lines
//! outside test code. Long functions hid the state machine's steps; the limit keeps each step
//! named.

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
