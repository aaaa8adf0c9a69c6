//! Spreadsheets in and out: reading recipient lists safely (`import`, with
//! the archive checks in `archive` and the row readers in `rows`), writing
//! report workbooks (`export`), the built-in recipients template, and the
//! Jalali calendar the reports need. Pure functions over bytes: no
//! database, no S3.

mod archive;
mod rows;

pub mod export;
pub mod import;
pub mod jalali;
pub mod template;

pub use export::{report_workbook, CampaignSheet, XLSX_CONTENT_TYPE};
pub use import::{read_recipients, ImportError, RecipientList, SkippedRow};
pub use template::builtin_template;
