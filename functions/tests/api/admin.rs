use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{expect_error, expect_status, TestApp};

async fn role_of(app: &TestApp, user_id: i64) -> String {
    sqlx::query_scalar("SELECT role FROM users WHERE id = ?").bind(user_id).fetch_one(&app.db).await.unwrap()
}

#[tokio::test]
async fn every_admin_route_needs_an_administrator() {
    let app = TestApp::spawn().await;
    let (_, user) = app.user().await;
    let routes = [
        (Method::GET, "/api/admin/users"),
        (Method::PATCH, "/api/admin/users/1/role"),
        (Method::PATCH, "/api/admin/users/1/status"),
        (Method::GET, "/api/admin/transactions"),
        (Method::GET, "/api/admin/dashboard"),
        (Method::POST, "/api/admin/excel-template"),
        (Method::GET, "/api/admin/excel-template/info"),
    ];
    for (method, path) in routes {
        let anonymous =
            app.client.request(method.clone(), app.url(path)).json(&json!({"role": "ADMIN"})).send().await.unwrap();
        expect_error(anonymous, StatusCode::UNAUTHORIZED, "UNAUTHORIZED").await;
        let forged = app.send_auth(method.clone(), path, "a.b.c", &json!({"role": "ADMIN"})).await;
        expect_error(forged, StatusCode::UNAUTHORIZED, "INVALID_TOKEN").await;
        let response =
            app.send_auth(method, path, &user.access_token, &json!({"role": "ADMIN", "status": "BANNED"})).await;
        expect_error(response, StatusCode::FORBIDDEN, "ADMIN_REQUIRED").await;
    }
    assert_eq!(role_of(&app, 1).await, "USER");
}

#[tokio::test]
async fn users_are_listed_with_filters_search_and_pagination() {
    let app = TestApp::spawn().await;
    let (admin_account, admin) = app.staff("ADMIN").await;
    let mut accounts = Vec::new();
    for _ in 0..3 {
        accounts.push(app.register().await);
    }
    app.set_status(accounts[0].id, "BANNED").await;
    let token = &admin.access_token;

    let all = expect_status(app.get_auth("/api/admin/users?limit=2", token).await, StatusCode::OK).await;
    assert_eq!(all["pagination"], json!({"page": 1, "limit": 2, "total": 4, "totalPages": 2}));
    assert_eq!(all["users"][0]["id"], accounts[2].id, "newest first");
    assert!(!all.to_string().contains("argon2"), "no password hashes");
    let second = expect_status(app.get_auth("/api/admin/users?limit=2&page=2", token).await, StatusCode::OK).await;
    assert_eq!(second["users"][1]["id"], admin_account.id);

    let banned = expect_status(app.get_auth("/api/admin/users?status=BANNED", token).await, StatusCode::OK).await;
    assert_eq!(banned["users"].as_array().unwrap().len(), 1);
    assert_eq!(banned["users"][0]["status"], "BANNED");
    let admins = expect_status(app.get_auth("/api/admin/users?role=ADMIN", token).await, StatusCode::OK).await;
    assert_eq!(admins["users"][0]["id"], admin_account.id);

    // Search in e-mail, in name (Persian), and by phone as typed locally.
    let by_email = expect_status(
        app.get_auth(&format!("/api/admin/users?search={}", accounts[1].email), token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_email["pagination"]["total"], 1);
    let by_name = expect_status(
        app.get_auth("/api/admin/users?search=%DA%A9%D8%A7%D8%B1%D8%A8%D8%B1", token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_name["pagination"]["total"], 4);
    let by_phone = expect_status(
        app.get_auth(&format!("/api/admin/users?search={}", accounts[2].phone), token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_phone["users"][0]["id"], accounts[2].id);
    let wildcard = expect_status(app.get_auth("/api/admin/users?search=%25", token).await, StatusCode::OK).await;
    assert_eq!(wildcard["pagination"]["total"], 0, "% is searched for literally");

    for (query, field) in [("role=KING", "role"), ("status=gone", "status"), ("limit=101", "limit"), ("page=0", "page")]
    {
        let response = app.get_auth(&format!("/api/admin/users?{query}"), token).await;
        let error = expect_error(response, StatusCode::BAD_REQUEST, "VALIDATION_ERROR").await;
        assert_eq!(error["errors"][0]["field"], field, "{query}");
    }
}

#[tokio::test]
async fn only_a_super_admin_grants_or_takes_admin_roles() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let (other_admin, _) = app.staff("ADMIN").await;
    let (super_account, superuser) = app.staff("SUPER_ADMIN").await;
    let (user_account, user) = app.user().await;
    let role_path = |id: i64| format!("/api/admin/users/{id}/role");

    for (target, role) in [
        (user_account.id, "ADMIN"),
        (other_admin.id, "USER"),
        (super_account.id, "USER"),
        (user_account.id, "SUPER_ADMIN"),
    ] {
        let response = app.patch_auth(&role_path(target), &admin.access_token, &json!({"role": role})).await;
        expect_error(response, StatusCode::FORBIDDEN, "SUPER_ADMIN_REQUIRED").await;
    }
    assert_eq!(role_of(&app, user_account.id).await, "USER");
    assert_eq!(role_of(&app, other_admin.id).await, "ADMIN");

    let promoted =
        app.patch_auth(&role_path(user_account.id), &superuser.access_token, &json!({"role": "ADMIN"})).await;
    let promoted = expect_status(promoted, StatusCode::OK).await;
    assert_eq!(promoted["user"]["role"], "ADMIN");
    // The new role applies to the token already held.
    expect_status(app.get_auth("/api/admin/dashboard", &user.access_token).await, StatusCode::OK).await;
    let demoted = app.patch_auth(&role_path(other_admin.id), &superuser.access_token, &json!({"role": "USER"})).await;
    expect_status(demoted, StatusCode::OK).await;
    assert_eq!(role_of(&app, other_admin.id).await, "USER");

    let own = app.patch_auth(&role_path(super_account.id), &superuser.access_token, &json!({"role": "USER"})).await;
    expect_error(own, StatusCode::FORBIDDEN, "CANNOT_CHANGE_OWN_ROLE").await;
    assert_eq!(role_of(&app, super_account.id).await, "SUPER_ADMIN");

    let error = expect_error(
        app.patch_auth(&role_path(other_admin.id), &superuser.access_token, &json!({"role": "OWNER"})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "role");
    expect_error(
        app.patch_auth(&role_path(999_999), &superuser.access_token, &json!({"role": "USER"})).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    )
    .await;
    expect_error(
        app.patch_auth("/api/admin/users/x/role", &superuser.access_token, &json!({"role": "USER"})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
}

#[tokio::test]
async fn a_ban_ends_sessions_and_pauses_running_campaigns() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    let (account, session) = app.user().await;
    let second_login = app.login(&account).await;
    let running = app.insert_campaign(account.id, "RUNNING").await;
    let draft = app.insert_campaign(account.id, "DRAFT").await;
    let (bystander, _) = app.user().await;
    let bystanders_campaign = app.insert_campaign(bystander.id, "RUNNING").await;

    let path = format!("/api/admin/users/{}/status", account.id);
    let banned =
        expect_status(app.patch_auth(&path, &admin.access_token, &json!({"status": "BANNED"})).await, StatusCode::OK)
            .await;
    assert_eq!(banned["user"]["status"], "BANNED");
    assert_eq!(banned["revokedSessions"], 2);
    assert_eq!(banned["pausedCampaigns"], 1);

    let campaign = |id: i64| {
        sqlx::query_as::<_, (String, Option<String>)>("SELECT status, failure_reason FROM campaigns WHERE id = ?")
            .bind(id)
            .fetch_one(&app.db)
    };
    assert_eq!(campaign(running).await.unwrap(), ("PAUSED".into(), Some("Account banned by an administrator".into())));
    assert_eq!(campaign(draft).await.unwrap().0, "DRAFT");
    assert_eq!(campaign(bystanders_campaign).await.unwrap().0, "RUNNING");

    expect_error(app.get_auth("/api/user/profile", &session.access_token).await, StatusCode::FORBIDDEN, "USER_BANNED")
        .await;
    for refresh in [&session.refresh_token, &second_login.refresh_token] {
        let response = app.post("/api/refresh/token", &json!({"refreshToken": refresh})).await;
        expect_error(response, StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN").await;
    }

    let restored = app.patch_auth(&path, &admin.access_token, &json!({"status": "ACTIVE"})).await;
    assert_eq!(expect_status(restored, StatusCode::OK).await["revokedSessions"], 0);
    app.login(&account).await;
}

#[tokio::test]
async fn status_changes_follow_the_role_rules() {
    let app = TestApp::spawn().await;
    let (admin_account, admin) = app.staff("ADMIN").await;
    let (other_admin, _) = app.staff("ADMIN").await;
    let (_, superuser) = app.staff("SUPER_ADMIN").await;
    let status_path = |id: i64| format!("/api/admin/users/{id}/status");

    let own = app.patch_auth(&status_path(admin_account.id), &admin.access_token, &json!({"status": "INACTIVE"})).await;
    expect_error(own, StatusCode::FORBIDDEN, "CANNOT_CHANGE_OWN_STATUS").await;
    let peer = app.patch_auth(&status_path(other_admin.id), &admin.access_token, &json!({"status": "BANNED"})).await;
    expect_error(peer, StatusCode::FORBIDDEN, "SUPER_ADMIN_REQUIRED").await;
    let error = expect_error(
        app.patch_auth(&status_path(other_admin.id), &superuser.access_token, &json!({"status": "DELETED"})).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "status");
    let statuses: Vec<String> = sqlx::query_scalar("SELECT status FROM users").fetch_all(&app.db).await.unwrap();
    assert!(statuses.iter().all(|s| s == "ACTIVE"), "{statuses:?}");

    let deactivated =
        app.patch_auth(&status_path(other_admin.id), &superuser.access_token, &json!({"status": "INACTIVE"})).await;
    assert_eq!(expect_status(deactivated, StatusCode::OK).await["user"]["status"], "INACTIVE");
}

/// A package bought and paid (through the fake Zarinpal) by a new user;
/// returns nothing, leaves one SUCCESS transaction of `price`.
async fn paid_purchase(app: &TestApp, admin_token: &str, price: i64) {
    let package_id = app.create_package(admin_token, price, 30, 100).await;
    let (_, buyer) = app.user().await;
    let order_id = app.create_order(&buyer.access_token, package_id).await;
    let (authority, _) = app.request_payment(&buyer.access_token, order_id).await;
    app.zarinpal.pay(&authority);
    let body = json!({"orderId": order_id, "authority": authority});
    expect_status(app.post_auth("/api/payments/verify", &buyer.access_token, &body).await, StatusCode::OK).await;
}

/// A pending payment by a new user.
async fn pending_purchase(app: &TestApp, admin_token: &str, price: i64) {
    let package_id = app.create_package(admin_token, price, 30, 100).await;
    let (_, buyer) = app.user().await;
    let order_id = app.create_order(&buyer.access_token, package_id).await;
    app.request_payment(&buyer.access_token, order_id).await;
}

#[tokio::test]
async fn administrators_list_every_transaction() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    paid_purchase(&app, &admin.access_token, 150_000).await;
    pending_purchase(&app, &admin.access_token, 90_000).await;
    let token = &admin.access_token;

    let all = expect_status(app.get_auth("/api/admin/transactions", token).await, StatusCode::OK).await;
    assert_eq!(all["pagination"]["total"], 2);
    let paid = expect_status(app.get_auth("/api/admin/transactions?status=SUCCESS", token).await, StatusCode::OK).await;
    let transaction = &paid["transactions"][0];
    assert_eq!(paid["pagination"]["total"], 1);
    assert_eq!(transaction["amount"], 150_000);
    assert_eq!(transaction["refId"], "201");
    assert_eq!(transaction["gatewayData"]["card_pan"], "502229******5995");
    assert!(transaction["user"]["email"].as_str().unwrap().contains('@'));
    assert!(transaction["package"]["title"].is_string());
    let page = expect_status(app.get_auth("/api/admin/transactions?limit=1&page=2", token).await, StatusCode::OK).await;
    assert_eq!(page["transactions"].as_array().unwrap().len(), 1);
    assert_eq!(page["pagination"]["totalPages"], 2);
    let error = expect_error(
        app.get_auth("/api/admin/transactions?status=DONE", token).await,
        StatusCode::BAD_REQUEST,
        "VALIDATION_ERROR",
    )
    .await;
    assert_eq!(error["errors"][0]["field"], "status");
}

#[tokio::test]
async fn the_dashboard_counts_in_sql() {
    let app = TestApp::spawn().await;
    let (_, admin) = app.staff("ADMIN").await;
    paid_purchase(&app, &admin.access_token, 150_000).await;
    paid_purchase(&app, &admin.access_token, 40_000).await;
    pending_purchase(&app, &admin.access_token, 90_000).await;
    let (banned, _) = app.user().await;
    app.set_status(banned.id, "BANNED").await;
    app.insert_campaign(banned.id, "RUNNING").await;
    app.insert_campaign(banned.id, "COMPLETED").await;
    app.insert_campaign(banned.id, "RUNNING").await;

    let body: Value =
        expect_status(app.get_auth("/api/admin/dashboard", &admin.access_token).await, StatusCode::OK).await;
    assert_eq!(body["success"], true);
    assert_eq!(
        body["stats"],
        json!({
            "totalUsers": 5,
            "activeUsers": 4,
            "totalCampaigns": 3,
            "runningCampaigns": 2,
            "totalRevenue": 190_000,
            "totalTransactions": 3,
            "successfulTransactions": 2,
        })
    );
}
