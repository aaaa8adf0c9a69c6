//! The WebSocket API's `$connect` route as a Lambda.

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::ws::run_lambda(functions::ws::Route::Connect).await
}
