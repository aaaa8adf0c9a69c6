//! Thin handlers for the campaign's attachment: direct upload, the staged
//! path (temp upload or presigned URL, then confirm), details and removal.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use serde_json::json;
use shared::{
    campaigns::{self, ConfirmAttachmentInput, MAX_ATTACHMENT_BYTES},
    ApiError, AppContext,
};

use super::views::{AttachmentView, UploadUrlView};
use crate::http::{layers::created, upload::read_file, CurrentUser, JsonBody, PathId};

type Answer = Result<Response, ApiError>;

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment",
    tag = "campaigns",
    summary = "Attach one image, video or document (≤ 20 MB, type read from the content)",
    request_body(content = crate::openapi::bodies::AttachmentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 201, description = "Attached", body = crate::openapi::bodies::AttachmentAnswer)),
    security(("bearer" = [])),
)]
pub async fn upload(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Answer {
    let file = read_file(multipart, "attachment", MAX_ATTACHMENT_BYTES).await?;
    let attachment = campaigns::upload_attachment(&ctx, caller.id, id, file).await?;
    Ok(created(Json(json!({
        "success": true,
        "message": "Attachment uploaded",
        "attachment": AttachmentView::from(&attachment),
    }))))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment/temp",
    tag = "campaigns",
    summary = "Stage a file; confirm it to attach it",
    request_body(content = crate::openapi::bodies::AttachmentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Staged", body = crate::openapi::bodies::AttachmentStaged)),
    security(("bearer" = [])),
)]
pub async fn stage(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    multipart: Result<Multipart, MultipartRejection>,
) -> Answer {
    let file = read_file(multipart, "attachment", MAX_ATTACHMENT_BYTES).await?;
    let staged = campaigns::stage_attachment(&ctx, caller.id, id, file).await?;
    Ok(Json(json!({
        "success": true,
        "message": "File staged; confirm it to attach it",
        "tempFilename": staged.temp_filename,
        "originalName": staged.original_name,
        "mimetype": staged.media.mime,
        "size": staged.size,
    }))
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment/upload-url",
    tag = "campaigns",
    summary = "A presigned S3 upload for the attachment; then confirm it",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Where to PUT the file", body = crate::openapi::bodies::UploadUrlAnswer)),
    security(("bearer" = [])),
)]
pub async fn upload_url(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let upload = campaigns::attachment_upload_url(&ctx, caller.id, id).await?;
    let mut body = serde_json::to_value(UploadUrlView::from(&upload)).map_err(ApiError::internal)?;
    body["success"] = json!(true);
    body["tempFilename"] = json!(upload.key);
    Ok(Json(body).into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment/confirm",
    tag = "campaigns",
    summary = "Turn a staged file into the campaign's attachment",
    request_body = shared::campaigns::ConfirmAttachmentInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 201, description = "Attached", body = crate::openapi::bodies::AttachmentAnswer)),
    security(("bearer" = [])),
)]
pub async fn confirm(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<ConfirmAttachmentInput>,
) -> Answer {
    let attachment = campaigns::confirm_staged_attachment(&ctx, caller.id, id, input).await?;
    Ok(created(Json(json!({
        "success": true,
        "message": "Attachment uploaded",
        "attachment": AttachmentView::from(&attachment),
    }))))
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/attachment",
    tag = "campaigns",
    summary = "The attachment, with a time-limited download link",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The attachment", body = crate::openapi::bodies::AttachmentDetails)),
    security(("bearer" = [])),
)]
pub async fn details(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let details = campaigns::get_attachment(&ctx, caller.id, id).await?;
    let mut attachment = serde_json::to_value(AttachmentView::from(&details.attachment)).map_err(ApiError::internal)?;
    attachment["downloadUrl"] = json!(details.download_url);
    attachment["expiresIn"] = json!(details.expires_in_secs);
    Ok(Json(json!({ "success": true, "attachment": attachment })).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/campaigns/{id}/attachment",
    tag = "campaigns",
    summary = "Remove the attachment and its stored file",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Removed", body = crate::openapi::bodies::Done)),
    security(("bearer" = [])),
)]
pub async fn delete(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    campaigns::delete_attachment(&ctx, caller.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Attachment removed" })).into_response())
}
