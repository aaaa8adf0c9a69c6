//! Thin handlers for the campaign's attachment: direct upload, the staged
//! path (temp upload or presigned URL, then confirm), details and removal.

use axum::{
    extract::{multipart::MultipartRejection, Multipart, State},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use shared::{
    campaigns::{self, ConfirmAttachmentInput, MAX_ATTACHMENT_BYTES},
    repo::attachments::AttachmentRecord,
    ApiError, AppContext,
};
use utoipa::ToSchema;

use super::{
    recipients::UploadUrlAnswer,
    views::{AttachmentView, UploadUrlView},
};
use crate::http::{
    layers::{created, Done},
    upload::read_file,
    CurrentUser, JsonBody, PathId,
};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, ToSchema)]
pub struct AttachmentAnswer<'a> {
    success: bool,
    message: &'static str,
    attachment: AttachmentView<'a>,
}

impl AttachmentAnswer<'_> {
    fn created(attachment: &AttachmentRecord) -> Response {
        let attachment = AttachmentView::from(attachment);
        created(Json(AttachmentAnswer { success: true, message: "Attachment uploaded", attachment }))
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentStaged<'a> {
    success: bool,
    message: &'static str,
    temp_filename: &'a str,
    original_name: &'a str,
    mimetype: &'a str,
    size: u64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDownload<'a> {
    #[serde(flatten)]
    attachment: AttachmentView<'a>,
    /// A presigned link to the stored file.
    download_url: &'a str,
    expires_in: u64,
}

#[derive(Serialize, ToSchema)]
pub struct AttachmentDetails<'a> {
    success: bool,
    attachment: AttachmentDownload<'a>,
}

/// `multipart/form-data` with one file in `attachment`.
#[allow(dead_code)] // only described: the handler reads the form field by field
#[derive(Serialize, ToSchema)]
pub struct AttachmentUpload {
    /// An image, video or document of at most 20 MB (its type is read from
    /// the content).
    #[schema(value_type = String, format = Binary)]
    attachment: Vec<u8>,
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment",
    tag = "campaigns",
    summary = "Attach one image, video or document (≤ 20 MB, type read from the content)",
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 201, description = "Attached", body = AttachmentAnswer<'static>)),
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
    Ok(AttachmentAnswer::created(&attachment))
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment/temp",
    tag = "campaigns",
    summary = "Stage a file; confirm it to attach it",
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Staged", body = AttachmentStaged<'static>)),
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
    Ok(Json(AttachmentStaged {
        success: true,
        message: "File staged; confirm it to attach it",
        temp_filename: &staged.temp_filename,
        original_name: &staged.original_name,
        mimetype: staged.media.mime,
        size: staged.size,
    })
    .into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment/upload-url",
    tag = "campaigns",
    summary = "A presigned S3 upload for the attachment; then confirm it",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Where to PUT the file", body = UploadUrlAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn upload_url(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let upload = campaigns::attachment_upload_url(&ctx, caller.id, id).await?;
    let answer =
        UploadUrlAnswer { success: true, upload: UploadUrlView::from(&upload), temp_filename: Some(&upload.key) };
    Ok(Json(answer).into_response())
}

#[utoipa::path(
    post,
    path = "/api/campaigns/{id}/attachment/confirm",
    tag = "campaigns",
    summary = "Turn a staged file into the campaign's attachment",
    request_body = shared::campaigns::ConfirmAttachmentInput,
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 201, description = "Attached", body = AttachmentAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn confirm(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    PathId(id): PathId,
    JsonBody(input): JsonBody<ConfirmAttachmentInput>,
) -> Answer {
    let attachment = campaigns::confirm_staged_attachment(&ctx, caller.id, id, input).await?;
    Ok(AttachmentAnswer::created(&attachment))
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/attachment",
    tag = "campaigns",
    summary = "The attachment, with a time-limited download link",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The attachment", body = AttachmentDetails<'static>)),
    security(("bearer" = [])),
)]
pub async fn details(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let details = campaigns::get_attachment(&ctx, caller.id, id).await?;
    let attachment = AttachmentDownload {
        attachment: AttachmentView::from(&details.attachment),
        download_url: &details.download_url,
        expires_in: details.expires_in_secs,
    };
    Ok(Json(AttachmentDetails { success: true, attachment }).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/campaigns/{id}/attachment",
    tag = "campaigns",
    summary = "Remove the attachment and its stored file",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "Removed", body = Done)),
    security(("bearer" = [])),
)]
pub async fn delete(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    campaigns::delete_attachment(&ctx, caller.id, id).await?;
    Ok(Done::answer("Attachment removed"))
}
