//! The MySQL pool and the migrations.
//!
//! sqlx pins every connection's session time zone to `+00:00`, so
//! `CURRENT_TIMESTAMP(3)` and every DATETIME column are UTC.
//!
//! Two pools: [`connect`] for long-lived processes (the sender, tools),
//! which fails at start when the database is away; [`connect_lazy`] for
//! Lambda, where thousands of instances each holding a pool is a connection
//! storm: it opens nothing until a request needs it, holds at most a couple
//! of connections (`DATABASE_MAX_CONNECTIONS`, 2 in `template.yaml`), and
//! closes idle ones, so a frozen instance does not pin a connection (or an
//! RDS Proxy borrow) for long. [`retry_read`] survives a failover;
//! [`retry_transaction`] runs a transaction again when InnoDB failed it to
//! break a lock conflict.

use std::time::Duration;

use sqlx::{
    migrate::Migrator,
    mysql::{MySqlConnectOptions, MySqlPoolOptions},
    MySqlPool,
};

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

pub async fn connect(url: &str, max_connections: u32) -> Result<MySqlPool, sqlx::Error> {
    let options: MySqlConnectOptions = url.parse()?;
    MySqlPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options.charset("utf8mb4"))
        .await
}

/// A pool that connects on first use (see the module doc).
pub fn connect_lazy(url: &str, max_connections: u32) -> Result<MySqlPool, sqlx::Error> {
    let options: MySqlConnectOptions = url.parse()?;
    Ok(MySqlPoolOptions::new()
        .max_connections(max_connections)
        .min_connections(0)
        .acquire_timeout(Duration::from_secs(5))
        // RDS Proxy ends client connections idle for its own timeout
        // (30 min by default); closing first keeps the pool from handing
        // out a dead one.
        .idle_timeout(Duration::from_secs(120))
        // A connection is pinged before it is handed out: one that the
        // proxy or a failover dropped while idle is replaced, not used.
        .test_before_acquire(true)
        .connect_lazy_with(options.charset("utf8mb4")))
}

/// Runs an idempotent read, once more if the connection dropped under it
/// (an RDS Proxy or database failover, a restarted server): the second try
/// gets a fresh connection. Only for reads: a write whose connection
/// dropped may have committed.
pub async fn retry_read<T, F, Fut>(mut read: F) -> Result<T, sqlx::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, sqlx::Error>>,
{
    match read().await {
        Err(err) if is_connection_lost(&err) => {
            tracing::warn!(error = %err, "database connection lost; retrying the read once");
            read().await
        }
        other => other,
    }
}

/// Whether `err` means the connection (not the query) failed: an I/O
/// error, or MySQL's 2006 "server has gone away" / 2013 "lost connection",
/// or the server shutting down (1053) or killing the connection (1927
/// on MariaDB).
pub fn is_connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_) | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(db) => db
            .try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>()
            .is_some_and(|db| matches!(db.number(), 1053 | 1927 | 2006 | 2013)),
        _ => false,
    }
}

/// Whether a statement failed because of a lock conflict: InnoDB chose it
/// as a deadlock's victim (1213) or it waited too long for a lock (1205).
/// After a 1205 only the statement is undone (unless the server runs with
/// `innodb_rollback_on_timeout`), so the caller must drop its transaction;
/// [`retry_transaction`] does.
pub fn is_lock_conflict(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|db| matches!(db.number(), 1205 | 1213))
}

/// An error that can say whether it came from a lock conflict, whatever
/// wrapped the `sqlx::Error` on the way up (`ApiError` implements it too).
pub trait LockConflict {
    fn is_lock_conflict(&self) -> bool;
}

impl LockConflict for sqlx::Error {
    fn is_lock_conflict(&self) -> bool {
        is_lock_conflict(self)
    }
}

/// How often [`retry_transaction`] runs a transaction that keeps losing.
pub const TRANSACTION_ATTEMPTS: u32 = 4;

/// The pause after a first lost conflict; later ones grow up to about
/// four times this (see `backoff`), so four attempts stay within ~200 ms.
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(25);

/// Runs `transaction`, a whole unit of work from its `begin()` to its
/// commit, again (after a short jittered pause, so the two that collided do
/// not collide the same way twice) when it failed on a lock conflict, up to
/// [`TRANSACTION_ATTEMPTS`] times; then the conflict is the answer. The
/// failed attempt's transaction was dropped, hence rolled back, so running
/// it again is safe as long as it does nothing outside the database before
/// its commit: nudges, pushes and messages belong after this returns.
pub async fn retry_transaction<T, E, F, Fut>(transaction: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: LockConflict,
{
    retry_transaction_up_to(TRANSACTION_ATTEMPTS, transaction).await
}

/// [`retry_transaction`] with its own number of attempts, for a transaction
/// that is long and likely to meet its like (a list import).
pub async fn retry_transaction_up_to<T, E, F, Fut>(attempts: u32, mut transaction: F) -> Result<T, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
    E: LockConflict,
{
    let mut attempt = 1;
    loop {
        match transaction().await {
            Err(err) if err.is_lock_conflict() && attempt < attempts => {
                let pause = crate::backoff::jittered(FIRST_RETRY_PAUSE, attempt);
                tracing::warn!(
                    attempt,
                    pause_ms = pause.as_millis() as u64,
                    "lock conflict; running the transaction again"
                );
                tokio::time::sleep(pause).await;
                attempt += 1;
            }
            Err(err) if err.is_lock_conflict() => {
                tracing::warn!(attempts, "lock conflict outlived its retries");
                return Err(err);
            }
            outcome => return outcome,
        }
    }
}

pub async fn migrate(pool: &MySqlPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// The unique key a failed INSERT/UPDATE collided with, if that is why it
/// failed. MySQL names it `table.key`, MariaDB just `key`; both contain it.
pub fn unique_violation(err: &sqlx::Error) -> Option<String> {
    let db = err.as_database_error()?;
    if db.code().as_deref() != Some("23000") || !db.message().contains("Duplicate entry") {
        return None;
    }
    let key = db.message().rsplit("for key '").next()?.trim_end_matches('\'');
    Some(key.rsplit('.').next().unwrap_or(key).to_owned())
}

/// Whether a write failed because rows elsewhere still refer to this one
/// (MySQL/MariaDB error 1451).
pub fn foreign_key_violation(err: &sqlx::Error) -> bool {
    err.as_database_error()
        .and_then(|db| db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
        .is_some_and(|db| db.number() == 1451)
}

pub async fn ping(pool: &MySqlPool) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
}

/// A fresh, empty database of its own for one test on the MariaDB of
/// `TEST_DATABASE_URL` (what `infra/dev.sh test` sets up), and its name.
#[cfg(test)]
pub(crate) async fn scratch_database(max_connections: u32) -> (MySqlPool, String) {
    let server = std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into());
    // Named like the API tests' databases, so stale ones are dropped alike.
    let created = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let name = format!("test_{created}_{}", uuid::Uuid::new_v4().simple());
    let admin = MySqlPool::connect(&server).await.expect("MariaDB reachable at TEST_DATABASE_URL");
    sqlx::query(&format!("CREATE DATABASE `{name}`")).execute(&admin).await.unwrap();
    admin.close().await;
    (connect(&format!("{server}/{name}"), max_connections).await.unwrap(), name)
}

#[cfg(test)]
mod tests {
    //! Against the MariaDB of `TEST_DATABASE_URL` (what `infra/dev.sh test`
    //! sets up), in a database of their own: a real deadlock, not a made-up
    //! error, is what the retry must recognise.

    use std::sync::atomic::{AtomicU32, Ordering};

    use sqlx::{MySqlConnection, MySqlPool};

    use super::*;
    use crate::error::ApiError;

    /// A fresh database holding rows 1 and 2 to lock, and its name.
    async fn scratch() -> (MySqlPool, String) {
        let (pool, name) = scratch_database(2).await;
        sqlx::query("CREATE TABLE pair (id INT PRIMARY KEY) ENGINE = InnoDB").execute(&pool).await.unwrap();
        sqlx::query("INSERT INTO pair VALUES (1), (2)").execute(&pool).await.unwrap();
        (pool, name)
    }

    async fn drop_scratch(pool: MySqlPool, name: &str) {
        sqlx::query(&format!("DROP DATABASE `{name}`")).execute(&pool).await.unwrap();
        pool.close().await;
    }

    async fn lock_row(conn: &mut MySqlConnection, id: i32) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT id FROM pair WHERE id = ? FOR UPDATE").bind(id).execute(conn).await.map(|_| ())
    }

    /// Two transactions lock the rows in opposite orders; InnoDB fails one
    /// of them with 1213, whose error this is.
    async fn deadlock(pool: &MySqlPool) -> sqlx::Error {
        let mut first = pool.begin().await.unwrap();
        let mut second = pool.begin().await.unwrap();
        lock_row(&mut first, 1).await.unwrap();
        lock_row(&mut second, 2).await.unwrap();
        let (a, b) = tokio::join!(lock_row(&mut first, 2), lock_row(&mut second, 1));
        a.err().or(b.err()).expect("InnoDB picks a victim")
    }

    #[tokio::test]
    async fn a_deadlocked_transaction_is_run_again_until_it_goes_through() {
        let (pool, name) = scratch().await;
        let attempts = AtomicU32::new(0);
        let outcome = retry_transaction(|| async {
            if attempts.fetch_add(1, Ordering::SeqCst) < 2 {
                return Err(deadlock(&pool).await);
            }
            Ok("committed")
        })
        .await;
        assert_eq!(outcome.unwrap(), "committed");
        assert_eq!(attempts.load(Ordering::SeqCst), 3);
        drop_scratch(pool, &name).await;
    }

    #[tokio::test]
    async fn a_transaction_that_keeps_deadlocking_gives_up_after_its_attempts_with_a_409() {
        let (pool, name) = scratch().await;
        let attempts = AtomicU32::new(0);
        let outcome: Result<(), ApiError> = retry_transaction(|| async {
            attempts.fetch_add(1, Ordering::SeqCst);
            Err(ApiError::from(deadlock(&pool).await))
        })
        .await;
        assert_eq!(attempts.load(Ordering::SeqCst), TRANSACTION_ATTEMPTS);
        let err = outcome.unwrap_err();
        assert_eq!((err.status().as_u16(), err.code()), (409, "CONCURRENT_UPDATE"));
        drop_scratch(pool, &name).await;
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        let (pool, name) = scratch().await;
        let attempts = AtomicU32::new(0);
        let outcome = retry_transaction(|| async {
            attempts.fetch_add(1, Ordering::SeqCst);
            sqlx::query("INSERT INTO pair VALUES (1)").execute(&pool).await
        })
        .await;
        assert!(unique_violation(&outcome.unwrap_err()).is_some());
        assert_eq!(attempts.load(Ordering::SeqCst), 1);
        // An internal error wrapping a deadlock still reads as one.
        assert!(ApiError::internal(deadlock(&pool).await).is_lock_conflict());
        drop_scratch(pool, &name).await;
    }
}
