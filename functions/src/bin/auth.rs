//! The auth Lambda: API Gateway HTTP API events in, the router of the
//! routes `functions::routes::table()` gives this function answers (the same
//! router the local gateway serves).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::routes::run_lambda(const { functions::routes::Function::Auth.router() }).await
}
