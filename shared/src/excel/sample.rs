//! A sample recipients list for trying imports and load: a header row
//! (Persian or English) and one distinct, valid Iranian mobile per row,
//! written in constant memory so a million rows fit anywhere.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::headers::{NAME_PERSIAN, PHONE_PERSIAN};

/// Excel's row limit, less the header row.
pub const MAX_ROWS: u32 = 1_048_575;

/// How often `progress` is called, in rows.
pub const PROGRESS_EVERY: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderLanguage {
    Persian,
    English,
}

/// Write `rows` recipients to `path`. `progress` gets the number of rows
/// written so far, every [`PROGRESS_EVERY`] rows and once more at the end
/// unless that count was just reported.
pub fn write(path: &Path, rows: u32, language: HeaderLanguage, mut progress: impl FnMut(u32)) -> Result<(), XlsxError> {
    let rows = rows.min(MAX_ROWS);
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory()?;
    sheet.set_name("Recipients")?;
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 24)?;
    let (phone_header, name_header) = match language {
        HeaderLanguage::Persian => (PHONE_PERSIAN, NAME_PERSIAN),
        HeaderLanguage::English => ("phone", "name"),
    };
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, phone_header, &bold)?;
    sheet.write_string_with_format(0, 1, name_header, &bold)?;
    for i in 0..rows {
        let row = i + 1;
        sheet.write_string(row, 0, phone(i))?;
        let name = match language {
            HeaderLanguage::Persian => format!("مخاطب {}", i + 1),
            HeaderLanguage::English => format!("Contact {}", i + 1),
        };
        sheet.write_string(row, 1, name)?;
        if row % PROGRESS_EVERY == 0 {
            progress(row);
        }
    }
    workbook.save(path)?;
    if rows % PROGRESS_EVERY != 0 {
        progress(rows);
    }
    Ok(())
}

/// The i-th distinct number in the 0912 range, in local form.
fn phone(i: u32) -> String {
    format!("0912{:07}", i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::Phone, excel::xlsx_check::check_recipients_header};

    #[test]
    fn writes_a_list_the_checker_accepts() {
        let path = std::env::temp_dir().join(format!("sample-{}.xlsx", uuid::Uuid::new_v4().simple()));
        let mut seen = Vec::new();
        write(&path, 25, HeaderLanguage::Persian, |n| seen.push(n)).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(check_recipients_header(&bytes), Ok(()));
        assert_eq!(seen.last(), Some(&25));
        assert!(Phone::parse(&phone(0)).is_ok() && Phone::parse(&phone(MAX_ROWS)).is_ok());
    }
}
