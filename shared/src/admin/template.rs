//! Replacing the recipients template that users download: a real .xlsx
//! with a phone column, at most 5 MB, stored in S3 under one fixed key,
//! each upload recorded (name, size, who, when).

use crate::{
    error::ApiError,
    excel::{
        headers::PHONE_HEADERS_TEXT,
        xlsx_check::{check_recipients_header, XlsxProblem},
        XLSX_CONTENT_TYPE,
    },
    repo::templates::{self, TemplateRecord},
    storage::RECIPIENTS_TEMPLATE_KEY,
    AppContext,
};

pub const MAX_BYTES: usize = 5 * 1024 * 1024;
const DEFAULT_NAME: &str = "recipients-template.xlsx";

/// Replace the template with an upload: its name as the browser gave it,
/// and its bytes.
#[tracing::instrument(skip_all, fields(actor.id = actor_id, size = bytes.len()))]
pub async fn replace(
    ctx: &AppContext,
    actor_id: i64,
    file_name: Option<&str>,
    bytes: Vec<u8>,
) -> Result<TemplateRecord, ApiError> {
    if bytes.len() > MAX_BYTES {
        return Err(ApiError::PayloadTooLarge("The template must be at most 5 MB".into()));
    }
    let bytes = tokio::task::spawn_blocking(move || check_recipients_header(&bytes).map(|()| bytes))
        .await
        .map_err(ApiError::internal)?
        .map_err(|problem| match problem {
            XlsxProblem::NotXlsx => ApiError::UnsupportedMediaType("The template must be an .xlsx workbook".into()),
            XlsxProblem::NoSheet | XlsxProblem::NoPhoneColumn => ApiError::field(
                "template",
                format!("one of the first 10 rows of the first sheet needs a phone column ({PHONE_HEADERS_TEXT})"),
            ),
        })?;
    let name = display_name(file_name);
    let size = bytes.len() as i64;

    // Record, store, then commit: a failed upload leaves no record behind.
    let mut tx = ctx.db.begin().await?;
    let id = templates::insert(&mut *tx, &name, size, actor_id).await?;
    ctx.storage.put(RECIPIENTS_TEMPLATE_KEY, bytes, XLSX_CONTENT_TYPE).await.map_err(ApiError::internal)?;
    let record = templates::find_by_id(&mut *tx, id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("template row vanished")))?;
    tx.commit().await?;
    tracing::info!("recipients template replaced");
    Ok(record)
}

/// The current template's details; `None` while the built-in one is used.
pub async fn info(ctx: &AppContext) -> Result<Option<TemplateRecord>, ApiError> {
    Ok(templates::latest(&ctx.db).await?)
}

/// The base name of what the browser sent, bounded and printable.
fn display_name(raw: Option<&str>) -> String {
    let base = raw.unwrap_or_default().rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    match clean.trim() {
        "" => DEFAULT_NAME.to_owned(),
        name => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn names_are_base_names() {
        assert_eq!(display_name(Some("C:\\Users\\ali\\قالب.xlsx")), "قالب.xlsx");
        assert_eq!(display_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(display_name(None), "recipients-template.xlsx");
        assert_eq!(display_name(Some(" \u{0} ")), "recipients-template.xlsx");
    }
}
