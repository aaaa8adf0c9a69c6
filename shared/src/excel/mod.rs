//! Every spreadsheet of the product, in and out: reading recipient lists
//! safely (`import`, with the archive checks in `archive` and the row
//! readers in `rows`), the header names SPEC accepts (`headers`), checking
//! an admin's template upload (`xlsx_check`), writing report workbooks
//! (`export`), the built-in recipients template, sample lists for trying
//! imports (`sample`), and the Jalali calendar the reports need. Pure
//! functions over bytes and files: no database, no S3.

mod archive;
mod rows;

pub mod export;
pub mod headers;
pub mod import;
pub mod jalali;
pub mod sample;
pub mod template;
pub mod xlsx_check;

pub use export::{report_workbook, CampaignSheet, XLSX_CONTENT_TYPE};
pub use import::{read_recipients, read_recipients_in_batches, ImportError, RecipientList, SkippedRow};
pub use template::builtin_template;
