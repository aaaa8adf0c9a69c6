//! Is this upload a real .xlsx workbook whose first sheet has a phone
//! column in its header row? Reads the sheet as a stream and stops after
//! the header row, so a large sheet costs no more than its first row.

use std::io::Cursor;

use calamine::{DataRef, DataType, Reader, Xlsx};

use super::headers::is_phone_header;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum XlsxProblem {
    #[error("the file is not an .xlsx workbook")]
    NotXlsx,
    #[error("the workbook has no sheet")]
    NoSheet,
    #[error("the first row of the first sheet has no phone column")]
    NoPhoneColumn,
}

pub fn check_recipients_header(bytes: &[u8]) -> Result<(), XlsxProblem> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| XlsxProblem::NotXlsx)?;
    let first = workbook.sheet_names().into_iter().next().ok_or(XlsxProblem::NoSheet)?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|_| XlsxProblem::NotXlsx)?;
    let mut header_row = None;
    while let Some(cell) = cells.next_cell().map_err(|_| XlsxProblem::NotXlsx)? {
        if *cell.get_value() == DataRef::Empty {
            continue;
        }
        let row = cell.get_position().0;
        if *header_row.get_or_insert(row) != row {
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
    }

    #[test]
    fn refuses_a_missing_header_and_non_workbooks() {
        let no_phone = workbook(&[&["name", "mobile"], &["x", "phone"]]);
        assert_eq!(check_recipients_header(&no_phone), Err(XlsxProblem::NoPhoneColumn));
        assert_eq!(check_recipients_header(&workbook(&[])), Err(XlsxProblem::NoPhoneColumn));
        assert_eq!(check_recipients_header(b"\x7fELF\x02\x01\x01 not a workbook"), Err(XlsxProblem::NotXlsx));
        assert_eq!(check_recipients_header(b""), Err(XlsxProblem::NotXlsx));
    }
}
