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

pub async fn import(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Answer {
    let file = read_file(multipart, "recipientsFile", MAX_MULTIPART_RECIPIENTS_BYTES).await?;
    imported(&campaigns::import_recipients(&ctx, caller.id, id, file.bytes).await?)
}

pub async fn upload_url(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let upload = campaigns::recipients_upload_url(&ctx, caller.id, id).await?;
    let mut body = serde_json::to_value(UploadUrlView::from(&upload)).map_err(ApiError::internal)?;
    body["success"] = json!(true);
    Ok(Json(body).into_response())
}

pub async fn import_staged(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<StagedImportInput>,
) -> Answer {
    imported(&campaigns::import_staged_recipients(&ctx, caller.id, id, input).await?)
}

pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    QueryParams(query): QueryParams<RecipientListQuery>,
) -> Answer {
    let page = campaigns::list_recipients(&ctx, caller.id, id, query).await?;
    let recipients: Vec<RecipientView> = page.recipients.iter().map(RecipientView::from).collect();
    Ok(Json(json!({ "success": true, "recipients": recipients, "pagination": page.pagination })).into_response())
}
