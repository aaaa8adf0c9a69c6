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
use serde_json::json;
use shared::{
    campaigns::{self, Download, ReportsInput},
    storage::content_disposition,
    ApiError, AppContext,
};

use super::views::ReportView;
use crate::http::{CurrentUser, JsonBody, PathId};

type Answer = Result<Response, ApiError>;

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

pub async fn report(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    let report = campaigns::campaign_report(&ctx, caller.id, id).await?;
    Ok(Json(json!({ "success": true, "report": ReportView::new(&report.campaign, &report.figures) })).into_response())
}

pub async fn download(State(ctx): State<AppContext>, caller: CurrentUser, PathId(id): PathId) -> Answer {
    file_response(campaigns::download_report(&ctx, caller.id, id).await?)
}

pub async fn download_multiple(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    JsonBody(input): JsonBody<ReportsInput>,
) -> Answer {
    file_response(campaigns::download_reports(&ctx, caller.id, input).await?)
}

/// No token needed: the template is public.
pub async fn template(State(ctx): State<AppContext>) -> Answer {
    file_response(campaigns::recipients_template(&ctx).await?)
}
