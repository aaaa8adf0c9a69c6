//! The `auth_attempts` table: attempt counters for logins and one-time
//! codes, one row per (scope, subject) holding the current fixed window
//! (it starts at the first attempt after the previous one ended) and how
//! many attempts it has seen. `subject` is a keyed hash, never an e-mail,
//! phone or IP.

use sqlx::MySqlExecutor;

/// A subject's attempts in its current window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Counted {
    pub attempts: i64,
    /// Seconds until the window ends (at least 1): the `Retry-After`.
    pub frees_in_secs: i64,
}

/// Count one attempt: a new window when there is none or it has ended.
pub async fn hit(db: impl MySqlExecutor<'_>, scope: &str, subject: &str, window_secs: u64) -> Result<(), sqlx::Error> {
    // Assignments apply left to right: `attempts` reads the old
    // `window_start`, which is replaced after it.
    sqlx::query(
        "INSERT INTO auth_attempts (scope, subject, window_start, attempts) VALUES (?, ?, CURRENT_TIMESTAMP(3), 1) \
         ON DUPLICATE KEY UPDATE \
             attempts = IF(window_start <= CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND, 1, attempts + 1), \
             window_start = IF(window_start <= CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND, \
                               CURRENT_TIMESTAMP(3), window_start)",
    )
    .bind(scope)
    .bind(subject)
    .bind(window_secs)
    .bind(window_secs)
    .execute(db)
    .await?;
    Ok(())
}

/// The subject's attempts in its current window (none once it has ended).
pub async fn current(
    db: impl MySqlExecutor<'_>,
    scope: &str,
    subject: &str,
    window_secs: u64,
) -> Result<Counted, sqlx::Error> {
    let row: Option<Counted> = sqlx::query_as(
        "SELECT CAST(attempts AS SIGNED) AS attempts, \
                CAST(GREATEST(1, CEIL(TIMESTAMPDIFF(MICROSECOND, CURRENT_TIMESTAMP(3), \
                                                    window_start + INTERVAL ? SECOND) / 1000000)) AS SIGNED) \
                    AS frees_in_secs \
         FROM auth_attempts \
         WHERE scope = ? AND subject = ? AND window_start > CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND",
    )
    .bind(window_secs)
    .bind(scope)
    .bind(subject)
    .bind(window_secs)
    .fetch_optional(db)
    .await?;
    Ok(row.unwrap_or(Counted { attempts: 0, frees_in_secs: 0 }))
}

/// Start the subject over (a successful login clears its account's count).
pub async fn forget(db: impl MySqlExecutor<'_>, scope: &str, subject: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM auth_attempts WHERE scope = ? AND subject = ?")
        .bind(scope)
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}

/// Take one attempt back (one that turned out not to count, e.g. a
/// successful login on a per-IP counter).
pub async fn take_back(db: impl MySqlExecutor<'_>, scope: &str, subject: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE auth_attempts SET attempts = attempts - 1 WHERE scope = ? AND subject = ? AND attempts > 0")
        .bind(scope)
        .bind(subject)
        .execute(db)
        .await?;
    Ok(())
}

/// Delete up to `limit` rows whose window began more than `older_than_secs`
/// ago (longer than any window): they count nothing any more.
pub async fn prune(db: impl MySqlExecutor<'_>, older_than_secs: u64, limit: u32) -> Result<u64, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM auth_attempts WHERE window_start < CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND LIMIT ?")
            .bind(older_than_secs)
            .bind(limit)
            .execute(db)
            .await?;
    Ok(done.rows_affected())
}
