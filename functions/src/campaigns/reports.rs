//! Thin handlers for the report figures, the report workbooks and the
//! public recipients template. A workbook comes back as the response body
//! (with a Content-Disposition that keeps Persian names) or, when too large
//! for a Lambda response, as a 303 to a presigned S3 link.

use axum::{
    body::Body,
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use shared::{
    campaigns::{self, Download, ReportsInput},
    storage::content_disposition,
    ApiError, AppContext,
};

use super::views::ReportView;
use crate::http::{CurrentUser, JsonBody, PathId};

type Answer = Result<Response, ApiError>;

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReportAnswer<'a> {
    success: bool,
    report: ReportView<'a>,
}

/// A file answer: an .xlsx workbook as bytes.
pub struct Workbook;

impl utoipa::PartialSchema for Workbook {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Binary)))
            .into()
    }
}

impl utoipa::ToSchema for Workbook {}

fn file_response(download: Download) -> Answer {
    match download {
        Download::Inline { file_name, content_type, bytes } => {
            let disposition = HeaderValue::from_str(&content_disposition(&file_name)).map_err(ApiError::internal)?;
            let mut response = Response::new(Body::from(bytes));
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            headers.insert(header::CONTENT_DISPOSITION, disposition);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(response)
        }
        Download::Stored { url } => {
            let location = HeaderValue::from_str(&url).map_err(ApiError::internal)?;
            Ok((StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response())
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/report",
    tag = "campaigns",
    summary = "The campaign's figures",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The report", body = ReportAnswer<'static>)),
    security(("bearer" = [])),
)]
pub async fn report(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let report = campaigns::campaign_report(&ctx, caller.id, id).await?;
    Ok(Json(ReportAnswer { success: true, report: ReportView::new(&report.campaign, &report.figures) }).into_response())
}

#[utoipa::path(
    get,
    path = "/api/campaigns/{id}/report/download",
    tag = "campaigns",
    summary = "The report as .xlsx (summary + one row per recipient, Jalali dates too)",
    params(("id" = i64, Path, description = "The campaign's id")),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Workbook), (status = 303, description = "A large workbook: `Location` is a presigned download link")),
    security(("bearer" = [])),
)]
pub async fn download(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    file_response(campaigns::download_report(&ctx, caller.id, id).await?)
}

#[utoipa::path(
    post,
    path = "/api/campaigns/reports/download-multiple",
    tag = "campaigns",
    summary = "One workbook for several own campaigns",
    request_body = shared::campaigns::ReportsInput,
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Workbook), (status = 303, description = "A large workbook: `Location` is a presigned download link")),
    security(("bearer" = [])),
)]
pub async fn download_multiple(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<ReportsInput>,
) -> Answer {
    file_response(campaigns::download_reports(&ctx, caller.id, input).await?)
}

/// No token needed: the template is public.
#[utoipa::path(
    get,
    path = "/api/campaigns/excel-template/download",
    tag = "campaigns",
    summary = "The recipients template (no token needed)",
    responses((status = 200, description = "The template workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Workbook)),
)]
pub async fn template(State(ctx): State<AppContext>) -> Answer {
    file_response(campaigns::recipients_template(&ctx).await?)
}
