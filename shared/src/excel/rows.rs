//! The three row sources of an import, each feeding a [`Collector`] one row
//! at a time: the first sheet of an .xlsx (streamed cell by cell), of an
//! .xls (whose format caps a sheet at 65,536 rows), or a .csv.

use std::io::Cursor;

use calamine::{DataType, Reader, Xls, Xlsx};

use super::import::{Collector, ImportError};

fn unreadable(kind: &str, err: impl Into<calamine::Error>) -> ImportError {
    tracing::debug!(error = %err.into(), "spreadsheet rejected");
    ImportError::Unreadable(format!("The {kind} file could not be read; save it again from a spreadsheet application"))
}

/// A cell as text. Numeric cells keep their digits (`9123456789`, not
/// `9.123456789E9`): spreadsheets store phones typed without a leading zero
/// as numbers.
fn cell_text<T: DataType>(cell: &T) -> Option<String> {
    if cell.is_empty() {
        return None;
    }
    if let Some(value) = cell.get_float() {
        if value.fract() == 0.0 && value.abs() < 1e15 {
            return Some(format!("{}", value as i64));
        }
    }
    cell.as_string()
}

pub(super) fn xlsx(bytes: &[u8], collector: &mut Collector<'_>) -> Result<(), ImportError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(".xlsx", e))?;
    let first = workbook.sheet_names().first().cloned().ok_or(ImportError::NoPhoneColumn)?;
    let mut cells = workbook.worksheet_cells_reader(&first).map_err(|e| unreadable(".xlsx", e))?;
    let mut current: Option<u32> = None;
    let mut row: Vec<(u32, String)> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(".xlsx", e))? {
        let (number, column) = cell.get_position();
        if current != Some(number) {
            if let Some(done) = current {
                collector.row(done + 1, &row)?;
            }
            row.clear();
            current = Some(number);
        }
        if collector.wants(column) {
            if let Some(text) = cell_text(cell.get_value()) {
                row.push((column, text));
            }
        }
    }
    if let Some(done) = current {
        collector.row(done + 1, &row)?;
    }
    Ok(())
}

pub(super) fn xls(bytes: &[u8], collector: &mut Collector<'_>) -> Result<(), ImportError> {
    let mut workbook: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| unreadable(".xls", e))?;
    let range = workbook.worksheet_range_at(0).ok_or(ImportError::NoPhoneColumn)?.map_err(|e| unreadable(".xls", e))?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let mut row: Vec<(u32, String)> = Vec::new();
    for (offset, cells) in range.rows().enumerate() {
        row.clear();
        for (index, cell) in cells.iter().enumerate() {
            let column = first_column + index as u32;
            if collector.wants(column) {
                if let Some(text) = cell_text(cell) {
                    row.push((column, text));
                }
            }
        }
        collector.row(first_row + offset as u32 + 1, &row)?;
    }
    Ok(())
}

pub(super) fn csv(bytes: &[u8], collector: &mut Collector<'_>) -> Result<(), ImportError> {
    let bytes = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(bytes);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter(bytes)).from_reader(bytes);
    let mut record = csv::StringRecord::new();
    let mut row: Vec<(u32, String)> = Vec::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(_) => {
                return Err(ImportError::Unreadable("The .csv file could not be read (it must be UTF-8 text)".into()))
            }
        }
        let number = record.position().map_or(0, |p| p.line() as u32);
        row.clear();
        for (index, field) in record.iter().enumerate() {
            let column = index as u32;
            if collector.wants(column) && !field.trim().is_empty() {
                row.push((column, field.to_owned()));
            }
        }
        collector.row(number, &row)?;
    }
}

/// `,` unless the first line has more `;` or tabs (spreadsheet applications
/// in many locales save CSV with semicolons).
fn delimiter(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|b| *b == b'\n').find(|line| !line.iter().all(u8::is_ascii_whitespace)).unwrap_or(&[]);
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| (first_line.iter().filter(|b| *b == d).count(), *d == b','))
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_delimiter_of_the_header() {
        assert_eq!(delimiter(b"phone,name\n1;2"), b',');
        assert_eq!(delimiter(b"\nphone;name\n"), b';');
        assert_eq!(delimiter(b"phone\tname"), b'\t');
        assert_eq!(delimiter(b"phone"), b',');
    }
}
