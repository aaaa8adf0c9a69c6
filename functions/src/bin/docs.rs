//! The docs Lambda: `GET /api/openapi.json` and `GET /api/docs`, the API's
//! description and its reference page (the same router the local gateway
//! serves).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::routes::run_lambda(const { functions::routes::Function::Docs.router() }).await
}
