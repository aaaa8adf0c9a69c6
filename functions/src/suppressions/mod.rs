//! The opt-out list: `GET/POST /api/suppressions` and
//! `DELETE /api/suppressions/{phone}`. POST takes either JSON
//! `{phones, reason?}` or a spreadsheet in the multipart field
//! `suppressionsFile`, told apart by the request's Content-Type. Served by
//! the campaigns function (the list is a campaign owner's).

use axum::{
    extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State},
    http::header::CONTENT_TYPE,
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::{
    campaigns::MAX_MULTIPART_RECIPIENTS_BYTES,
    domain::Pagination,
    repo::suppressions::SuppressionRecord,
    suppressions::{self, AddOutcome, AddSuppressionsInput, SuppressionListQuery},
    ApiError, AppContext,
};
use utoipa::ToSchema;
use utoipa_axum::{
    router::{OpenApiRouter, UtoipaMethodRouterExt},
    routes,
};

use crate::http::{layers::Done, upload::read_file, upload::MULTIPART_OVERHEAD, CurrentUser, JsonBody, QueryParams};

type Answer = Result<Response, ApiError>;

/// The area's routes, each registered once with its documentation.
pub fn api() -> OpenApiRouter<AppContext> {
    let file_limit = DefaultBodyLimit::max(MAX_MULTIPART_RECIPIENTS_BYTES + MULTIPART_OVERHEAD);
    OpenApiRouter::default().routes(routes!(list, add).layer(file_limit)).routes(routes!(remove))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppressionView<'a> {
    /// Canonical digits (`989123456789`).
    phone: &'a str,
    reason: Option<&'a str>,
    created_at: DateTime<Utc>,
}

impl<'a> From<&'a SuppressionRecord> for SuppressionView<'a> {
    fn from(s: &'a SuppressionRecord) -> Self {
        Self { phone: &s.phone, reason: s.reason.as_deref(), created_at: s.created_at }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SuppressionList<'a> {
    success: bool,
    suppressions: Vec<SuppressionView<'a>>,
    pagination: Pagination,
}

#[derive(Serialize, ToSchema)]
pub struct SuppressionsAdded {
    success: bool,
    message: String,
    #[serde(flatten)]
    outcome: AddOutcome,
}

/// `multipart/form-data` with a list of numbers in `suppressionsFile` (a
/// phone column as in a recipient list).
#[allow(dead_code)] // only described: the handler reads the form field by field
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SuppressionsUpload {
    /// .xlsx, .xls or .csv.
    #[schema(value_type = String, format = Binary)]
    suppressions_file: Vec<u8>,
}

#[utoipa::path(
    get,
    path = "/api/suppressions",
    tag = "suppressions",
    summary = "The numbers never to be messaged (opt-outs), newest first",
    params(SuppressionListQuery),
    responses((status = 200, description = "A page of the list", body = SuppressionList<'static>)),
    security(("bearer" = [])),
)]
pub async fn list(
    State(ctx): State<AppContext>,
    caller: CurrentUser,
    QueryParams(query): QueryParams<SuppressionListQuery>,
) -> Answer {
    let (items, pagination) = suppressions::list(&ctx, caller.id, query).await?;
    let suppressions = items.iter().map(SuppressionView::from).collect();
    Ok(Json(SuppressionList { success: true, suppressions, pagination }).into_response())
}

#[utoipa::path(
    post,
    path = "/api/suppressions",
    tag = "suppressions",
    summary = "Add numbers: JSON {phones, reason?}, or a spreadsheet in the multipart field `suppressionsFile`",
    request_body(
        content(
            (AddSuppressionsInput = "application/json"),
            (SuppressionsUpload = "multipart/form-data"),
        ),
    ),
    responses((status = 200, description = "Added", body = SuppressionsAdded)),
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
    let message = format!("{} numbers added to the suppression list", outcome.added);
    Ok(Json(SuppressionsAdded { success: true, message, outcome }).into_response())
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
    responses((status = 200, description = "Removed", body = Done)),
    security(("bearer" = [])),
)]
pub async fn remove(State(ctx): State<AppContext>, caller: CurrentUser, Path(phone): Path<String>) -> Answer {
    suppressions::remove(&ctx, caller.id, &phone).await?;
    Ok(Done::answer("Number removed from the suppression list"))
}
