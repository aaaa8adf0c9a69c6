//! The opt-out list: `GET/POST /api/suppressions` and
//! `DELETE /api/suppressions/{phone}`. POST takes either JSON
//! `{phones, reason?}` or a spreadsheet in the multipart field
//! `suppressionsFile`, told apart by the request's Content-Type. Served by
//! the campaigns function (the list is a campaign owner's).

use axum::{
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State},
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Response},
    routing::{delete, get},
    Json, Router,
};
use serde_json::json;
use shared::{
    campaigns::MAX_MULTIPART_RECIPIENTS_BYTES,
    suppressions::{self, AddOutcome, AddSuppressionsInput, SuppressionListQuery},
    ApiError, AppContext,
};

use crate::http::{upload::read_file, upload::MULTIPART_OVERHEAD, CurrentUser, JsonBody, QueryParams};

type Answer = Result<Response, ApiError>;

pub fn router(ctx: AppContext) -> Router {
    let file_limit = DefaultBodyLimit::max(MAX_MULTIPART_RECIPIENTS_BYTES + MULTIPART_OVERHEAD);
    Router::new()
        .route("/api/suppressions", get(list).post(add).layer(file_limit))
        .route("/api/suppressions/{phone}", delete(remove))
        .with_state(ctx)
}

#[utoipa::path(
    get,
    path = "/api/suppressions",
    tag = "suppressions",
    summary = "The numbers never to be messaged (opt-outs), newest first",
    params(SuppressionListQuery),
    responses((status = 200, description = "A page of the list", body = crate::openapi::bodies::SuppressionList)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(query): QueryParams<SuppressionListQuery>,
) -> Answer {
    let (items, pagination) = suppressions::list(&ctx, caller.id, query).await?;
    let items: Vec<_> =
        items.iter().map(|s| json!({ "phone": s.phone, "reason": s.reason, "createdAt": s.created_at })).collect();
    Ok(Json(json!({ "success": true, "suppressions": items, "pagination": pagination })).into_response())
}

#[utoipa::path(
    post,
    path = "/api/suppressions",
    tag = "suppressions",
    summary = "Add numbers: JSON {phones, reason?}, or a spreadsheet in the multipart field `suppressionsFile`",
    request_body(
        content(
            (AddSuppressionsInput = "application/json"),
            (crate::openapi::bodies::SuppressionsUpload = "multipart/form-data"),
        ),
    ),
    responses((status = 200, description = "Added", body = crate::openapi::bodies::SuppressionsAdded)),
    security(("bearer" = [])),
)]
pub async fn add(State(ctx): State<AppContext>, caller: CurrentUser, request: Request) -> Answer {
    let multipart = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"));
    let outcome = if multipart {
        let form = Multipart::from_request(request, &()).await;
        let file = read_file(form, "suppressionsFile", MAX_MULTIPART_RECIPIENTS_BYTES).await?;
        suppressions::import(&ctx, caller.id, file.bytes).await?
    } else {
        let JsonBody(input) = JsonBody::<AddSuppressionsInput>::from_request(request, &()).await?;
        suppressions::add(&ctx, caller.id, input).await?
    };
    added(&outcome)
}

fn added(outcome: &AddOutcome) -> Answer {
    let mut body = serde_json::to_value(outcome).map_err(ApiError::internal)?;
    body["success"] = json!(true);
    body["message"] = json!(format!("{} numbers added to the suppression list", outcome.added));
    Ok(Json(body).into_response())
}

#[utoipa::path(
    delete,
    path = "/api/suppressions/{phone}",
    tag = "suppressions",
    summary = "Take a number off the list (it may be messaged again)",
    params(("phone" = String, Path, pattern = r"^\+?[-0-9٠-٩۰-۹ ().]*[0-9٠-٩۰-۹][-0-9٠-٩۰-۹ ().]*$",
        description = "The number, in any accepted form: digits (Latin, Persian or Arabic-Indic), an optional \
                       leading `+`, spaces, dashes, dots and brackets. Other characters are a 400; digits that \
                       make no valid number cannot be on the list (404)")),
    responses((status = 200, description = "Removed", body = crate::openapi::bodies::Done)),
    security(("bearer" = [])),
)]
pub async fn remove(State(ctx): State<AppContext>, caller: CurrentUser, Path(phone): Path<String>) -> Answer {
    suppressions::remove(&ctx, caller.id, &phone).await?;
    Ok(Json(json!({ "success": true, "message": "Number removed from the suppression list" })).into_response())
}
