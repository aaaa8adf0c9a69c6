//! Database users with least privilege. The sender fleet needs a handful of
//! tables and two columns of `users`; [`grant_sender_user`] creates (or
//! updates) its user with exactly those, so a sender task that is
//! compromised cannot read password hashes, codes or tokens, nor touch
//! payments. `infra/sender-db-user.sql` is the same for a DBA's `mysql`
//! client (a test holds the two equal).

use sqlx::MySqlPool;

/// The sender's user, by default.
pub const SENDER_USER: &str = "wa_sender";

/// What the sender may do, table by table, from reading its SQL
/// (`repo::{deliveries, session_leases (the table whatsapp_sessions), whatsapp_accounts, warm_contacts,
/// unreachable_numbers, engagement, suppressions, quota, ws_connections}`
/// and `campaigns::run`). `users`: only the quota counter, by id.
pub const SENDER_GRANTS: &[(&str, &str)] = &[
    ("campaigns", "SELECT, UPDATE"),
    ("recipients", "SELECT, UPDATE"),
    ("attachments", "SELECT"),
    ("quota_reservations", "SELECT, UPDATE, DELETE"),
    ("users", "SELECT (id, messages_used), UPDATE (messages_used)"),
    ("whatsapp_accounts", "SELECT, INSERT, UPDATE, DELETE"),
    ("whatsapp_sessions", "SELECT, INSERT, UPDATE, DELETE"),
    ("whatsapp_sends", "SELECT, INSERT, UPDATE, DELETE"),
    ("senders", "SELECT, INSERT, UPDATE, DELETE"),
    ("warm_contacts", "SELECT, INSERT, UPDATE, DELETE"),
    ("unreachable_numbers", "SELECT, INSERT, UPDATE, DELETE"),
    ("suppressions", "SELECT, INSERT, UPDATE, DELETE"),
    ("ws_connections", "SELECT, INSERT, UPDATE, DELETE"),
    ("ws_subscriptions", "SELECT, INSERT, UPDATE, DELETE"),
    ("ws_account_subscriptions", "SELECT, INSERT, UPDATE, DELETE"),
];

#[derive(Debug, thiserror::Error)]
pub enum GrantError {
    #[error("{0}")]
    Invalid(&'static str),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The statements that make `user`@`host` the sender's user on `database`
/// with `password`: created if missing, its password set, every earlier
/// privilege revoked, then [`SENDER_GRANTS`]. Names are letters, digits and
/// `_` (`host` may also hold `.`, `%` and `-`); the password is letters,
/// digits and `-_.~+/=` (so it needs no escaping), 16 characters or more.
pub fn sender_user_statements(
    database: &str,
    user: &str,
    host: &str,
    password: &str,
) -> Result<Vec<String>, GrantError> {
    let word = |s: &str, extra: &str| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || extra.contains(c))
    };
    if !word(database, "") || database.len() > 64 {
        return Err(GrantError::Invalid("database: letters, digits and _ only"));
    }
    if !word(user, "") || user.len() > 32 {
        return Err(GrantError::Invalid("user: letters, digits and _ only, at most 32"));
    }
    if !word(host, ".%-") {
        return Err(GrantError::Invalid("host: letters, digits and . % - _ only"));
    }
    if password.len() < 16 || !word(password, "-.~+/=") {
        return Err(GrantError::Invalid("password: at least 16 of letters, digits and -_.~+/="));
    }
    let account = format!("'{user}'@'{host}'");
    let mut statements = vec![
        format!("CREATE USER IF NOT EXISTS {account} IDENTIFIED BY '{password}'"),
        format!("ALTER USER {account} IDENTIFIED BY '{password}'"),
        format!("REVOKE ALL PRIVILEGES, GRANT OPTION FROM {account}"),
    ];
    statements.extend(
        SENDER_GRANTS
            .iter()
            .map(|(table, privileges)| format!("GRANT {privileges} ON `{database}`.`{table}` TO {account}")),
    );
    Ok(statements)
}

/// Create or update the sender's user on the pool's current database
/// (the pool's user needs `CREATE USER` and `GRANT OPTION`: the admin).
pub async fn grant_sender_user(pool: &MySqlPool, user: &str, host: &str, password: &str) -> Result<(), GrantError> {
    let database: Option<String> = sqlx::query_scalar("SELECT DATABASE()").fetch_one(pool).await?;
    let database = database.ok_or(GrantError::Invalid("the connection has no current database"))?;
    for statement in sender_user_statements(&database, user, host, password)? {
        sqlx::raw_sql(&statement).execute(pool).await?;
    }
    Ok(())
}

/// Drop a user made by [`grant_sender_user`] (no error when it is gone).
pub async fn drop_user(pool: &MySqlPool, user: &str, host: &str) -> Result<(), GrantError> {
    sender_user_statements("x", user, host, "0123456789abcdef")?;
    sqlx::raw_sql(&format!("DROP USER IF EXISTS '{user}'@'{host}'")).execute(pool).await?;
    Ok(())
}
