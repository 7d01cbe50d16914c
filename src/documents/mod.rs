//! Printable documents (PDF, A4): a small block layout on `printpdf` with DejaVu Sans embedded,
//! so Vietnamese diacritics print on any reader. A leaf: it knows blocks of text, tables and bar
//! charts (drawn as vector rectangles), not cases;
//! `service::documents` says what goes in each document. Lines are wrapped by the fonts' own
//! glyph widths; every page carries "Trang i/n".

use printpdf::{
    Color, FontId, Line, LinePoint, Mm, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions,
    Point, Pt, Rect, Rgb, TextItem,
};

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.7; // 20 mm
const BODY: f32 = 11.0;
const SMALL: f32 = 9.0;
const TITLE: f32 = 14.0;
const LEADING: f32 = 1.4;
/// Room left under each signature heading for the signature (and seal).
const SIGNATURE_ROOM: f32 = 72.0;
/// Padding inside a table cell.
const CELL_PAD: f32 = 3.0;

/// One block of a document, laid out top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A centred line (the national motto, the title).
    Centered { text: String, bold: bool, size: f32 },
    /// A bold heading.
    Heading(String),
    /// Wrapped text; `\n` starts a new line.
    Para(String),
    /// A label in bold followed by its value, wrapped.
    Field { label: String, value: String },
    /// Vertical space.
    Gap,
    /// Signature blocks in two columns: (who signs, how: "Ký, ghi rõ họ tên").
    Signatures(Vec<(String, String)>),
    /// A table in the small font: bold headers (repeated on a new page), rows of cells; the
    /// first column left-aligned, the others right-aligned (figures); `widths` are fractions
    /// of the text width, one per column.
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
        widths: Vec<f32>,
    },
    /// A horizontal bar chart: a caption, then one bar per (label, value, value as printed),
    /// scaled to `max` (or the largest value).
    Bars {
        caption: String,
        bars: Vec<(String, f64, String)>,
        max: Option<f64>,
    },
}

impl Block {
    pub fn title(text: &str) -> Block {
        Block::Centered {
            text: text.to_owned(),
            bold: true,
            size: TITLE,
        }
    }

    pub fn centered(text: &str, bold: bool) -> Block {
        Block::Centered {
            text: text.to_owned(),
            bold,
            size: BODY,
        }
    }

    pub fn field(label: &str, value: &str) -> Block {
        Block::Field {
            label: label.to_owned(),
            value: value.to_owned(),
        }
    }
}

/// A document: its title (also the PDF's metadata title) and its blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The fonts could not be read (they are built into the binary, so this is a build fault).
#[derive(Debug, thiserror::Error)]
#[error("the embedded fonts could not be parsed")]
pub struct FontError;

struct Face {
    parsed: ParsedFont,
    id: FontId,
}

impl Face {
    /// Width of `s` at `size` points.
    fn width(&self, s: &str, size: f32) -> f32 {
        let em = f32::from(self.parsed.units_per_em.max(1));
        let units: f32 = s
            .chars()
            .map(|c| {
                self.parsed
                    .lookup_glyph_index(c as u32)
                    .and_then(|g| self.parsed.get_glyph_width(g))
                    .map_or(em / 2.0, f32::from)
            })
            .sum();
        units / em * size
    }

    /// `text` broken into lines no wider than `max` (greedy, by words; a word longer than a
    /// line is broken between characters).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for para in text.split('\n') {
            let mut line = String::new();
            for word in para.split_whitespace() {
                let candidate = if line.is_empty() {
                    word.to_owned()
                } else {
                    format!("{line} {word}")
                };
                if self.width(&candidate, size) <= max {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, size) > max {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// Pages being filled.
struct Layout<'a> {
    regular: &'a Face,
    bold: &'a Face,
    pages: Vec<Vec<Op>>,
    /// Baseline of the next line, from the bottom of the page.
    y: f32,
}

impl Layout<'_> {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Makes room for `height` points, starting a page if needed.
    fn need(&mut self, height: f32) {
        if self.pages.is_empty() || self.y - height < MARGIN {
            self.pages.push(Vec::new());
            self.y = PAGE_H - MARGIN;
        }
    }

    fn text_at(&mut self, x: f32, y: f32, text: &str, bold: bool, size: f32) {
        let id = if bold {
            self.bold.id.clone()
        } else {
            self.regular.id.clone()
        };
        self.ops().extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(id),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point { x: Pt(x), y: Pt(y) },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.to_owned())],
            },
            Op::EndTextSection,
        ]);
    }

    fn line(&mut self, x: f32, text: &str, bold: bool, size: f32) {
        let h = size * LEADING;
        self.need(h);
        self.y -= h;
        let y = self.y;
        self.text_at(x, y, text, bold, size);
    }

    fn block(&mut self, b: &Block) {
        let width = PAGE_W - 2.0 * MARGIN;
        match b {
            Block::Centered { text, bold, size } => {
                let face = if *bold { self.bold } else { self.regular };
                for l in face.wrap(text, *size, width) {
                    let x = MARGIN + (width - face.width(&l, *size)) / 2.0;
                    self.line(x, &l, *bold, *size);
                }
            }
            Block::Heading(text) => {
                // Kept with the first lines of what follows: a heading never ends a page alone.
                self.need(BODY * LEADING * 4.0);
                self.y -= BODY * 0.4;
                for l in self.bold.wrap(text, BODY, width) {
                    self.line(MARGIN, &l, true, BODY);
                }
            }
            Block::Para(text) => {
                for l in self.regular.wrap(text, BODY, width) {
                    self.line(MARGIN, &l, false, BODY);
                }
            }
            Block::Field { label, value } => {
                for l in self.bold.wrap(label, BODY, width) {
                    self.line(MARGIN, &l, true, BODY);
                }
                let indent = 14.0;
                for l in self.regular.wrap(value, BODY, width - indent) {
                    self.line(MARGIN + indent, &l, false, BODY);
                }
            }
            Block::Gap => self.y -= BODY * LEADING,
            Block::Signatures(who) => self.signatures(who, width),
            Block::Table { headers, rows, widths } => self.table(headers, rows, widths, width),
            Block::Bars { caption, bars, max } => self.bars(caption, bars, *max, width),
        }
    }

    fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, grey: f32, mode: PaintMode) {
        let col = Color::Rgb(Rgb::new(grey, grey, grey, None));
        let colour = match mode {
            PaintMode::Fill => Op::SetFillColor { col },
            _ => Op::SetOutlineColor { col },
        };
        self.ops().extend([
            Op::SaveGraphicsState,
            colour,
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(y),
                    width: Pt(w),
                    height: Pt(h),
                    mode: Some(mode),
                    winding_order: None,
                },
            },
            Op::RestoreGraphicsState,
        ]);
    }

    fn rule(&mut self, x0: f32, x1: f32, y: f32) {
        let p = |x: f32| LinePoint {
            p: Point { x: Pt(x), y: Pt(y) },
            bezier: false,
        };
        self.ops().extend([
            Op::SaveGraphicsState,
            Op::SetOutlineColor {
                col: Color::Rgb(Rgb::new(0.6, 0.6, 0.6, None)),
            },
            Op::SetOutlineThickness { pt: Pt(0.5) },
            Op::DrawLine {
                line: Line {
                    points: vec![p(x0), p(x1)],
                    is_closed: false,
                },
            },
            Op::RestoreGraphicsState,
        ]);
    }

    /// The lines of each cell of a table row, and the row's height.
    fn row_lines(&self, cells: &[String], widths: &[f32], width: f32, bold: bool) -> (Vec<Vec<String>>, f32) {
        let face = if bold { self.bold } else { self.regular };
        let lines: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| face.wrap(c, SMALL, w * width - 2.0 * CELL_PAD))
            .collect();
        let n = lines.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (lines, n as f32 * SMALL * LEADING + CELL_PAD)
    }

    /// One table row: each cell wrapped in its column, the row as tall as its tallest cell,
    /// a rule under it.
    fn table_row(&mut self, cells: &[String], widths: &[f32], width: f32, bold: bool) {
        let face = if bold { self.bold } else { self.regular };
        let (lines, h) = self.row_lines(cells, widths, width, bold);
        self.need(h);
        let top = self.y;
        let mut x = MARGIN;
        for (i, (cell, w)) in lines.iter().zip(widths).enumerate() {
            let col_w = w * width;
            for (j, l) in cell.iter().enumerate() {
                let y = top - (j as f32 + 1.0) * SMALL * LEADING;
                let lx = if i == 0 {
                    x + CELL_PAD
                } else {
                    x + col_w - CELL_PAD - face.width(l, SMALL)
                };
                self.text_at(lx, y, l, bold, SMALL);
            }
            x += col_w;
        }
        self.y = top - h;
        let y = self.y;
        self.rule(MARGIN, MARGIN + width, y);
    }

    fn table(&mut self, headers: &[String], rows: &[Vec<String>], widths: &[f32], width: f32) {
        self.y -= SMALL * 0.5;
        self.table_row(headers, widths, width, true);
        for r in rows {
            let (_, h) = self.row_lines(r, widths, width, false);
            if self.y - h < MARGIN {
                // A new page: the headers again above the rest.
                self.pages.push(Vec::new());
                self.y = PAGE_H - MARGIN;
                self.table_row(headers, widths, width, true);
            }
            self.table_row(r, widths, width, false);
        }
        self.y -= SMALL * 0.5;
    }

    fn bars(&mut self, caption: &str, bars: &[(String, f64, String)], max: Option<f64>, width: f32) {
        const BAR_H: f32 = 8.0;
        let label_w = width * 0.38;
        let bar_x = MARGIN + label_w + 6.0;
        let bar_w = width * 0.48;
        let top = max
            .unwrap_or_else(|| bars.iter().map(|b| b.1).fold(0.0, f64::max))
            .max(f64::MIN_POSITIVE);
        self.y -= SMALL * 0.5;
        for l in self.bold.wrap(caption, SMALL, width) {
            self.line(MARGIN, &l, true, SMALL);
        }
        for (label, value, shown) in bars {
            let lines = self.regular.wrap(label, SMALL, label_w);
            let h = (lines.len().max(1) as f32 * SMALL * LEADING).max(BAR_H + 4.0);
            self.need(h);
            let row_top = self.y;
            for (j, l) in lines.iter().enumerate() {
                self.text_at(MARGIN, row_top - (j as f32 + 1.0) * SMALL * LEADING, l, false, SMALL);
            }
            let bar_y = row_top - SMALL * LEADING - 1.5;
            let w = (value / top).clamp(0.0, 1.0) as f32 * bar_w;
            self.rect(bar_x, bar_y, bar_w, BAR_H, 0.92, PaintMode::Fill);
            if w > 0.0 {
                self.rect(bar_x, bar_y, w, BAR_H, 0.25, PaintMode::Fill);
            }
            self.text_at(bar_x + bar_w + 4.0, row_top - SMALL * LEADING, shown, false, SMALL);
            self.y = row_top - h;
        }
        self.y -= SMALL * 0.5;
    }

    fn signatures(&mut self, who: &[(String, String)], width: f32) {
        let col = width / 2.0;
        for pair in who.chunks(2) {
            let height = 2.0 * BODY * LEADING + SMALL * LEADING + SIGNATURE_ROOM;
            self.need(height);
            self.y -= BODY * LEADING;
            let top = self.y;
            for (i, (role, how)) in pair.iter().enumerate() {
                let left = MARGIN + col * i as f32;
                let center = |face: &Face, s: &str, size: f32| left + (col - face.width(s, size)) / 2.0;
                let x = center(self.bold, role, BODY);
                self.text_at(x, top - BODY * LEADING, role, true, BODY);
                let x = center(self.regular, how, SMALL);
                self.text_at(x, top - BODY * LEADING - SMALL * LEADING, how, false, SMALL);
            }
            self.y = top - BODY * LEADING - SMALL * LEADING - SIGNATURE_ROOM;
        }
    }
}

/// The operations of each page, with its "Trang i/n" footer.
fn paginate(doc: &Document, regular: &Face, bold: &Face) -> Vec<Vec<Op>> {
    let mut layout = Layout {
        regular,
        bold,
        pages: Vec::new(),
        y: PAGE_H - MARGIN,
    };
    for b in &doc.blocks {
        layout.block(b);
    }
    let mut pages = std::mem::take(&mut layout.pages);
    if pages.is_empty() {
        pages.push(Vec::new());
    }
    let total = pages.len();
    for (i, ops) in pages.iter_mut().enumerate() {
        let footer = format!("Trang {}/{total}", i + 1);
        let x = PAGE_W - MARGIN - regular.width(&footer, SMALL);
        layout.pages = vec![std::mem::take(ops)];
        layout.text_at(x, MARGIN / 2.0, &footer, false, SMALL);
        *ops = layout.pages.pop().unwrap_or_default();
    }
    pages
}

/// The document as PDF bytes.
pub fn render(doc: &Document) -> Result<Vec<u8>, FontError> {
    let mut pdf = PdfDocument::new(&doc.title);
    let mut warnings = Vec::new();
    let mut face = |bytes: &[u8]| -> Result<Face, FontError> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut warnings).ok_or(FontError)?;
        let id = pdf.add_font(&parsed);
        Ok(Face { parsed, id })
    };
    let (regular, bold) = (face(REGULAR)?, face(BOLD)?);
    let pages = paginate(doc, &regular, &bold)
        .into_iter()
        .map(|ops| PdfPage::new(Mm(210.0), Mm(297.0), ops))
        .collect();
    let mut save_warnings = Vec::new();
    Ok(pdf
        .with_pages(pages)
        .save(&PdfSaveOptions::default(), &mut save_warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn faces() -> (Face, Face) {
        let mut pdf = PdfDocument::new("x");
        let mut face = |bytes: &[u8]| {
            let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new()).unwrap();
            let id = pdf.add_font(&parsed);
            Face { parsed, id }
        };
        (face(REGULAR), face(BOLD))
    }

    #[test]
    fn long_text_flows_onto_more_pages_and_renders() {
        let para = "Người tiêu dùng đề nghị hoàn tiền và bồi thường thiệt hại. ".repeat(40);
        let doc = Document {
            title: "Thử".into(),
            blocks: (0..6)
                .map(|_| Block::Para(para.clone()))
                .chain([Block::Signatures(vec![
                    ("BÊN A".into(), "(Ký, ghi rõ họ tên)".into()),
                    ("BÊN B".into(), "(Ký, ghi rõ họ tên)".into()),
                ])])
                .collect(),
        };
        let (regular, bold) = faces();
        assert!(paginate(&doc, &regular, &bold).len() >= 3);
        assert!(render(&doc).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn long_tables_repeat_their_headers_and_charts_render() {
        let rows: Vec<Vec<String>> = (0..120).map(|i| vec![format!("Dòng {i}"), i.to_string()]).collect();
        let doc = Document {
            title: "Bảng".into(),
            blocks: vec![
                Block::Bars {
                    caption: "Theo tháng".into(),
                    bars: vec![("01/2026".into(), 3.0, "3".into()), ("02/2026".into(), 0.0, "0".into())],
                    max: None,
                },
                Block::Table {
                    headers: vec!["Lĩnh vực".into(), "Số vụ việc".into()],
                    rows,
                    widths: vec![0.7, 0.3],
                },
            ],
        };
        let (regular, bold) = faces();
        let pages = paginate(&doc, &regular, &bold);
        assert!(pages.len() >= 3, "{}", pages.len());
        let shows = |ops: &Vec<Op>, t: &str| {
            ops.iter()
                .any(|o| matches!(o, Op::ShowText { items } if items == &vec![TextItem::Text(t.to_owned())]))
        };
        assert!(pages.iter().all(|p| shows(p, "Lĩnh vực")), "headers on every page");
        assert!(render(&doc).unwrap().starts_with(b"%PDF-"));
    }

    #[test]
    fn words_wrap_by_glyph_width() {
        let (f, _) = faces();
        assert!(f.width("WWWW", 10.0) > f.width("iiii", 10.0));
        let lines = f.wrap("một hai ba bốn năm sáu bảy tám chín mười", 10.0, 60.0);
        assert!(lines.len() > 2, "{lines:?}");
        assert!(lines.iter().all(|l| f.width(l, 10.0) <= 60.0), "{lines:?}");
        assert_eq!(lines.join(" "), "một hai ba bốn năm sáu bảy tám chín mười");
    }
}
