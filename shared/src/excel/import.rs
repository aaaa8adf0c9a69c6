//! Reading a recipient list: the first sheet of an .xlsx or .xls, or a
//! UTF-8 .csv (with or without BOM). The format is decided by the content,
//! never by the file name; the first non-empty row is the header; phones are
//! normalized by [`Phone`], duplicates dropped, invalid rows counted and the
//! first [`MAX_SKIPPED_LISTED`] of them reported with their row number.
//!
//! Memory stays proportional to the accepted rows: rows stream in one at a
//! time (the .xlsx sheet is never materialised), duplicates are tracked as
//! 64-bit numbers, and reading stops at the first row past [`MAX_ROWS`].
//! [`read_recipients_in_batches`] hands accepted rows on in batches while
//! reading goes on, so an import can write them as they come.
//! This module touches neither the database nor S3.

use std::collections::HashSet;

use serde::Serialize;

use super::{archive, rows};
use crate::{domain::Phone, error::ApiError, repo::recipients::NewRecipient};

pub const MAX_ROWS: u32 = 1_000_000;
pub const MAX_SKIPPED_LISTED: usize = 100;
const NAME_MAX_CHARS: usize = 255;
/// How an invalid value is echoed back, at most.
const ECHO_MAX_CHARS: usize = 40;

pub const PHONE_HEADERS: [&str; 4] = ["phone", "Phone", "PHONE", "شماره تلفن"];
pub const NAME_HEADERS: [&str; 4] = ["name", "Name", "NAME", "نام"];

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
    #[error("No phone column: the header row must name one phone, Phone, PHONE or شماره تلفن (a name column may be called name, Name, NAME or نام)")]
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
    /// The row number a spreadsheet application shows (1 is the header).
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
    /// The first invalid rows.
    pub skipped_rows: Vec<SkippedRow>,
}

/// Read, normalize and deduplicate a recipient list. CPU-bound: call it
/// from a blocking thread.
pub fn read_recipients(bytes: &[u8]) -> Result<RecipientList, ImportError> {
    read_with(bytes, Collector::default())
}

/// [`read_recipients`], handing the accepted recipients to `send` in
/// batches of `batch_size` (the last one shorter) while reading goes on;
/// `send` answers whether it wants more ([`ImportError::Abandoned`] if not).
/// The list returned has the counts and skipped rows, no recipients. A
/// later error (too many rows, none valid) comes after batches went out:
/// the consumer must be able to undo them (a transaction).
pub fn read_recipients_in_batches(
    bytes: &[u8],
    batch_size: usize,
    send: impl FnMut(Vec<NewRecipient>) -> bool,
) -> Result<RecipientList, ImportError> {
    let batch_size = batch_size.max(1);
    let sink = Sink { size: batch_size, batch: Vec::with_capacity(batch_size), send: Box::new(send) };
    read_with(bytes, Collector { sink: Some(sink), ..Collector::default() })
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
    list: RecipientList,
    sink: Option<Sink<'a>>,
}

impl Collector<'_> {
    /// Whether a cell of this column matters (every column of the header).
    pub(super) fn wants(&self, column: u32) -> bool {
        match &self.columns {
            None => true,
            Some(c) => c.phone == column || c.name == Some(column),
        }
    }

    /// One row: its number and its non-empty cells as (column, text).
    pub(super) fn row(&mut self, number: u32, cells: &[(u32, String)]) -> Result<(), ImportError> {
        if cells.iter().all(|(_, text)| text.trim().is_empty()) {
            return Ok(());
        }
        let Some(columns) = &self.columns else {
            self.columns = Some(header(cells)?);
            return Ok(());
        };
        let cell = |column: u32| cells.iter().find(|(c, _)| *c == column).map(|(_, text)| text.trim());
        let phone = cell(columns.phone).unwrap_or("");
        let name =
            columns.name.and_then(cell).filter(|n| !n.is_empty()).map(|n| n.chars().take(NAME_MAX_CHARS).collect());
        self.list.rows += 1;
        if self.list.rows > MAX_ROWS {
            return Err(ImportError::TooManyRows);
        }
        match Phone::parse(phone) {
            Ok(phone) => {
                // Canonical phones are at most 15 digits: they fit a u64.
                let key = phone.as_str().parse::<u64>().unwrap_or_default();
                if self.seen.insert(key) {
                    self.list.accepted += 1;
                    let recipient = NewRecipient { phone, name };
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
            return Err(ImportError::NoRecipients { skipped: self.list.invalid });
        }
        if let Some(sink) = &mut self.sink {
            sink.flush()?;
        }
        Ok(self.list)
    }
}

fn header(cells: &[(u32, String)]) -> Result<Columns, ImportError> {
    let find =
        |aliases: &[&str]| cells.iter().find(|(_, text)| header_matches(text, aliases)).map(|(column, _)| *column);
    let phone = find(&PHONE_HEADERS).ok_or(ImportError::NoPhoneColumn)?;
    Ok(Columns { phone, name: find(&NAME_HEADERS) })
}

/// Whether a header cell names the phone column (the admin's template check
/// uses this too, so both accept exactly the same headers).
pub fn is_phone_header(text: &str) -> bool {
    header_matches(text, &PHONE_HEADERS)
}

/// A header cell names a column if it is one of the aliases (ignoring
/// surrounding spaces, ZWNJ/NBSP spacing and ASCII case), or if one of its
/// `/`-separated parts is — so the bilingual template's `phone / شماره تلفن`
/// works too.
fn header_matches(text: &str, aliases: &[&str]) -> bool {
    let normalize = |s: &str| {
        s.replace(['\u{200C}', '\u{00A0}', '\u{FEFF}'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    text.split('/').map(normalize).any(|part| aliases.iter().any(|alias| normalize(alias) == part))
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
    fn headers_accept_every_alias() {
        for alias in PHONE_HEADERS.iter().chain(["  phone ", "phone / شماره تلفن", "شماره\u{200C}تلفن"].iter())
        {
            assert!(header_matches(alias, &PHONE_HEADERS), "{alias}");
        }
        assert!(!header_matches("telephone", &PHONE_HEADERS));
        assert!(header_matches("نام", &NAME_HEADERS));
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
        let list = read_recipients_in_batches(csv.as_bytes(), 2, |batch| {
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
        let result = read_recipients_in_batches(csv.as_bytes(), 1, |_| {
            calls += 1;
            false
        });
        assert!(matches!(result, Err(ImportError::Abandoned)));
        assert_eq!(calls, 1);
    }

    #[test]
    fn a_missing_phone_column_is_an_error() {
        let mut c = Collector::default();
        assert!(matches!(c.row(1, &cells(&["name", "mobile"])), Err(ImportError::NoPhoneColumn)));
        assert!(matches!(Collector::default().finish(), Err(ImportError::NoPhoneColumn)));
    }
}
