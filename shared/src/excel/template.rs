//! The built-in recipients template, served when no admin has uploaded one:
//! a first sheet with bilingual headers (which the import accepts as they
//! are) whose phone column is formatted as text so leading zeros survive
//! typing, and a guide sheet in Persian and English. Only the first sheet
//! is ever imported, so the guide's examples are never mistaken for rows.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

const GUIDE: [(&str, &str); 5] = [
    ("Fill in the first sheet: one recipient per row.", "در برگه اول، هر گیرنده را در یک ردیف وارد کنید."),
    ("The phone column is required; the name column is optional.", "ستون شماره تلفن الزامی و ستون نام اختیاری است."),
    (
        "Phones may be 09123456789, +989123456789 or 00989123456789.",
        "شماره‌ها می‌توانند به شکل ۰۹۱۲۳۴۵۶۷۸۹ یا ‎+989123456789 باشند.",
    ),
    (
        "Other countries: use the international form, e.g. +447911123456.",
        "شماره‌های خارجی را با پیش‌شماره بین‌المللی وارد کنید.",
    ),
    (
        "Invalid and repeated numbers are skipped and reported.",
        "شماره‌های نامعتبر یا تکراری نادیده گرفته و گزارش می‌شوند.",
    ),
];

pub fn builtin_template() -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let sheet = workbook.add_worksheet().set_name("Recipients")?;
    sheet.write_string_with_format(0, 0, "phone / شماره تلفن", &bold)?;
    sheet.write_string_with_format(0, 1, "name / نام", &bold)?;
    sheet.set_column_width(0, 24)?.set_column_width(1, 30)?;
    sheet.set_column_format(0, &text)?;
    sheet.set_freeze_panes(1, 0)?;

    let guide = workbook.add_worksheet().set_name("Guide - راهنما")?;
    guide.write_string_with_format(0, 0, "Guide", &bold)?;
    guide.write_string_with_format(0, 1, "راهنما", &bold)?;
    for (row, (english, persian)) in GUIDE.iter().enumerate() {
        guide.write_string(row as u32 + 1, 0, *english)?;
        guide.write_string(row as u32 + 1, 1, *persian)?;
    }
    guide.set_column_width(0, 62)?.set_column_width(1, 62)?;
    workbook.save_to_buffer()
}
