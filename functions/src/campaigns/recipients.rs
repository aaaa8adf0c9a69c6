//! Thin handlers for the recipient list: import (multipart or staged),
//! the presigned upload URL, and the paged list.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use shared::{
    campaigns::{self, ImportOutcome, RecipientListQuery, StagedImportInput, MAX_MULTIPART_RECIPIENTS_BYTES},
    domain::Pagination,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::views::{ImportView, RecipientView, UploadUrlView};
use crate::http::{upload::read_file, CurrentUser, JsonBody, PathId, QueryParams};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct Imported<'a> {
    success: bool,
    message: String,
    #[serde(flatten)]
    import: ImportView<'a>,
}

fn imported(outcome: &ImportOutcome) -> Answer {
    let message = format!("{} recipients imported", outcome.imported);
    Ok(Json(Imported { success: true, message, import: ImportView::from(outcome) }).into_response())
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadUrlAnswer<'a> {
    pub success: bool,
    #[serde(flatten)]
    pub upload: UploadUrlView<'a>,
    /// Attachments only: the name to confirm once the upload is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temp_filename: Option<&'a str>,
}

#[derive(Serialize, ToSchema)]
pub struct RecipientList<'a> {
    success: bool,
    recipients: Vec<RecipientView<'a>>,
    pagination: Pagination,
}

/// `multipart/form-data` with the recipients list in `recipientsFile`.
#[allow(dead_code)] // only described: the handler reads the form field by field
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientsUpload {
    /// .xlsx, .xls or .csv.
    #[schema(value_type = String, format = Binary)]
    recipients_file: Vec<u8>,
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/recipients",
    tag = "campaigns",
    summary = "Import the recipients list (.xlsx, .xls or .csv in `recipientsFile`); replaces the old list",
    request_body(content = RecipientsUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Imported, with the skipped rows and why", body = Imported<'static>)),
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
    responses((status = 200, description = "Where to PUT the file", body = UploadUrlAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn upload_url(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let upload = campaigns::recipients_upload_url(&ctx, caller.id, id).await?;
    Ok(Json(UploadUrlAnswer { success: true, upload: UploadUrlView::from(&upload), temp_filename: None })
        .into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/recipients/import-staged",
    tag = "campaigns",
    summary = "Import a list uploaded through upload-url",
    request_body = shared::campaigns::StagedImportInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Imported", body = Imported<'static>)),
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
    responses((status = 200, description = "A page of recipients", body = RecipientList<'static>)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    QueryParams(query): QueryParams<RecipientListQuery>,
) -> Answer {
    let page = campaigns::list_recipients(&ctx, caller.id, id, query).await?;
    let recipients = page.recipients.iter().zip(page.texts).map(|(r, text)| RecipientView::new(r, text)).collect();
    Ok(Json(RecipientList { success: true, recipients, pagination: page.pagination }).into_response())
}
