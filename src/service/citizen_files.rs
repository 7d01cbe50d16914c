//! Files a citizen attaches (the complaint form, "add information"): which kinds are allowed,
//! recognised by their first bytes (ADR 0022), and what to tell the citizen when a file is
//! refused. Storing them is `service::evidence` (the same as staff evidence).

use crate::error::{AppError, ErrorCode};

/// Bytes of a file's beginning kept to recognise its kind.
pub const HEAD_BYTES: usize = 512;

/// The allowed kind of a file from its first bytes (and, for the container formats ZIP, OLE2
/// and ISO-BMFF whose first bytes do not say which document or medium they hold, its name's
/// extension); `None` for anything else. The answer, never the declared type, is stored.
pub fn sniff(head: &[u8], file_name: &str) -> Option<&'static str> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(b"%PDF-") {
        return Some("application/pdf");
    }
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Some("image/jpeg");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Some("image/png");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Some("image/gif");
    }
    if starts(b"RIFF") && head.len() >= 12 {
        return match &head[8..12] {
            b"WEBP" => Some("image/webp"),
            b"WAVE" => Some("audio/wav"),
            _ => None,
        };
    }
    if starts(b"#!AMR") {
        return Some("audio/amr");
    }
    if starts(b"OggS") {
        return Some("audio/ogg");
    }
    if starts(b"ID3") || (head.len() >= 2 && head[0] == 0xFF && (head[1] & 0xE0) == 0xE0) {
        // An MP3 (ID3 tag or MPEG frame sync) or an ADTS AAC stream.
        return Some(if (head.get(1).copied().unwrap_or(0) & 0x06) == 0 && head[0] == 0xFF {
            "audio/aac"
        } else {
            "audio/mpeg"
        });
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"hevc" => Some("image/heic"),
            b"M4A " | b"M4B " => Some("audio/mp4"),
            b"3gp4" | b"3gp5" | b"3gp6" | b"3gp7" | b"3ge6" | b"3gg6" if matches!(ext.as_str(), "3ga" | "3gp") => {
                Some("audio/3gpp")
            }
            // Generic MP4 brands hold audio or video: only a recording named as one.
            b"isom" | b"mp41" | b"mp42" | b"iso2" | b"dash" if ext == "m4a" => Some("audio/mp4"),
            _ => None,
        };
    }
    if starts(b"PK\x03\x04") {
        return match ext.as_str() {
            "docx" => Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            "xlsx" => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            "pptx" => Some("application/vnd.openxmlformats-officedocument.presentationml.presentation"),
            "odt" => Some("application/vnd.oasis.opendocument.text"),
            "ods" => Some("application/vnd.oasis.opendocument.spreadsheet"),
            _ => None,
        };
    }
    if starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return match ext.as_str() {
            "doc" => Some("application/msword"),
            "xls" => Some("application/vnd.ms-excel"),
            "ppt" => Some("application/vnd.ms-powerpoint"),
            _ => None,
        };
    }
    None
}

/// The `accept` attribute of the file inputs: a hint for the phone's file picker (the server
/// decides by the bytes).
pub const ACCEPT: &str =
    "image/*,.heic,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,audio/*,.m4a,.amr,.3ga";

/// Why a citizen's file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    TooLarge { name: String, max_bytes: usize },
    NotAllowed { name: String },
    Empty { name: String },
    TooMany { max: usize },
}

impl FileProblem {
    /// What the citizen reads, in plain Vietnamese, with what to do.
    pub fn message_vi(&self) -> String {
        match self {
            FileProblem::TooLarge { name, max_bytes } => format!(
                "Tệp “{name}” lớn hơn {} cho phép. Hãy chụp lại ảnh nhỏ hơn hoặc chia tài liệu thành nhiều tệp.",
                size_vi(*max_bytes as i64)
            ),
            FileProblem::NotAllowed { name } => format!(
                "Tệp “{name}” không thuộc loại được nhận. Chỉ nhận ảnh, tệp PDF, tài liệu Word, Excel, PowerPoint và ghi âm cuộc gọi."
            ),
            FileProblem::Empty { name } => format!("Tệp “{name}” không có nội dung. Hãy chọn lại tệp."),
            FileProblem::TooMany { max } => format!("Chỉ gửi được tối đa {max} tệp mỗi lần. Hãy bỏ bớt tệp."),
        }
    }

    /// The same in English (the English pages, and the problem document's `detail`).
    pub fn message_en(&self) -> String {
        match self {
            FileProblem::TooLarge { name, max_bytes } => format!(
                "The file “{name}” is larger than the {} allowed. Take a smaller photo or split the document into several files.",
                size_vi(*max_bytes as i64).replace(',', ".")
            ),
            FileProblem::NotAllowed { name } => format!(
                "The file “{name}” is not a kind we accept. Only photos, PDF files, Word, Excel and PowerPoint documents and call recordings are accepted."
            ),
            FileProblem::Empty { name } => format!("The file “{name}” is empty. Choose the file again."),
            FileProblem::TooMany { max } => format!("You can send at most {max} files at once. Remove some files."),
        }
    }

    /// The API's answer: 422 with a stable code, on the field `evidence`.
    pub fn to_error(&self) -> AppError {
        let code = match self {
            FileProblem::TooLarge { .. } => ErrorCode::FileTooLarge,
            FileProblem::NotAllowed { .. } | FileProblem::Empty { .. } => ErrorCode::FileTypeNotAllowed,
            FileProblem::TooMany { .. } => ErrorCode::TooManyFiles,
        };
        AppError::Validation {
            code,
            field: "evidence".into(),
            en: self.message_en(),
            vi: self.message_vi(),
        }
    }
}

/// A size as a citizen reads it: "850 KB", "10 MB" (decimal point as a comma).
pub fn size_vi(bytes: i64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    let b = bytes.max(0) as f64;
    if b >= MIB {
        let mb = b / MIB;
        if (mb - mb.round()).abs() < 0.05 {
            format!("{} MB", mb.round() as i64)
        } else {
            format!("{:.1} MB", mb).replace('.', ",")
        }
    } else {
        format!("{} KB", ((b / 1024.0).ceil() as i64).max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_recognised_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"%PDF-1.7\n", "hoa-don.jpg"), Some("application/pdf"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0], "anh.pdf"), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....", "a.png"), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ", "a.webp"), Some("image/webp"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt ", "goi.wav"), Some("audio/wav"));
        assert_eq!(sniff(b"\0\0\0\x18ftypheic", "IMG_1.HEIC"), Some("image/heic"));
        assert_eq!(sniff(b"\0\0\0\x18ftypM4A \0", "ghi-am.m4a"), Some("audio/mp4"));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom", "ghi-am.m4a"), Some("audio/mp4"));
        assert_eq!(sniff(b"\0\0\0\x18ftypisom", "video.mp4"), None);
        assert_eq!(sniff(b"#!AMR\n", "call.amr"), Some("audio/amr"));
        assert_eq!(sniff(b"ID3\x04", "call.mp3"), Some("audio/mpeg"));
        assert_eq!(sniff(b"PK\x03\x04", "don.docx").map(|t| t.contains("word")), Some(true));
        assert_eq!(sniff(b"PK\x03\x04", "virus.zip"), None);
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "a.xls"),
            Some("application/vnd.ms-excel")
        );
        assert_eq!(sniff(b"MZ\x90\0", "anh.jpg"), None, "a program named as a photo");
        assert_eq!(sniff(b"<html><script>", "a.pdf"), None);
        assert_eq!(sniff(b"", "a.pdf"), None);
    }

    #[test]
    fn sizes_read_plainly() {
        assert_eq!(size_vi(10 * 1024 * 1024), "10 MB");
        assert_eq!(size_vi(1_572_864), "1,5 MB");
        assert_eq!(size_vi(300), "1 KB");
        assert_eq!(size_vi(850 * 1024), "850 KB");
    }
}
