//! A minimal Atom 1.0 (RFC 4287) writer for the public feeds (violators, warnings; ADR 0032):
//! a feed with `id`, `title`, `updated`, a `self` and an `alternate` link, and entries with
//! `id`, `title`, `updated`, `published`, an `alternate` link, an optional category and plain
//! text `content`. Every text is escaped and stripped of the characters XML 1.0 forbids.

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

/// One entry of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Permanent and unique (e.g. `urn:uuid:…`): readers use it to tell entries apart.
    pub id: String,
    pub title: String,
    pub updated: DateTime<Utc>,
    pub published: Option<DateTime<Utc>>,
    /// The page showing the entry.
    pub link: String,
    pub category: Option<String>,
    /// Plain text (`type="text"`).
    pub content: String,
}

/// A feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub id: String,
    pub title: String,
    pub subtitle: Option<String>,
    /// The newest `updated` of its entries (or when it was emptied).
    pub updated: DateTime<Utc>,
    /// The feed's own URL.
    pub self_link: String,
    /// The page the feed mirrors.
    pub alternate_link: String,
    /// `xml:lang` of the texts.
    pub lang: String,
    pub author: String,
    pub entries: Vec<Entry>,
}

/// Text escaped for XML content and attribute values, without the characters XML 1.0 does not
/// allow (control characters other than tab, newline and carriage return; U+FFFE, U+FFFF).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn element(out: &mut String, indent: &str, name: &str, text: &str) {
    let _ = writeln!(out, "{indent}<{name}>{}</{name}>", escape(text));
}

fn link(out: &mut String, indent: &str, rel: &str, href: &str, media: Option<&str>) {
    let media = media.map(|m| format!(" type=\"{}\"", escape(m))).unwrap_or_default();
    let _ = writeln!(out, "{indent}<link rel=\"{rel}\"{media} href=\"{}\"/>", escape(href));
}

/// The feed as an XML document (UTF-8).
pub fn render(feed: &Feed) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(
        out,
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">",
        escape(&feed.lang)
    );
    element(&mut out, "  ", "id", &feed.id);
    let _ = writeln!(out, "  <title type=\"text\">{}</title>", escape(&feed.title));
    if let Some(s) = &feed.subtitle {
        let _ = writeln!(out, "  <subtitle type=\"text\">{}</subtitle>", escape(s));
    }
    element(&mut out, "  ", "updated", &time(feed.updated));
    let _ = writeln!(out, "  <author><name>{}</name></author>", escape(&feed.author));
    link(&mut out, "  ", "self", &feed.self_link, Some("application/atom+xml"));
    link(&mut out, "  ", "alternate", &feed.alternate_link, Some("text/html"));
    for e in &feed.entries {
        out.push_str("  <entry>\n");
        element(&mut out, "    ", "id", &e.id);
        let _ = writeln!(out, "    <title type=\"text\">{}</title>", escape(&e.title));
        element(&mut out, "    ", "updated", &time(e.updated));
        if let Some(p) = e.published {
            element(&mut out, "    ", "published", &time(p));
        }
        link(&mut out, "    ", "alternate", &e.link, Some("text/html"));
        if let Some(c) = &e.category {
            let _ = writeln!(out, "    <category term=\"{}\"/>", escape(c));
        }
        let _ = writeln!(out, "    <content type=\"text\">{}</content>", escape(&e.content));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn text_is_escaped_and_characters_xml_forbids_are_dropped() {
        assert_eq!(
            escape("A & B <c> \"d\" 'e'"),
            "A &amp; B &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
        assert_eq!(escape("dòng 1\ndòng 2\u{0}\u{1b}\u{FFFF}"), "dòng 1\ndòng 2");
    }

    #[test]
    fn a_feed_has_its_header_and_its_entries_in_order() {
        let feed = Feed {
            id: "https://x.example/api/v1/public/violators.atom".into(),
            title: "Vi phạm & xử phạt".into(),
            subtitle: None,
            updated: at("2026-11-02T03:04:05Z"),
            self_link: "https://x.example/api/v1/public/violators.atom".into(),
            alternate_link: "https://x.example/vi-pham?a=1&b=2".into(),
            lang: "vi".into(),
            author: "Sở Công Thương".into(),
            entries: vec![Entry {
                id: "urn:uuid:0192".into(),
                title: "Công ty <A>".into(),
                updated: at("2026-11-02T03:04:05Z"),
                published: Some(at("2026-11-01T00:00:00Z")),
                link: "https://x.example/vi-pham#v-0192".into(),
                category: Some("product".into()),
                content: "Hành vi: bán hàng giả".into(),
            }],
        };
        let xml = render(&feed);
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"")
        );
        assert!(xml.contains("<title type=\"text\">Vi phạm &amp; xử phạt</title>"));
        assert!(xml.contains("<updated>2026-11-02T03:04:05Z</updated>"));
        assert!(xml.contains("href=\"https://x.example/vi-pham?a=1&amp;b=2\""));
        assert!(xml.contains("<title type=\"text\">Công ty &lt;A&gt;</title>"));
        assert!(xml.contains("<published>2026-11-01T00:00:00Z</published>"));
        assert!(xml.contains("<category term=\"product\"/>"));
        assert!(xml.trim_end().ends_with("</feed>"));
        assert_eq!(xml.matches("<entry>").count(), 1);
    }
}
