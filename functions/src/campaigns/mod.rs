//! The campaigns area: CRUD, recipient imports (multipart and staged in S3),
//! the attachment, preview, reports and workbooks, and the public template.
//! Sending (QR code, start, pause, …) lives with the sender's area.
//!
//! Static segments (`excel-template`, `reports`) take precedence over
//! `{id}` in axum's router, so they can share the prefix. Upload routes get
//! a body limit just above their file limit; the file limit itself is
//! enforced while the body streams in.

pub(crate) mod attachments;
pub(crate) mod crud;
pub(crate) mod recipients;
pub(crate) mod reports;
pub(crate) mod views;

use axum::{
    extract::DefaultBodyLimit,
    routing::{get, post, put},
    Router,
};
use shared::{
    campaigns::{MAX_ATTACHMENT_BYTES, MAX_MULTIPART_RECIPIENTS_BYTES},
    AppContext,
};

use crate::http::upload::MULTIPART_OVERHEAD;

pub fn router(ctx: AppContext) -> Router {
    let recipients_limit = DefaultBodyLimit::max(MAX_MULTIPART_RECIPIENTS_BYTES + MULTIPART_OVERHEAD);
    let attachment_limit = DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD);
    Router::new()
        .route("/api/campaigns", post(crud::create).get(crud::list))
        .route("/api/campaigns/excel-template/download", get(reports::template))
        .route("/api/campaigns/reports/download-multiple", post(reports::download_multiple))
        .route("/api/campaigns/{id}", get(crud::details).delete(crud::delete))
        .route("/api/campaigns/{id}/title", put(crud::rename))
        .route("/api/campaigns/{id}/interval", put(crud::set_interval))
        .route("/api/campaigns/{id}/send-window", put(crud::set_send_window))
        .route("/api/campaigns/{id}/recipients", post(recipients::import).layer(recipients_limit).get(recipients::list))
        .route("/api/campaigns/{id}/recipients/upload-url", post(recipients::upload_url))
        .route("/api/campaigns/{id}/recipients/import-staged", post(recipients::import_staged))
        .route(
            "/api/campaigns/{id}/attachment",
            post(attachments::upload).layer(attachment_limit).get(attachments::details).delete(attachments::delete),
        )
        .route("/api/campaigns/{id}/attachment/temp", post(attachments::stage).layer(attachment_limit))
        .route("/api/campaigns/{id}/attachment/upload-url", post(attachments::upload_url))
        .route("/api/campaigns/{id}/attachment/confirm", post(attachments::confirm))
        .route("/api/campaigns/{id}/preview", get(crud::preview))
        .route("/api/campaigns/{id}/report", get(reports::report))
        .route("/api/campaigns/{id}/report/download", get(reports::download))
        .with_state(ctx)
}
