//! The one route table: every HTTP route of the API, with the Lambda
//! function that serves it. The Lambda binaries build their routers through
//! [`lambda_router`], the local gateway merges the same routers, and a test
//! checks this table against the specification (`docs/spec.md`), against
//! `template.yaml` and against what the routers actually answer — so the
//! three cannot drift apart.

use axum::Router;
use shared::AppContext;

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

pub struct ApiRoute {
    pub method: &'static str,
    /// axum/API Gateway path syntax: `/api/campaigns/{id}`.
    pub path: &'static str,
    pub function: Function,
}

const fn route(method: &'static str, path: &'static str, function: Function) -> ApiRoute {
    ApiRoute { method, path, function }
}

use Function::*;

pub const ROUTES: &[ApiRoute] = &[
    route("GET", "/api/health", Auth),
    route("POST", "/api/auth/request-otp", Auth),
    route("POST", "/api/auth/verify-otp", Auth),
    route("POST", "/api/auth/logout", Auth),
    route("POST", "/api/user/register", Auth),
    route("POST", "/api/user/register-simple", Auth),
    route("POST", "/api/user/login", Auth),
    route("GET", "/api/user/profile", Auth),
    route("POST", "/api/user/profile", Auth),
    route("POST", "/api/refresh/token", Auth),
    route("POST", "/api/campaigns", Campaigns),
    route("GET", "/api/campaigns", Campaigns),
    route("GET", "/api/campaigns/scheduled", Campaigns),
    route("GET", "/api/campaigns/excel-template/download", Campaigns),
    route("POST", "/api/campaigns/reports/download-multiple", Campaigns),
    route("GET", "/api/campaigns/{id}", Campaigns),
    route("DELETE", "/api/campaigns/{id}", Campaigns),
    route("PUT", "/api/campaigns/{id}/title", Campaigns),
    route("PUT", "/api/campaigns/{id}/interval", Campaigns),
    route("PUT", "/api/campaigns/{id}/send-window", Campaigns),
    route("POST", "/api/campaigns/{id}/recipients", Campaigns),
    route("GET", "/api/campaigns/{id}/recipients", Campaigns),
    route("POST", "/api/campaigns/{id}/recipients/upload-url", Campaigns),
    route("POST", "/api/campaigns/{id}/recipients/import-staged", Campaigns),
    route("POST", "/api/campaigns/{id}/attachment", Campaigns),
    route("GET", "/api/campaigns/{id}/attachment", Campaigns),
    route("DELETE", "/api/campaigns/{id}/attachment", Campaigns),
    route("POST", "/api/campaigns/{id}/attachment/temp", Campaigns),
    route("POST", "/api/campaigns/{id}/attachment/upload-url", Campaigns),
    route("POST", "/api/campaigns/{id}/attachment/confirm", Campaigns),
    route("GET", "/api/campaigns/{id}/preview", Campaigns),
    route("GET", "/api/campaigns/{id}/report", Campaigns),
    route("GET", "/api/campaigns/{id}/report/download", Campaigns),
    route("POST", "/api/campaigns/{id}/qr-code", Campaigns),
    route("POST", "/api/campaigns/{id}/pairing-code", Campaigns),
    route("GET", "/api/campaigns/{id}/connection", Campaigns),
    route("POST", "/api/campaigns/{id}/start", Campaigns),
    route("POST", "/api/campaigns/{id}/pause", Campaigns),
    route("POST", "/api/campaigns/{id}/resume", Campaigns),
    route("POST", "/api/campaigns/{id}/cleanup-session", Campaigns),
    route("POST", "/api/campaigns/{id}/cancel-schedule", Campaigns),
    route("GET", "/api/suppressions", Campaigns),
    route("POST", "/api/suppressions", Campaigns),
    route("DELETE", "/api/suppressions/{phone}", Campaigns),
    route("GET", "/api/whatsapp-accounts", Campaigns),
    route("POST", "/api/whatsapp-accounts", Campaigns),
    route("POST", "/api/whatsapp-accounts/pairing-otp", Campaigns),
    route("GET", "/api/whatsapp-accounts/{id}", Campaigns),
    route("DELETE", "/api/whatsapp-accounts/{id}", Campaigns),
    route("GET", "/api/packages", Packages),
    route("POST", "/api/packages", Packages),
    route("GET", "/api/packages/{id}", Packages),
    route("PUT", "/api/packages/{id}", Packages),
    route("DELETE", "/api/packages/{id}", Packages),
    route("POST", "/api/orders", Payments),
    route("GET", "/api/orders/me", Payments),
    route("POST", "/api/payments/request", Payments),
    route("GET", "/api/payments/callback", Payments),
    route("POST", "/api/payments/verify", Payments),
    route("GET", "/api/payments/me", Payments),
    route("GET", "/api/campaigns/subscription", Payments),
    route("GET", "/api/admin/users", Admin),
    route("PATCH", "/api/admin/users/{userId}/role", Admin),
    route("PATCH", "/api/admin/users/{userId}/status", Admin),
    route("GET", "/api/admin/transactions", Admin),
    route("GET", "/api/admin/dashboard", Admin),
    route("POST", "/api/admin/excel-template", Admin),
    route("GET", "/api/admin/excel-template/info", Admin),
    route("GET", "/api/openapi.json", Docs),
    route("GET", "/api/docs", Docs),
];

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
            Campaigns => campaigns_and_sessions,
            Packages => crate::packages::router,
            Payments => crate::payments::router,
            Admin => crate::admin::router,
            Docs => crate::openapi::router,
        }
    }
}

fn campaigns_and_sessions(ctx: AppContext) -> Router {
    crate::campaigns::router(ctx.clone())
        .merge(crate::sessions::router(ctx.clone()))
        .merge(crate::suppressions::router(ctx))
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
