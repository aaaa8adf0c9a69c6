//! No drift between the specification (`docs/spec.md`), the route table
//! (`functions::routes::table()`, read from the areas' registrations),
//! `template.yaml` and the routers: every SPEC route is in the table, every
//! table route is in the template under its function and is answered by
//! that function's own router and by the local gateway.

use std::collections::BTreeSet;

use axum::{body::Body, http::Request};
use functions::routes::{routes, table as route_table, Function};
use tower::ServiceExt;

use crate::helpers::TestApp;

fn repo_file(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn table() -> BTreeSet<(String, String)> {
    route_table().into_iter().map(|r| (r.method, r.path)).collect()
}

/// `METHOD /api/...` pairs from docs/spec.md's endpoint tables, `:id` written
/// `{id}`; `…/pause, /resume` names a sibling of the path before it.
fn spec_routes() -> BTreeSet<(String, String)> {
    let spec = repo_file("docs/spec.md");
    let mut found = BTreeSet::new();
    for line in spec.lines().filter(|l| l.starts_with("| ")) {
        let cell = line.split('|').nth(1).unwrap_or_default();
        let mut last: Option<(String, String)> = None;
        for part in cell.split(',').map(str::trim) {
            let words: Vec<&str> = part.split_whitespace().collect();
            let (method, path) = match words.as_slice() {
                [method, path, ..] if ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(method) => {
                    (method.to_string(), path.to_string())
                }
                [path, ..] if path.starts_with('/') && !path.starts_with("/api") => match &last {
                    Some((method, previous)) => {
                        (method.clone(), format!("{}{path}", &previous[..previous.rfind('/').unwrap()]))
                    }
                    None => continue,
                },
                _ => continue,
            };
            let path = path.split('?').next().unwrap().replace(":id", "{id}").replace(":userId", "{userId}");
            if path.starts_with("/api/") {
                found.insert((method.clone(), path.clone()));
                last = Some((method, path));
            }
        }
    }
    found
}

/// (resource, method, path) of every HttpApi event in template.yaml.
fn template_routes() -> BTreeSet<(String, String, String)> {
    let template = repo_file("template.yaml");
    let mut resource = String::new();
    let mut found = BTreeSet::new();
    for line in template.lines() {
        if line.starts_with("  ") && !line.starts_with("   ") && line.trim_end().ends_with(':') {
            resource = line.trim().trim_end_matches(':').to_owned();
        }
        if let Some(props) = line.trim().strip_prefix("Properties: { ApiId: !Ref HttpApi, ") {
            let method = props.split("Method: ").nth(1).unwrap().split(',').next().unwrap().trim().to_owned();
            let path = props.split("Path: ").nth(1).unwrap().trim_end_matches('}').trim().trim_matches('"').to_owned();
            found.insert((resource.clone(), method, path));
        }
    }
    found
}

#[test]
fn every_spec_route_is_in_the_table() {
    let missing: Vec<_> = spec_routes().difference(&table()).cloned().collect();
    assert!(missing.is_empty(), "SPEC routes missing from functions::routes::table(): {missing:?}");
    assert!(spec_routes().len() > 40, "docs/spec.md was read");
}

#[test]
fn the_template_routes_exactly_the_table() {
    let expected: BTreeSet<_> =
        route_table().into_iter().map(|r| (r.function.resource().to_owned(), r.method, r.path)).collect();
    let template = template_routes();
    let missing: Vec<_> = expected.difference(&template).collect();
    let extra: Vec<_> = template.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "template.yaml drifted: missing {missing:?}, extra {extra:?}");
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "999999").replace("{userId}", "999999")
}

/// Whether an answer came from a route rather than the fallbacks.
async fn routed(response: axum::response::Response) -> bool {
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    body["message"] != "No such endpoint" && body["code"] != "METHOD_NOT_ALLOWED"
}

#[tokio::test]
async fn each_function_serves_its_routes_and_the_gateway_serves_all() {
    let app = TestApp::spawn().await;
    let all = route_table();
    assert!(all.len() > 60, "the table has every route: {}", all.len());
    for function in Function::ALL {
        let router = functions::http::finish(routes(function, &app.ctx));
        for route in all.iter().filter(|r| r.function == function) {
            let request = Request::builder()
                .method(route.method.as_str())
                .uri(concrete(&route.path))
                .body(Body::empty())
                .unwrap();
            let response = router.clone().oneshot(request).await.unwrap();
            assert!(routed(response).await, "{:?} does not serve {} {}", function, route.method, route.path);
        }
    }
    for route in &all {
        let response =
            app.client.request(route.method.parse().unwrap(), app.url(&concrete(&route.path))).send().await.unwrap();
        let body: serde_json::Value = response.json().await.unwrap_or_default();
        assert!(body["message"] != "No such endpoint", "the gateway does not serve {} {}", route.method, route.path);
    }
}

/// Every route comes from a `routes!` registration (`api()` of its area),
/// which documents it and puts it in the table: no area adds one with
/// axum's own `.route(…)`, which would be served but neither documented,
/// in the table nor in `template.yaml`.
#[test]
fn areas_route_only_through_their_registrations() {
    fn sources(path: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
        if path.is_dir() {
            for entry in std::fs::read_dir(path).unwrap() {
                sources(&entry.unwrap().path(), found);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path.to_owned());
        }
    }
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for area in
        ["admin", "auth", "campaigns", "packages", "payments", "suppressions", "whatsapp", "openapi", "health.rs"]
    {
        sources(&src.join(area), &mut files);
    }
    assert!(files.len() > 20, "the areas' sources were read: {files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in [".route(", "routing::get", "routing::post", "routing::{"] {
            assert!(
                !text.contains(needle),
                "{} routes with axum's `{needle}`: register with `routes!`",
                file.display()
            );
        }
    }
}
