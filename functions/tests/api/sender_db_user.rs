//! The sender's database user (issue 27): made by
//! `shared::repo::db_users::grant_sender_user` (or `infra/sender-db-user.sql`,
//! held equal to it here), it may do what the sender's SQL does and cannot
//! read password hashes nor touch payments, codes or tokens.

use shared::repo::{db_users, deliveries, quota};
use sqlx::{mysql::MySqlPoolOptions, MySqlPool};

use crate::helpers::TestApp;

/// The MySQL error number of a failed statement (1142: command denied on
/// the table, 1143: on a column).
async fn refused(pool: &MySqlPool, sql: &str) -> Option<u16> {
    match sqlx::query(sql).execute(pool).await {
        Ok(_) => None,
        Err(sqlx::Error::Database(err)) => {
            err.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|e| e.number()).or(Some(0))
        }
        Err(other) => panic!("{sql}: {other}"),
    }
}

async fn works(pool: &MySqlPool, sql: &str) -> Result<(), String> {
    sqlx::query(sql).execute(pool).await.map(|_| ()).map_err(|e| format!("{sql}: {e}"))
}

#[tokio::test]
async fn the_senders_user_cannot_read_password_hashes_nor_write_payments() {
    let app = TestApp::spawn().await;
    // A name of this test's own: the database server is shared by tests
    // running at once (and perhaps by another checkout's).
    let user = format!("wa_sender_t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let password = uuid::Uuid::new_v4().simple().to_string();
    // Twice: updating it works too. Whatever fails, the user is dropped
    // at the end.
    let mut problems = Vec::new();
    for _ in 0..2 {
        if let Err(err) = db_users::grant_sender_user(&app.db, &user, "%", &password).await {
            problems.push(format!("grant_sender_user: {err}"));
        }
    }

    let options = (*app.db.connect_options()).clone().username(&user).password(&password);
    let sender = MySqlPoolOptions::new().max_connections(1).connect_with(options).await;
    match &sender {
        Err(err) => problems.push(format!("cannot connect as {user}: {err}")),
        Ok(sender) => {
            for sql in [
                "SELECT password_hash FROM users",
                "SELECT * FROM users",
                "SELECT email FROM users LIMIT 1",
                "UPDATE users SET password_hash = 'x' WHERE id = 0",
                "UPDATE users SET role = 'SUPER_ADMIN' WHERE id = 0",
                "INSERT INTO transactions (user_id) VALUES (1)",
                "UPDATE transactions SET status = 'PAID' WHERE id = 0",
                "SELECT * FROM transactions",
                "UPDATE orders SET status = 'PAID' WHERE id = 0",
                "INSERT INTO payments (id) VALUES (1)",
                "SELECT * FROM otps",
                "SELECT * FROM refresh_tokens",
                "DELETE FROM campaigns WHERE id = 0",
                "CREATE TABLE sneaky (id INT)",
            ] {
                match refused(sender, sql).await {
                    Some(1142 | 1143) => {}
                    Some(other) => problems.push(format!("{sql}: refused with {other}, not 1142/1143")),
                    None => problems.push(format!("{sql}: allowed")),
                }
            }
            for sql in [
                "SELECT id FROM recipients LIMIT 1",
                "SELECT id, messages_used FROM users WHERE id = 0",
                "UPDATE users SET messages_used = messages_used WHERE id = 0",
                "UPDATE campaigns SET last_activity = last_activity WHERE id = 0",
                "SELECT COUNT(*) FROM attachments",
                "DELETE FROM ws_connections WHERE 1 = 0",
                "SELECT * FROM suppressions LIMIT 1",
            ] {
                if let Err(err) = works(sender, sql).await {
                    problems.push(err);
                }
            }
            // The send path's own statements, as the sender runs them.
            if let Err(err) = deliveries::record_sent(sender, 0, 0, 0).await {
                problems.push(format!("deliveries::record_sent: {err}"));
            }
            if let Err(err) = quota::add_used(sender, 0, 0).await {
                problems.push(format!("quota::add_used: {err}"));
            }
        }
    }
    if let Ok(sender) = sender {
        sender.close().await;
    }
    db_users::drop_user(&app.db, &user, "%").await.expect("the user is dropped");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_script_is_the_function() {
    let script = include_str!("../../../infra/sender-db-user.sql");
    let from_script: Vec<String> = script
        .lines()
        .filter(|line| !line.trim_start().starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
        .split(';')
        .map(|statement| statement.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|statement| !statement.is_empty())
        .collect();
    let from_function =
        db_users::sender_user_statements("wa_campaigns", db_users::SENDER_USER, "%", "__SENDER_PASSWORD__").unwrap();
    assert_eq!(from_script, from_function);
}

#[test]
fn names_and_passwords_that_would_need_quoting_are_refused() {
    assert!(db_users::sender_user_statements("db", "wa_sender", "%", "short").is_err());
    assert!(db_users::sender_user_statements("db", "wa_sender", "%", "0123456789abcdef'; DROP").is_err());
    assert!(db_users::sender_user_statements("db`x", "wa_sender", "%", "0123456789abcdef").is_err());
    assert!(db_users::sender_user_statements("db", "wa'sender", "%", "0123456789abcdef").is_err());
    assert!(db_users::sender_user_statements("db", "wa_sender", "%", "0123456789abcdef").is_ok());
}
