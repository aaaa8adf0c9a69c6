//! Report workbooks: a summary sheet with one row per campaign, then one
//! sheet per campaign with a row per recipient. Headers are English and
//! Persian; every date appears twice, as ISO-8601 with the offset and in
//! the Jalali calendar, both in the campaign's time zone. Text is written
//! as text, so phones keep their digits and Persian stays intact.
//!
//! Recipient sheets use rust_xlsxwriter's constant-memory mode: each row is
//! flushed to a temporary file (Lambda's /tmp) as soon as the next begins,
//! with inline strings instead of a shared-string table, which keeps a
//! 100,000-row report fast and its memory flat. Rows must therefore be
//! written top to bottom, which they are.

use chrono::{DateTime, SecondsFormat, Utc};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::jalali;
use crate::{
    campaigns::ReportFigures,
    domain::Timezone,
    repo::{campaigns::CampaignRecord, recipients::RecipientRecord},
};

pub const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What one campaign contributes to a report workbook.
pub struct CampaignSheet<'a> {
    pub campaign: &'a CampaignRecord,
    pub figures: &'a ReportFigures,
    pub recipients: &'a [RecipientRecord],
    /// The exact text of each recipient, in the same order.
    pub texts: &'a [String],
}

const SUMMARY_HEADERS: [&str; 21] = [
    "Campaign ID / شناسه کمپین",
    "Title / عنوان",
    "Status / وضعیت",
    "Message / متن پیام",
    "Total recipients / کل گیرندگان",
    "Sent / ارسال‌شده",
    "Delivered / تحویل‌شده",
    "Failed / ناموفق",
    "Pending / در انتظار",
    "Delivery rate % / نرخ ارسال",
    "Average delivery time (s) / میانگین زمان تحویل",
    "Started (ISO) / زمان شروع",
    "Started (Jalali) / زمان شروع (شمسی)",
    "Completed (ISO) / زمان پایان",
    "Completed (Jalali) / زمان پایان (شمسی)",
    "Created (ISO) / زمان ایجاد",
    "Created (Jalali) / زمان ایجاد (شمسی)",
    "Time zone / منطقه زمانی",
    "Read / خوانده‌شده",
    "Replied / پاسخ داده",
    "Opted out / انصراف",
];

const RECIPIENT_HEADERS: [&str; 13] = [
    "# / ردیف",
    "Phone / شماره تلفن",
    "Name / نام",
    "Status / وضعیت",
    "Sent at (ISO) / زمان ارسال",
    "Sent at (Jalali) / زمان ارسال (شمسی)",
    "Delivered at (ISO) / زمان تحویل",
    "Delivered at (Jalali) / زمان تحویل (شمسی)",
    "Error / خطا",
    "Message sent / متن ارسالی",
    "Read at (ISO) / زمان خواندن",
    "Replied at (ISO) / زمان پاسخ",
    "Reply / پاسخ",
];

/// The workbook for one or several campaigns, as .xlsx bytes.
pub fn report_workbook(sheets: &[CampaignSheet<'_>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let summary = workbook.add_worksheet().set_name("Summary")?;
    write_headers(summary, &SUMMARY_HEADERS, &bold)?;
    for (index, sheet) in sheets.iter().enumerate() {
        write_summary_row(summary, index as u32 + 1, sheet)?;
    }
    for sheet in sheets {
        let name =
            if sheets.len() == 1 { "Recipients".to_owned() } else { format!("Recipients #{}", sheet.campaign.id) };
        let worksheet = workbook.add_worksheet_with_constant_memory()?.set_name(name)?;
        write_headers(worksheet, &RECIPIENT_HEADERS, &bold)?;
        write_recipients(worksheet, sheet)?;
    }
    workbook.save_to_buffer()
}

fn write_headers(sheet: &mut Worksheet, headers: &[&str], bold: &Format) -> Result<(), XlsxError> {
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, bold)?;
        sheet.set_column_width(column as u16, 22)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// ISO-8601 with the zone's offset, and the Jalali form; empty if unset.
fn both_dates(at: Option<DateTime<Utc>>, zone: Timezone) -> (String, String) {
    match at {
        None => (String::new(), String::new()),
        Some(at) => {
            let local = at.with_timezone(&zone.tz());
            (local.to_rfc3339_opts(SecondsFormat::Secs, false), jalali::format_datetime(&local))
        }
    }
}

fn write_summary_row(sheet: &mut Worksheet, row: u32, data: &CampaignSheet<'_>) -> Result<(), XlsxError> {
    let campaign = data.campaign;
    let figures = data.figures;
    let zone = campaign.timezone();
    sheet.write_number(row, 0, campaign.id as f64)?;
    sheet.write_string(row, 1, campaign.title.as_deref().unwrap_or(""))?;
    sheet.write_string(row, 2, campaign.status.as_str())?;
    sheet.write_string(row, 3, campaign.message.as_str())?;
    let counts = [figures.total_recipients, figures.sent, figures.delivered, figures.failed, figures.pending];
    for (offset, count) in counts.into_iter().enumerate() {
        sheet.write_number(row, 4 + offset as u16, count as f64)?;
    }
    sheet.write_number(row, 9, figures.delivery_rate)?;
    if let Some(seconds) = figures.average_delivery_time {
        sheet.write_number(row, 10, seconds)?;
    }
    let dates = [campaign.started_at, campaign.completed_at, Some(campaign.created_at)];
    for (offset, at) in dates.into_iter().enumerate() {
        let (iso, persian) = both_dates(at, zone);
        sheet.write_string(row, 11 + 2 * offset as u16, iso)?;
        sheet.write_string(row, 12 + 2 * offset as u16, persian)?;
    }
    sheet.write_string(row, 17, zone.name())?;
    for (offset, count) in [figures.read, figures.replied, figures.opted_out].into_iter().enumerate() {
        sheet.write_number(row, 18 + offset as u16, count as f64)?;
    }
    Ok(())
}

fn write_recipients(sheet: &mut Worksheet, data: &CampaignSheet<'_>) -> Result<(), XlsxError> {
    let zone = data.campaign.timezone();
    for (index, recipient) in data.recipients.iter().enumerate() {
        let row = index as u32 + 1;
        sheet.write_number(row, 0, f64::from(row))?;
        sheet.write_string(row, 1, recipient.phone.as_str())?;
        if let Some(name) = &recipient.name {
            sheet.write_string(row, 2, name.as_str())?;
        }
        sheet.write_string(row, 3, recipient.status.public().as_str())?;
        for (offset, at) in [recipient.sent_at, recipient.delivered_at].into_iter().enumerate() {
            if at.is_some() {
                let (iso, persian) = both_dates(at, zone);
                sheet.write_string(row, 4 + 2 * offset as u16, iso)?;
                sheet.write_string(row, 5 + 2 * offset as u16, persian)?;
            }
        }
        if let Some(error) = &recipient.error {
            sheet.write_string(row, 8, error.as_str())?;
        }
        if let Some(text) = data.texts.get(index) {
            sheet.write_string(row, 9, text.as_str())?;
        }
        for (offset, at) in [recipient.read_at, recipient.replied_at].into_iter().enumerate() {
            if at.is_some() {
                sheet.write_string(row, 10 + offset as u16, both_dates(at, zone).0)?;
            }
        }
        if let Some(reply) = &recipient.reply_text {
            sheet.write_string(row, 12, reply.as_str())?;
        }
    }
    Ok(())
}
