//! Is this upload a real .xlsx workbook whose first sheet has a phone
//! column in its header row (within the first rows, as the import looks for
//! it)? Reads the sheet as a stream and stops after those rows, so a large
//! sheet costs no more than its top.

use std::io::Cursor;

use calamine::{DataRef, DataType, Reader, Xlsx};

use super::headers::is_phone_header;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum XlsxProblem {
    #[error("the file is not an .xlsx workbook")]
    NotXlsx,
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error("none of the first 10 rows of the first sheet has a phone column")]
    NoPhoneColumn,
}

pub fn check_recipients_header(bytes: &[u8]) -> Result<(), XlsxProblem> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| XlsxProblem::NotXlsx)?;
    let first = workbook.sheet_names().into_iter().next().ok_or(XlsxProblem::NoSheet)?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|_| XlsxProblem::NotXlsx)?;
    // The import looks for its header row this far down (title rows above).
    while let Some(cell) = cells.next_cell().map_err(|_| XlsxProblem::NotXlsx)? {
        if *cell.get_value() == DataRef::Empty {
            continue;
        }
        if cell.get_position().0 >= super::import::HEADER_SEARCH_ROWS {
            break;
        }
        if cell.get_value().get_string().is_some_and(is_phone_header) {
            return Ok(());
        }
    }
    Err(XlsxProblem::NoPhoneColumn)
}

#[cfg(test)]
mod tests {
    use rust_xlsxwriter::Workbook;

    use super::*;

    fn workbook(rows: &[&[&str]]) -> Vec<u8> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                sheet.write_string(r as u32 + 1, c as u16, *text).unwrap();
            }
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn finds_the_phone_header_in_the_first_used_row() {
        assert_eq!(check_recipients_header(&workbook(&[&["نام", "شماره تلفن"], &["علی", "09123456789"]])), Ok(()));
        assert_eq!(check_recipients_header(&workbook(&[&["Name", "PHONE"]])), Ok(()));
        assert_eq!(check_recipients_header(&workbook(&[&["فهرست مشتریان"], &["نام", "موبایل"]])), Ok(()));
    }

    #[test]
    fn refuses_a_missing_header_and_non_workbooks() {
        let no_phone = workbook(&[&["name", "telephone"], &["x", "tel"]]);
        assert_eq!(check_recipients_header(&no_phone), Err(XlsxProblem::NoPhoneColumn));
        assert_eq!(check_recipients_header(&workbook(&[])), Err(XlsxProblem::NoPhoneColumn));
        assert_eq!(check_recipients_header(b"\x7fELF\x02\x01\x01 not a workbook"), Err(XlsxProblem::NotXlsx));
        assert_eq!(check_recipients_header(b""), Err(XlsxProblem::NotXlsx));
    }
}
