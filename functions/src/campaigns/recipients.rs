//! Thin handlers for the recipient list: import (multipart or staged),
//! the presigned upload URL, and the paged list.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use shared::{
    campaigns::{self, ImportOutcome, RecipientListQuery, StagedImportInput, MAX_MULTIPART_RECIPIENTS_BYTES},
    ApiError, AppContext,
};

use super::views::{ImportView, RecipientView, UploadUrlView};
use crate::http::{upload::read_file, CurrentUser, JsonBody, PathId, QueryParams};

type Answer = Result<Response, ApiError>;

fn imported(outcome: &ImportOutcome) -> Result<Response, ApiError> {
    let mut body = serde_json::to_value(ImportView::from(outcome)).map_err(ApiError::internal)?;
    body["success"] = json!(true);
    body["message"] = json!(format!("{} recipients imported", outcome.imported));
    Ok(Json(body).into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/recipients",
    tag = "campaigns",
    summary = "Import the recipients list (.xlsx, .xls or .csv in `recipientsFile`); replaces the old list",
    request_body(content = crate::openapi::bodies::RecipientsUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Imported, with the skipped rows and why", body = crate::openapi::bodies::Imported)),
    security(("bearer" = [])),
)]
pub async fn import(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Answer {
    let file = read_file(multipart, "recipientsFile", MAX_MULTIPART_RECIPIENTS_BYTES).await?;
    imported(&campaigns::import_recipients(&ctx, caller.id, id, file.bytes).await?)
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/recipients/upload-url",
    tag = "campaigns",
    summary = "A presigned S3 upload for a large list; then call import-staged",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Where to PUT the file", body = crate::openapi::bodies::UploadUrlAnswer)),
    security(("bearer" = [])),
)]
pub async fn upload_url(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let upload = campaigns::recipients_upload_url(&ctx, caller.id, id).await?;
    let mut body = serde_json::to_value(UploadUrlView::from(&upload)).map_err(ApiError::internal)?;
    body["success"] = json!(true);
    Ok(Json(body).into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/recipients/import-staged",
    tag = "campaigns",
    summary = "Import a list uploaded through upload-url",
    request_body = shared::campaigns::StagedImportInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Imported", body = crate::openapi::bodies::Imported)),
    security(("bearer" = [])),
)]
pub async fn import_staged(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<StagedImportInput>,
) -> Answer {
    imported(&campaigns::import_staged_recipients(&ctx, caller.id, id, input).await?)
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/recipients",
    tag = "campaigns",
    summary = "The campaign's recipients, sorted, filtered and paged",
    params(("id" = i64, Path, description = "The campaign's id"), shared::campaigns::RecipientListQuery),
    responses((status = 200, description = "A page of recipients", body = crate::openapi::bodies::RecipientList)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    QueryParams(query): QueryParams<RecipientListQuery>,
) -> Answer {
    let page = campaigns::list_recipients(&ctx, caller.id, id, query).await?;
    let recipients: Vec<RecipientView> =
        page.recipients.iter().zip(page.texts).map(|(r, text)| RecipientView::new(r, text)).collect();
    Ok(Json(json!({ "success": true, "recipients": recipients, "pagination": page.pagination })).into_response())
}
