//! The campaigns area: CRUD, recipient imports (multipart and staged in S3),
//! the attachment, preview, reports and workbooks, and the public template.
//! A campaign's run (start, pause, resume, detach, schedules) is `run`;
//! linking WhatsApp for it is `crate::whatsapp`.
//!
//! Static segments (`excel-template`, `reports`) take precedence over
//! `{id}` in axum's router, so they can share the prefix. Upload routes get
//! a body limit just above their file limit; the file limit itself is
//! enforced while the body streams in.

pub(crate) mod attachments;
pub(crate) mod crud;
pub(crate) mod recipients;
pub(crate) mod reports;
pub(crate) mod run;
pub(crate) mod views;

use axum::extract::DefaultBodyLimit;
use shared::{
    campaigns::{MAX_ATTACHMENT_BYTES, MAX_MULTIPART_RECIPIENTS_BYTES},
    AppContext,
};
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::http::upload::MULTIPART_OVERHEAD;

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    let recipients_limit = DefaultBodyLimit::max(MAX_MULTIPART_RECIPIENTS_BYTES + MULTIPART_OVERHEAD);
    let attachment_limit = DefaultBodyLimit::max(MAX_ATTACHMENT_BYTES + MULTIPART_OVERHEAD);
    OpenApiRouter::default()
        .routes(routes!(crud::create, crud::list))
        .routes(routes!(reports::template))
        .routes(routes!(reports::download_multiple))
        .routes(routes!(crud::details, crud::delete))
        .routes(routes!(crud::rename))
        .routes(routes!(crud::set_interval))
        .routes(routes!(crud::set_send_window))
        .routes(routes!(recipients::import).layer(recipients_limit))
        .routes(routes!(recipients::list))
        .routes(routes!(recipients::upload_url))
        .routes(routes!(recipients::import_staged))
        .routes(routes!(attachments::upload).layer(attachment_limit))
        .routes(routes!(attachments::details, attachments::delete))
        .routes(routes!(attachments::stage).layer(attachment_limit))
        .routes(routes!(attachments::upload_url))
        .routes(routes!(attachments::confirm))
        .routes(routes!(crud::preview))
        .routes(routes!(reports::report))
        .routes(routes!(reports::download))
        .routes(routes!(run::start))
        .routes(routes!(run::pause))
        .routes(routes!(run::resume))
        .routes(routes!(run::cleanup))
        .routes(routes!(run::scheduled))
        .routes(routes!(run::cancel_schedule))
}
