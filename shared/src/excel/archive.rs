//! The checks an .xlsx passes before calamine opens it. An .xlsx is a zip
//! archive, and a hostile one can claim to be small while it expands to
//! gigabytes (a zip bomb), or announce a billion shared strings that
//! calamine would reserve memory for up front. The central directory
//! declares every entry's uncompressed size, and the zip crate refuses to
//! inflate an entry past its declared size, so summing the declarations
//! bounds what opening the workbook can cost.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::import::ImportError;

/// Everything inside one workbook, uncompressed. A 1,000,000-row list of
/// phones and names is about 150 MB of XML.
pub const MAX_UNCOMPRESSED_BYTES: u64 = 300 * 1024 * 1024;
const MAX_ENTRIES: usize = 10_000;
/// Two text cells per row for the largest list accepted, with room to spare.
const MAX_SHARED_STRINGS: u64 = 3_000_000;
/// `<si><t/></si>`: the smallest shared string entry there is.
const MIN_SHARED_STRING_BYTES: u64 = 13;

pub fn check_xlsx(bytes: &[u8]) -> Result<(), ImportError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| ImportError::Unreadable("The .xlsx file is damaged (not a readable zip archive)".into()))?;
    if archive.len() > MAX_ENTRIES {
        return Err(ImportError::TooLarge(format!("The workbook has more than {MAX_ENTRIES} parts")));
    }
    let mut total: u64 = 0;
    let mut workbook = false;
    let mut shared_strings = Vec::new();
    for index in 0..archive.len() {
        let entry =
            archive.by_index_data(index).map_err(|_| ImportError::Unreadable("The .xlsx file is damaged".into()))?;
        total = total.saturating_add(entry.size());
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        workbook |= name.ends_with("workbook.xml");
        if name.ends_with("sharedStrings.xml") {
            shared_strings.push((index, entry.size()));
        }
    }
    if total > MAX_UNCOMPRESSED_BYTES {
        return Err(ImportError::TooLarge(format!(
            "The workbook expands to more than {} MB; split the list into smaller files",
            MAX_UNCOMPRESSED_BYTES / (1024 * 1024)
        )));
    }
    if !workbook {
        return Err(ImportError::NotSpreadsheet);
    }
    for (index, size) in shared_strings {
        let announced = announced_shared_strings(&mut archive, index)?;
        if announced > MAX_SHARED_STRINGS || announced > size / MIN_SHARED_STRING_BYTES + 1 {
            return Err(ImportError::Unreadable("The workbook's shared string table is inconsistent".into()));
        }
    }
    Ok(())
}

/// The `uniqueCount` that the shared-strings part announces (0 if none).
fn announced_shared_strings(archive: &mut ZipArchive<Cursor<&[u8]>>, index: usize) -> Result<u64, ImportError> {
    let mut head = Vec::with_capacity(4096);
    archive
        .by_index(index)
        .and_then(|entry| Ok(entry.take(4096).read_to_end(&mut head)?))
        .map_err(|_| ImportError::Unreadable("The .xlsx file is damaged".into()))?;
    let text = String::from_utf8_lossy(&head);
    let Some(start) = text.find("uniqueCount=\"") else { return Ok(0) };
    let digits: String = text[start + 13..].chars().take_while(char::is_ascii_digit).collect();
    Ok(digits.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use zip::{write::SimpleFileOptions, ZipWriter};

    use super::*;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, content) in entries {
            writer.start_file(*name, SimpleFileOptions::default()).unwrap();
            writer.write_all(content).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn a_plain_zip_is_not_a_workbook() {
        let bytes = archive(&[("notes.txt", b"hello")]);
        assert!(matches!(check_xlsx(&bytes), Err(ImportError::NotSpreadsheet)));
    }

    #[test]
    fn lying_shared_string_counts_are_refused() {
        let sst =
            br#"<?xml version="1.0"?><sst xmlns="x" count="1" uniqueCount="999999999999"><si><t>a</t></si></sst>"#;
        let bytes = archive(&[("xl/workbook.xml", b"<workbook/>"), ("xl/sharedStrings.xml", sst)]);
        assert!(matches!(check_xlsx(&bytes), Err(ImportError::Unreadable(_))));
    }

    #[test]
    fn garbage_is_unreadable() {
        assert!(matches!(check_xlsx(b"PK\x03\x04 not really"), Err(ImportError::Unreadable(_))));
    }
}
