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

pub async fn upload_url(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let upload = campaigns::attachment_upload_url(&ctx, caller.id, id).await?;
    let mut body = serde_json::to_value(UploadUrlView::from(&upload)).map_err(ApiError::internal)?;
    body["success"] = json!(true);
    body["tempFilename"] = json!(upload.key);
    Ok(Json(body).into_response())
}

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

pub async fn details(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let details = campaigns::get_attachment(&ctx, caller.id, id).await?;
    let mut attachment = serde_json::to_value(AttachmentView::from(&details.attachment)).map_err(ApiError::internal)?;
    attachment["downloadUrl"] = json!(details.download_url);
    attachment["expiresIn"] = json!(details.expires_in_secs);
    Ok(Json(json!({ "success": true, "attachment": attachment })).into_response())
}

pub async fn delete(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    campaigns::delete_attachment(&ctx, caller.id, id).await?;
    Ok(Json(json!({ "success": true, "message": "Attachment removed" })).into_response())
}
