//! The route table: every HTTP route of the API, with the Lambda function
//! that serves it. Each area registers its handlers once (`api()`: the
//! route and its documented operation together); this table, the routers,
//! the Lambda binaries ([`run_lambda`]), the local gateway and the OpenAPI
//! document all read those registrations. Tests check the table against
//! the specification (`docs/spec.md`), against `template.yaml` and against
//! what the routers actually answer.

use axum::Router;
use shared::AppContext;
use utoipa_axum::router::OpenApiRouter;

/// The HTTP API's Lambda functions (the WebSocket and scheduler functions
/// are not routed by path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    Auth,
    Campaigns,
    Packages,
    Payments,
    Admin,
    Docs,
}

impl Function {
    pub const ALL: [Function; 6] =
        [Function::Auth, Function::Campaigns, Function::Packages, Function::Payments, Function::Admin, Function::Docs];

    /// The resource name in `template.yaml`.
    pub fn resource(self) -> &'static str {
        match self {
            Function::Auth => "AuthFunction",
            Function::Campaigns => "CampaignsFunction",
            Function::Packages => "PackagesFunction",
            Function::Payments => "PaymentsFunction",
            Function::Admin => "AdminFunction",
            Function::Docs => "DocsFunction",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    /// `GET`, `POST`, …
    pub method: String,
    /// axum/API Gateway path syntax: `/api/campaigns/{id}`.
    pub path: String,
    pub function: Function,
}

/// Every route, read from the areas' registrations.
pub fn table() -> Vec<ApiRoute> {
    let mut routes = Vec::new();
    for function in Function::ALL {
        let api = (function.api())().into_openapi();
        for (path, item) in api.paths.paths {
            let operations = [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
                ("HEAD", &item.head),
                ("OPTIONS", &item.options),
                ("TRACE", &item.trace),
            ];
            for (method, operation) in operations {
                if operation.is_some() {
                    routes.push(ApiRoute { method: method.to_owned(), path: path.clone(), function });
                }
            }
        }
    }
    routes
}

use Function::*;

/// The routes one Lambda function serves (without the common layers).
pub fn routes(function: Function, ctx: &AppContext) -> Router {
    (function.router())(ctx.clone())
}

impl Function {
    /// The router serving this function's routes. A `const fn`: a Lambda
    /// binary asks for its router in a const block, so the binary refers to
    /// (and links) only its own area's code, not every area's.
    pub const fn router(self) -> fn(AppContext) -> Router {
        match self {
            Auth => crate::auth::router,
            Campaigns => campaigns_and_whatsapp,
            Packages => crate::packages::router,
            Payments => crate::payments::router,
            Admin => crate::admin::router,
            Docs => crate::openapi::router,
        }
    }

    /// This function's registrations: its routes with their operations.
    pub const fn api(self) -> fn() -> OpenApiRouter<AppContext> {
        match self {
            Auth => crate::auth::api,
            Campaigns => campaigns_and_whatsapp_api,
            Packages => crate::packages::api,
            Payments => crate::payments::api,
            Admin => crate::admin::api,
            Docs => crate::openapi::api,
        }
    }
}

fn campaigns_and_whatsapp_api() -> OpenApiRouter<AppContext> {
    crate::campaigns::api().merge(crate::whatsapp::api()).merge(crate::suppressions::api())
}

fn campaigns_and_whatsapp(ctx: AppContext) -> Router {
    crate::openapi::serve(campaigns_and_whatsapp_api(), ctx)
}

/// A Lambda function's whole life: settings, then API Gateway events
/// through its router until shutdown. Binaries pass
/// `const { Function::X.router() }`. A stage or API mapping prefix leaves
/// the path before routing (the routes are the same as locally) and is
/// kept for the URLs we hand out.
pub async fn run_lambda(router: fn(AppContext) -> Router) -> Result<(), lambda_http::Error> {
    shared::telemetry::init();
    let ctx = AppContext::from_env().await?;
    let service = tower::ServiceBuilder::new()
        .map_request(crate::http::public_url::route_from_api_gateway::<lambda_http::Body>)
        .service(crate::http::finish(router(ctx)));
    lambda_http::run(service).await
}
