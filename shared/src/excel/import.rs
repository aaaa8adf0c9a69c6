//! Reading a recipient list: the first sheet of an .xlsx or .xls, or a
//! UTF-8 .csv (with or without BOM). The format is decided by the content,
//! never by the file name. The header row is the first of the top
//! [`HEADER_SEARCH_ROWS`] rows that names a phone column (title rows above
//! it are passed over; see `headers` for the accepted names); every other
//! headed column is kept per recipient (bounded) for the message's
//! placeholders. Phones are normalized by [`Phone`], duplicates dropped,
//! numbers on the owner's suppression list left out, invalid rows counted and
//! the first [`MAX_SKIPPED_LISTED`] of them reported with their row number.
//!
//! Memory stays proportional to the accepted rows: rows stream in one at a
//! time (the .xlsx sheet is never materialised), duplicates are tracked as
//! 64-bit numbers, and reading stops at the first row past [`MAX_ROWS`].
//! [`read_recipients_in_batches`] hands accepted rows on in batches while
//! reading goes on, so an import can write them as they come.
//! This module touches neither the database nor S3.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::{archive, headers, rows};
use crate::{domain::Phone, error::ApiError, repo::recipients::NewRecipient};

pub const MAX_ROWS: u32 = 1_000_000;
pub const MAX_SKIPPED_LISTED: usize = 100;
const NAME_MAX_CHARS: usize = 255;
/// How an invalid value is echoed back, at most.
const ECHO_MAX_CHARS: usize = 40;
/// The header row is looked for in this many rows at the top of the sheet.
pub const HEADER_SEARCH_ROWS: u32 = 10;
/// Other columns kept per recipient, at most, and their size.
pub const MAX_EXTRA_COLUMNS: usize = 30;
pub const EXTRA_HEADER_MAX_CHARS: usize = 100;
pub const EXTRA_VALUE_MAX_CHARS: usize = 255;
/// The reason a number on the suppression list is skipped with.
pub const OPTED_OUT: &str = "opted out";

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("The file is not a spreadsheet: upload an .xlsx, .xls or UTF-8 .csv file")]
    NotSpreadsheet,
    #[error("{0}")]
    Unreadable(String),
    #[error("{0}")]
    TooLarge(String),
    #[error("The list has more than 1,000,000 rows; split it into smaller files")]
    TooManyRows,
    #[error("No phone column: one of the first 10 rows must be a header row naming the phone column (phone, Phone, PHONE, شماره تلفن, موبایل, شماره موبایل, تلفن همراه, شماره همراه, mobile, cell or WhatsApp); a name column may be called name, Name, NAME or نام")]
    NoPhoneColumn,
    #[error("No row has a valid phone number ({skipped} rows skipped)")]
    NoRecipients { skipped: u32 },
    /// The consumer of [`read_recipients_in_batches`] stopped taking batches.
    #[error("The import stopped before the list was read")]
    Abandoned,
}

impl From<ImportError> for ApiError {
    fn from(err: ImportError) -> Self {
        let message = err.to_string();
        match err {
            ImportError::NotSpreadsheet => ApiError::UnsupportedMediaType(message),
            ImportError::TooLarge(_) | ImportError::TooManyRows => ApiError::PayloadTooLarge(message),
            ImportError::Unreadable(_) => ApiError::BadRequest { code: "INVALID_SPREADSHEET", message },
            ImportError::NoPhoneColumn => ApiError::BadRequest { code: "PHONE_COLUMN_MISSING", message },
            ImportError::NoRecipients { .. } => ApiError::BadRequest { code: "NO_VALID_RECIPIENTS", message },
            ImportError::Abandoned => ApiError::internal(anyhow::anyhow!(message)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xls,
    Csv,
}

/// What the bytes are, by their magic numbers: a zip archive (.xlsx), an
/// OLE2 compound file (.xls), or UTF-8 text without NUL bytes (.csv).
pub fn detect_format(bytes: &[u8]) -> Result<Format, ImportError> {
    const ZIP: &[u8] = b"PK\x03\x04";
    const OLE2: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(ZIP) {
        Ok(Format::Xlsx)
    } else if bytes.starts_with(OLE2) {
        Ok(Format::Xls)
    } else if !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok() {
        Ok(Format::Csv)
    } else {
        Err(ImportError::NotSpreadsheet)
    }
}

/// An invalid row, as reported back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SkippedRow {
    /// The row number a spreadsheet application shows.
    pub row: u32,
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct RecipientList {
    /// Empty when they went out in batches.
    pub recipients: Vec<NewRecipient>,
    /// Distinct valid recipients.
    pub accepted: u32,
    /// Data rows read (blank rows and the header not counted).
    pub rows: u32,
    pub invalid: u32,
    pub duplicates: u32,
    /// Rows left out because the number is on the suppression list.
    pub opted_out: u32,
    /// The first invalid (or opted-out) rows.
    pub skipped_rows: Vec<SkippedRow>,
    /// Where the list was found (the header row and the phone column).
    pub layout: Option<Layout>,
}

/// Which row held the headers and which columns were used, as a
/// spreadsheet application names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Layout {
    /// 1-based row number of the header row.
    pub header_row: u32,
    /// Column letter (`B`) and the header found there.
    pub phone_column: String,
    pub phone_header: String,
    pub name_column: Option<String>,
    /// The other columns kept, by header: usable as `{{header}}`.
    pub columns: Vec<String>,
}

/// Read, normalize and deduplicate a recipient list. CPU-bound: call it
/// from a blocking thread.
pub fn read_recipients(bytes: &[u8]) -> Result<RecipientList, ImportError> {
    read_with(bytes, Collector::default())
}

/// Phones (canonical digits as numbers) the list must leave out.
pub type Suppressed = HashSet<u64>;

/// [`read_recipients`], handing the accepted recipients to `send` in
/// batches of `batch_size` (the last one shorter) while reading goes on;
/// `send` answers whether it wants more ([`ImportError::Abandoned`] if not).
/// The list returned has the counts and skipped rows, no recipients. A
/// later error (too many rows, none valid) comes after batches went out:
/// the consumer must be able to undo them (a transaction).
pub fn read_recipients_in_batches(
    bytes: &[u8],
    batch_size: usize,
    suppressed: Suppressed,
    send: impl FnMut(Vec<NewRecipient>) -> bool,
) -> Result<RecipientList, ImportError> {
    let batch_size = batch_size.max(1);
    let sink = Sink { size: batch_size, batch: Vec::with_capacity(batch_size), send: Box::new(send) };
    read_with(bytes, Collector { sink: Some(sink), suppressed, ..Collector::default() })
}

/// Canonical phones as they are kept in a [`Suppressed`] set.
pub fn phone_key(phone: &Phone) -> u64 {
    // Canonical phones are at most 15 digits: they fit a u64.
    phone.as_str().parse::<u64>().unwrap_or_default()
}

fn read_with(bytes: &[u8], mut collector: Collector<'_>) -> Result<RecipientList, ImportError> {
    match detect_format(bytes)? {
        Format::Xlsx => {
            archive::check_xlsx(bytes)?;
            rows::xlsx(bytes, &mut collector)?;
        }
        Format::Xls => rows::xls(bytes, &mut collector)?,
        Format::Csv => rows::csv(bytes, &mut collector)?,
    }
    collector.finish()
}

struct Columns {
    phone: u32,
    name: Option<u32>,
    /// The other headed columns: (column, header).
    extra: Vec<(u32, String)>,
}

/// Where accepted recipients go when they are handed on in batches.
struct Sink<'a> {
    size: usize,
    batch: Vec<NewRecipient>,
    send: Box<dyn FnMut(Vec<NewRecipient>) -> bool + 'a>,
}

impl Sink<'_> {
    fn flush(&mut self) -> Result<(), ImportError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(self.size));
        if (self.send)(full) {
            Ok(())
        } else {
            Err(ImportError::Abandoned)
        }
    }
}

/// Receives rows from a sheet reader, one at a time.
#[derive(Default)]
pub(super) struct Collector<'a> {
    columns: Option<Columns>,
    seen: HashSet<u64>,
    suppressed: Suppressed,
    list: RecipientList,
    sink: Option<Sink<'a>>,
}

impl Collector<'_> {
    /// Whether a cell of this column matters (every column of the header).
    pub(super) fn wants(&self, column: u32) -> bool {
        match &self.columns {
            None => true,
            Some(c) => c.phone == column || c.name == Some(column) || c.extra.iter().any(|(e, _)| *e == column),
        }
    }

    /// One row: its number and its non-empty cells as (column, text).
    pub(super) fn row(&mut self, number: u32, cells: &[(u32, String)]) -> Result<(), ImportError> {
        if cells.iter().all(|(_, text)| text.trim().is_empty()) {
            return Ok(());
        }
        let Some(columns) = &self.columns else {
            match header(cells) {
                Some(columns) => {
                    self.list.layout = Some(layout(number, &columns, cells));
                    self.columns = Some(columns);
                }
                // A title row above the headers.
                None if number < HEADER_SEARCH_ROWS => {}
                None => return Err(ImportError::NoPhoneColumn),
            }
            return Ok(());
        };
        let cell = |column: u32| cells.iter().find(|(c, _)| *c == column).map(|(_, text)| text.trim());
        let phone = cell(columns.phone).unwrap_or("");
        let name =
            columns.name.and_then(cell).filter(|n| !n.is_empty()).map(|n| n.chars().take(NAME_MAX_CHARS).collect());
        let variables: BTreeMap<String, String> = columns
            .extra
            .iter()
            .filter_map(|(column, header)| {
                let value = cell(*column).filter(|v| !v.is_empty())?;
                Some((header.clone(), value.chars().take(EXTRA_VALUE_MAX_CHARS).collect()))
            })
            .collect();
        self.list.rows += 1;
        if self.list.rows > MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        if looks_shortened(phone) {
            self.skip(number, phone, "phone was shortened by the spreadsheet (scientific notation): format the column as text and save again");
            return Ok(());
        }
        match Phone::parse(phone) {
            Ok(phone) => {
                let key = phone_key(&phone);
                if self.suppressed.contains(&key) {
                    self.list.opted_out += 1;
                    self.list_skipped(number, phone.as_str(), OPTED_OUT);
                } else if self.seen.insert(key) {
                    self.list.accepted += 1;
                    let recipient = NewRecipient { phone, name, variables };
                    match &mut self.sink {
                        None => self.list.recipients.push(recipient),
                        Some(sink) => {
                            sink.batch.push(recipient);
                            if sink.batch.len() >= sink.size {
                                sink.flush()?;
                            }
                        }
                    }
                } else {
                    self.list.duplicates += 1;
                }
            }
            Err(reason) => self.skip(number, phone, &format!("phone {reason}")),
        }
        Ok(())
    }

    fn skip(&mut self, row: u32, value: &str, reason: &str) {
        self.list.invalid += 1;
        self.list_skipped(row, value, reason);
    }

    fn list_skipped(&mut self, row: u32, value: &str, reason: &str) {
        if self.list.skipped_rows.len() < MAX_SKIPPED_LISTED {
            let value = value.chars().take(ECHO_MAX_CHARS).collect();
            self.list.skipped_rows.push(SkippedRow { row, value, reason: reason.to_owned() });
        }
    }

    fn finish(mut self) -> Result<RecipientList, ImportError> {
        if self.columns.is_none() {
            return Err(ImportError::NoPhoneColumn);
        }
        if self.list.accepted == 0 {
            return Err(ImportError::NoRecipients { skipped: self.list.invalid + self.list.opted_out });
        }
        if let Some(sink) = &mut self.sink {
            sink.flush()?;
        }
        Ok(self.list)
    }
}

/// The columns, if this row is the header row (it names a phone column).
fn header(cells: &[(u32, String)]) -> Option<Columns> {
    let find = |is: fn(&str) -> bool| cells.iter().find(|(_, text)| is(text)).map(|(column, _)| *column);
    let phone = find(headers::is_phone_header)?;
    let name = find(headers::is_name_header);
    let mut seen: Vec<String> = Vec::new();
    let extra = cells
        .iter()
        .filter(|(column, text)| *column != phone && Some(*column) != name && !text.trim().is_empty())
        .filter_map(|(column, text)| {
            let header: String = text.trim().chars().take(EXTRA_HEADER_MAX_CHARS).collect();
            // A repeated header: the first column of that name wins.
            let key = headers::normalize(&header);
            (!seen.contains(&key)).then(|| {
                seen.push(key);
                (*column, header)
            })
        })
        .take(MAX_EXTRA_COLUMNS)
        .collect();
    Some(Columns { phone, name, extra })
}

fn layout(row: u32, columns: &Columns, cells: &[(u32, String)]) -> Layout {
    let text =
        |column: u32| cells.iter().find(|(c, _)| *c == column).map_or(String::new(), |(_, t)| t.trim().to_owned());
    Layout {
        header_row: row,
        phone_column: column_letters(columns.phone),
        phone_header: text(columns.phone),
        name_column: columns.name.map(column_letters),
        columns: columns.extra.iter().map(|(_, header)| header.clone()).collect(),
    }
}

/// `0` → `A`, `27` → `AB`.
fn column_letters(column: u32) -> String {
    let mut n = column + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

/// `9.12123E+09`: a number a spreadsheet displayed in scientific notation
/// and then saved as text (a .csv), with its last digits gone for good.
fn looks_shortened(text: &str) -> bool {
    let Some((mantissa, exponent)) = text.split_once(['E', 'e']) else { return false };
    mantissa.contains('.')
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && exponent.trim_start_matches('+').chars().all(|c| c.is_ascii_digit())
        && !exponent.is_empty()
}

/// Whether a header cell names the phone column (the admin's template check
/// uses this too, so both accept exactly the same headers).
pub fn is_phone_header(text: &str) -> bool {
    headers::is_phone_header(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(texts: &[&str]) -> Vec<(u32, String)> {
        texts.iter().enumerate().map(|(i, t)| (i as u32, (*t).to_owned())).collect()
    }

    #[test]
    fn detects_formats_by_content() {
        assert_eq!(detect_format(b"PK\x03\x04rest").unwrap(), Format::Xlsx);
        assert_eq!(detect_format(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]).unwrap(), Format::Xls);
        assert_eq!(detect_format("phone\n0912".as_bytes()).unwrap(), Format::Csv);
        assert!(matches!(detect_format(b"\x89PNG\r\n\x1a\n\0"), Err(ImportError::NotSpreadsheet)));
        assert!(matches!(detect_format(b""), Err(ImportError::NotSpreadsheet)));
    }

    #[test]
    fn normalizes_dedupes_and_reports() {
        let mut c = Collector::default();
        c.row(1, &cells(&["نام", "شماره تلفن"])).unwrap();
        c.row(2, &cells(&["علی", "۰۹۱۲۳۴۵۶۷۸۹"])).unwrap();
        c.row(3, &cells(&["", "9123456789"])).unwrap();
        c.row(4, &cells(&["", ""])).unwrap();
        c.row(5, &cells(&["بد", "12ab"])).unwrap();
        c.row(6, &cells(&["خالی"])).unwrap();
        let list = c.finish().unwrap();
        assert_eq!(list.recipients.len(), 1);
        assert_eq!(list.recipients[0].phone.as_str(), "989123456789");
        assert_eq!(list.recipients[0].name.as_deref(), Some("علی"));
        assert_eq!((list.rows, list.invalid, list.duplicates), (4, 2, 1));
        assert_eq!(list.skipped_rows[0].row, 5);
        assert_eq!(list.skipped_rows[1].reason, "phone is empty");
    }

    #[test]
    fn batches_carry_every_accepted_recipient_in_order() {
        let csv: String = std::iter::once("phone,name\n".to_owned())
            .chain((0..5).map(|i| format!("0912000000{i},n{i}\n")))
            .chain(["0912000000", "1,dup\nbad,x\n"].map(str::to_owned))
            .collect();
        let mut batches = Vec::new();
        let list = read_recipients_in_batches(csv.as_bytes(), 2, Suppressed::new(), |batch| {
            batches.push(batch.iter().map(|r| r.phone.as_str().to_owned()).collect::<Vec<_>>());
            true
        })
        .unwrap();
        let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
        assert_eq!(sizes, [2, 2, 1]);
        assert_eq!(batches[0][0], "989120000000");
        assert_eq!(batches[2][0], "989120000004");
        assert!(list.recipients.is_empty());
        assert_eq!((list.accepted, list.duplicates, list.invalid), (5, 1, 1));
    }

    #[test]
    fn a_consumer_that_stops_abandons_the_read() {
        let csv = "phone\n09120000000\n09120000001\n09120000002\n";
        let mut calls = 0;
        let result = read_recipients_in_batches(csv.as_bytes(), 1, Suppressed::new(), |_| {
            calls += 1;
            false
        });
        assert!(matches!(result, Err(ImportError::Abandoned)));
        assert_eq!(calls, 1);
    }

    #[test]
    fn a_missing_phone_column_is_an_error() {
        let mut c = Collector::default();
        c.row(1, &cells(&["name", "telephone"])).unwrap();
        assert!(matches!(c.finish(), Err(ImportError::NoPhoneColumn)));
        assert!(matches!(Collector::default().finish(), Err(ImportError::NoPhoneColumn)));
        let mut c = Collector::default();
        assert!(matches!(c.row(HEADER_SEARCH_ROWS, &cells(&["title"])), Err(ImportError::NoPhoneColumn)));
    }

    #[test]
    fn title_rows_above_the_headers_are_passed_over_and_the_layout_is_reported() {
        let mut c = Collector::default();
        c.row(1, &cells(&["فهرست مشتریان پاییز"])).unwrap();
        c.row(3, &cells(&["ردیف", "نام", "شهر", "تلفن همراه"])).unwrap();
        c.row(4, &cells(&["1", "علی", "تهران", "9121234567"])).unwrap();
        let list = c.finish().unwrap();
        let layout = list.layout.unwrap();
        assert_eq!(
            (layout.header_row, layout.phone_column.as_str(), layout.phone_header.as_str()),
            (3, "D", "تلفن همراه")
        );
        assert_eq!(layout.name_column.as_deref(), Some("B"));
        assert_eq!(layout.columns, ["ردیف", "شهر"]);
        let recipient = &list.recipients[0];
        assert_eq!(recipient.phone.as_str(), "989121234567");
        assert_eq!(recipient.variables.get("شهر").map(String::as_str), Some("تهران"));
    }

    #[test]
    fn numbers_a_spreadsheet_shortened_are_skipped_with_the_reason() {
        let list = read_recipients("mobile\n9.12123E+09\n09121234567\n".as_bytes()).unwrap();
        assert_eq!((list.accepted, list.invalid), (1, 1));
        assert!(list.skipped_rows[0].reason.contains("scientific notation"), "{:?}", list.skipped_rows);
    }

    #[test]
    fn suppressed_numbers_are_skipped_as_opted_out() {
        let suppressed: Suppressed = [989121234567].into_iter().collect();
        let csv = "phone\n09121234567\n09121234568\n";
        let list = read_recipients_in_batches(csv.as_bytes(), 10, suppressed, |_| true).unwrap();
        assert_eq!((list.accepted, list.opted_out, list.invalid), (1, 1, 0));
        assert_eq!(list.skipped_rows[0].reason, OPTED_OUT);
        assert_eq!(list.skipped_rows[0].row, 2);
    }

    #[test]
    fn column_letters_follow_spreadsheets() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(27), "AB");
    }
}
