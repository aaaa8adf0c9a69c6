//! The API's own description: an OpenAPI 3.1 document generated from the
//! handlers' `#[utoipa::path]` attributes and the request and view types,
//! served at `GET /api/openapi.json`, and a reference page at `GET /api/docs`
//! whose script is compiled into the binary (nothing comes from a CDN).
//!
//! The WebSocket API is described in the same document, as schema
//! components (`WsEvent` and the client messages) with a prose section in
//! `info.description`: one file that the frontend team, the validator and
//! the reference page all read, rather than a second AsyncAPI document that
//! would need its own tooling.
//!
//! Each area registers a handler once (`api()`, utoipa-axum's
//! `OpenApiRouter` with `routes!`): the same registration gives the router
//! its route and the document its operation, and the handler's answer is
//! the typed body its `#[utoipa::path]` names. Tests check real answers
//! against the documented shapes.

pub mod contract;
mod events;

use std::sync::OnceLock;

use axum::{
    http::{header, HeaderValue},
    response::{IntoResponse, Response},
    Router,
};
use shared::{
    domain::pagination::{MAX_LIMIT, MAX_PAGE},
    AppContext,
};
use utoipa::{
    openapi::{
        path::Operation,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
        RefOr, Response as ApiResponse, ResponseBuilder,
    },
    Modify, OpenApi,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::routes::Function;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "WhatsApp campaign service",
        description = include_str!("description.md"),
        version = env!("CARGO_PKG_VERSION"),
    ),
    servers((url = "/", description = "This API")),
    components(schemas(
        shared::error::ErrorEnvelope,
        events::WsEvent,
        events::WsClientMessage,
        events::WsServerReply,
    )),
    tags(
        (name = "auth", description = "Sign-up, login, tokens and the own profile"),
        (name = "campaigns", description = "Campaigns, recipient lists, attachments, previews and reports"),
        (name = "sessions", description = "The campaign's WhatsApp session: QR code, start, pause, resume, schedule"),
        (name = "suppressions", description = "The opt-out list: numbers never to be messaged"),
        (name = "packages", description = "Message packages"),
        (name = "payments", description = "Orders, payments and the subscription"),
        (name = "admin", description = "Administration (ADMIN or SUPER_ADMIN)"),
        (name = "meta", description = "Health and this description"),
    ),
)]
pub struct ApiDoc;

/// What every operation shares, added once instead of on each handler: the
/// bearer scheme, and the error envelope as the answer to every failure
/// (`default`), with 401 on every operation that needs a token and 429 from
/// the rate limiter.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let operations = [
                ("get", &mut item.get),
                ("post", &mut item.post),
                ("put", &mut item.put),
                ("patch", &mut item.patch),
                ("delete", &mut item.delete),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    operation.operation_id = Some(operation_id(method, path));
                    bound_parameters(operation);
                    add_error_answers(operation);
                }
            }
        }
    }
}

/// A unique, readable id from the method and path:
/// `POST /api/campaigns/{id}/attachment` → `postCampaignsIdAttachment`.
fn operation_id(method: &str, path: &str) -> String {
    let mut id = method.to_owned();
    for word in path.trim_start_matches("/api").split(['/', '-', '.', '{', '}']).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.extend(first.to_uppercase());
            id.push_str(chars.as_str());
        }
    }
    id
}

/// The bounds the code holds every id and list to, stated once for every
/// operation: an id in the path is a positive integer (`PathId`), `page`
/// runs from 1 to `MAX_PAGE` and `limit` from 1 to `MAX_LIMIT`
/// (`PageRequest`). Both sides read the same constants.
fn bound_parameters(operation: &mut Operation) {
    use utoipa::openapi::{path::ParameterIn, schema::SchemaType, Schema, Type};
    let Some(parameters) = operation.parameters.as_mut() else { return };
    for parameter in parameters {
        let Some(RefOr::T(Schema::Object(schema))) = parameter.schema.as_mut() else { continue };
        let integer = match &schema.schema_type {
            SchemaType::Type(Type::Integer) => true,
            SchemaType::Array(types) => types.contains(&Type::Integer),
            _ => false,
        };
        if !integer {
            continue;
        }
        let (minimum, maximum) = match (&parameter.parameter_in, parameter.name.as_str()) {
            (ParameterIn::Path, _) => (1, i64::MAX as usize),
            (ParameterIn::Query, "page") => (1, MAX_PAGE as usize),
            (ParameterIn::Query, "limit") => (1, MAX_LIMIT as usize),
            _ => continue,
        };
        // A query parameter is a number or absent, never `null`.
        schema.schema_type = SchemaType::Type(Type::Integer);
        schema.minimum = Some(utoipa::Number::UInt(minimum));
        schema.maximum = Some(utoipa::Number::UInt(maximum));
    }
}

fn error_answer(description: &str) -> RefOr<ApiResponse> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            utoipa::openapi::ContentBuilder::new()
                .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorEnvelope")))
                .build(),
        )
        .build()
        .into()
}

fn add_error_answers(operation: &mut Operation) {
    let answers = &mut operation.responses.responses;
    let needs_token = operation.security.as_ref().is_some_and(|s| !s.is_empty());
    if needs_token {
        answers.entry("401".into()).or_insert_with(|| error_answer("No token, or an invalid or expired one"));
    }
    answers.entry("429".into()).or_insert_with(|| error_answer("Rate limited; `Retry-After` says when to retry"));
    answers.entry("default".into()).or_insert_with(|| {
        error_answer("Any other failure: 400 validation (with `errors`), 403, 404, 409, 413, 415, 422, 500, 503")
    });
}

/// The document: the operations every function's routes registered, with
/// what they share (`Conventions`), refined where the derives cannot say
/// what the code accepts (`contract`).
pub fn document() -> serde_json::Value {
    let mut api = ApiDoc::openapi();
    for function in Function::ALL {
        api.merge((function.api())().into_openapi());
    }
    Conventions.modify(&mut api);
    let mut doc = serde_json::to_value(api).expect("the OpenAPI document serializes");
    contract::refine(&mut doc);
    doc
}

/// An area's routes, ready to serve: the router of its registrations
/// (their operations are for `document`).
pub fn serve(api: OpenApiRouter<AppContext>, ctx: AppContext) -> Router {
    let (router, _) = api.split_for_parts();
    router.with_state(ctx)
}

/// The document as JSON, built once per process.
pub fn document_json() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| serde_json::to_string_pretty(&document()).expect("the OpenAPI document serializes"))
}

/// This API's description (OpenAPI 3.1).
#[utoipa::path(get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object)))]
pub async fn docs_json() -> Response {
    with_type(document_json(), "application/json")
}

/// A reference page for this API, rendered in the browser from `/api/openapi.json`.
#[utoipa::path(get, path = "/api/docs", tag = "meta",
    responses((status = 200, description = "An HTML page", content_type = "text/html", body = String)))]
pub async fn docs_page() -> Response {
    let mut page = with_type(DOCS_PAGE, "text/html; charset=utf-8");
    page.headers_mut().insert(header::CONTENT_SECURITY_POLICY, docs_policy().clone());
    page
}

const DOCS_PAGE: &str = include_str!("docs.html");

/// The page's own policy, stricter than "no inline code" would be useful:
/// only its own inline script and style (by hash) run, and it may only talk
/// to this origin. The API's default policy (`default-src 'none'`) would
/// block the page entirely.
fn docs_policy() -> &'static HeaderValue {
    static POLICY: OnceLock<HeaderValue> = OnceLock::new();
    POLICY.get_or_init(|| {
        let hash = |open: &str, close: &str| {
            let start = DOCS_PAGE.find(open).expect("the page has the element") + open.len();
            let end = start + DOCS_PAGE[start..].find(close).expect("the element is closed");
            let digest = <sha2::Sha256 as sha2::Digest>::digest(&DOCS_PAGE.as_bytes()[start..end]);
            format!("'sha256-{}'", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, digest))
        };
        let policy = format!(
            "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; img-src 'self' data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            hash("<script>", "</script>"),
            hash("<style>", "</style>"),
        );
        HeaderValue::from_str(&policy).expect("the policy is a valid header")
    })
}

fn with_type(body: &'static str, content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, HeaderValue::from_static(content_type))], body).into_response()
}

/// The description's routes; they need nothing of the context.
pub fn api() -> OpenApiRouter<AppContext> {
    OpenApiRouter::default().routes(routes!(docs_json)).routes(routes!(docs_page))
}

pub fn router(ctx: AppContext) -> Router {
    serve(api(), ctx)
}
