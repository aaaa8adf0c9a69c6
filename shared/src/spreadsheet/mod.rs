//! Recipient spreadsheets: the header names SPEC accepts, checking that an
//! uploaded .xlsx has a phone column, and writing sample lists.

pub mod headers;
pub mod sample;
pub mod xlsx_check;

/// The content type of an .xlsx workbook.
pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
