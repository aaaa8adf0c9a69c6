//! The recipients template download: the one an admin uploaded to
//! [`RECIPIENTS_TEMPLATE_KEY`] if there is one, else the built-in one.

use super::Download;
use crate::{
    error::ApiError,
    excel::{builtin_template, XLSX_CONTENT_TYPE},
    storage::RECIPIENTS_TEMPLATE_KEY,
    AppContext,
};

const FILE_NAME: &str = "recipients-template.xlsx";

pub async fn recipients_template(ctx: &AppContext) -> Result<Download, ApiError> {
    if let Some(object) = ctx.storage.get(RECIPIENTS_TEMPLATE_KEY).await.map_err(ApiError::internal)? {
        return Ok(Download::Inline {
            file_name: FILE_NAME.into(),
            content_type: XLSX_CONTENT_TYPE,
            bytes: object.bytes,
        });
    }
    let bytes = builtin_template().map_err(ApiError::internal)?;
    Ok(Download::Inline { file_name: FILE_NAME.into(), content_type: XLSX_CONTENT_TYPE, bytes })
}
