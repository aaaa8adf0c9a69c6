//! What an uploaded attachment really is, from its first bytes (magic
//! numbers, via `infer`), never from its name or the client's claimed type.
//! WhatsApp sends images, videos and documents; everything else is refused.
//! Office files are zip archives: whatever the magic bytes suggest, a
//! .docx/.xlsx/.pptx must have the package's `[Content_Types].xml` and its
//! main folder in the archive's directory; a plain zip is refused.

use std::io::Cursor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Document,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType {
    pub mime: &'static str,
    pub extension: &'static str,
    pub kind: MediaKind,
}

const ALLOWED: &[(&str, MediaKind)] = &[
    ("image/jpeg", MediaKind::Image),
    ("image/png", MediaKind::Image),
    ("image/gif", MediaKind::Image),
    ("image/webp", MediaKind::Image),
    ("video/mp4", MediaKind::Video),
    ("video/quicktime", MediaKind::Video),
    ("video/webm", MediaKind::Video),
    ("video/x-matroska", MediaKind::Video),
    ("video/x-msvideo", MediaKind::Video),
    ("video/x-m4v", MediaKind::Video),
    ("video/mpeg", MediaKind::Video),
    ("application/pdf", MediaKind::Document),
    ("application/rtf", MediaKind::Document),
    ("application/msword", MediaKind::Document),
    ("application/vnd.ms-excel", MediaKind::Document),
    ("application/vnd.ms-powerpoint", MediaKind::Document),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", MediaKind::Document),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", MediaKind::Document),
    ("application/vnd.openxmlformats-officedocument.presentationml.presentation", MediaKind::Document),
    ("application/vnd.oasis.opendocument.text", MediaKind::Document),
    ("application/vnd.oasis.opendocument.spreadsheet", MediaKind::Document),
    ("application/vnd.oasis.opendocument.presentation", MediaKind::Document),
];

/// Office Open XML formats by the folder their main part lives in.
const OOXML: &[(&str, &str, &str)] = &[
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
];

/// The allowed media type of `bytes`, or `None` (an unknown or refused type).
pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
    let detected = infer::get(bytes)?;
    let is_ooxml = OOXML.iter().any(|(_, mime, _)| *mime == detected.mime_type());
    let (mime, extension) = match detected.mime_type() {
        // infer recognises Office files by a part name near the start; the
        // archive's directory is the stricter test.
        "application/zip" => office_in_zip(bytes)?,
        _ if is_ooxml => office_in_zip(bytes)?,
        mime => (mime, detected.extension()),
    };
    let &(mime, kind) = ALLOWED.iter().find(|(allowed, _)| *allowed == mime)?;
    Some(MediaType { mime, extension, kind })
}

fn office_in_zip(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    let archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    archive.index_for_name("[Content_Types].xml")?;
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    OOXML
        .iter()
        .find(|(folder, _, _)| names.iter().any(|n| n.starts_with(folder)))
        .map(|(_, mime, extension)| (*mime, *extension))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_allowed_types_by_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(sniff(png).unwrap().mime, "image/png");
        assert_eq!(sniff(b"%PDF-1.7\n").unwrap().kind, MediaKind::Document);
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0\0\x10JFIF").unwrap().extension, "jpg");
    }

    #[test]
    fn refuses_the_rest() {
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0"), None); // a Windows executable
        assert_eq!(sniff(b"just some text"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn tells_office_files_from_plain_zips() {
        use std::io::Write;
        let sheet = crate::excel::builtin_template().unwrap();
        assert_eq!(sniff(&sheet).unwrap().extension, "xlsx");
        // A folder named like Word's, but no package: just a zip.
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        writer.start_file("word/notes.txt", zip::write::SimpleFileOptions::default()).unwrap();
        writer.write_all(b"hello").unwrap();
        assert_eq!(sniff(&writer.finish().unwrap().into_inner()), None);
    }
}
