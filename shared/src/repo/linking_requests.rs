//! The `linking_requests` table: every request that started a link (a QR
//! or a pairing code), for the per-user and per-number rate limits and as
//! the audit trail of pairing requests.

use sqlx::MySqlExecutor;

/// How a link was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    Qr,
    Pairing,
    /// A one-time code sent to confirm a phone before its pairing code.
    PairingOtp,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Qr => "QR",
            Self::Pairing => "PAIRING",
            Self::PairingOtp => "PAIRING_OTP",
        }
    }
}

pub async fn record(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    kind: LinkKind,
    phone: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO linking_requests (user_id, kind, phone) VALUES (?, ?, ?)")
        .bind(user_id)
        .bind(kind.as_str())
        .bind(phone)
        .execute(db)
        .await?;
    Ok(())
}

/// The user's requests (of `kind`, or of any kind) in the last `seconds`,
/// and how many seconds until the oldest of them leaves the window.
pub async fn by_user_within(
    db: impl MySqlExecutor<'_>,
    user_id: i64,
    kind: Option<LinkKind>,
    seconds: u64,
) -> Result<Window, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*) AS count, \
                COALESCE(MIN(TIMESTAMPDIFF(SECOND, CURRENT_TIMESTAMP(3), created_at + INTERVAL ? SECOND)), 0) \
                    AS frees_in_secs \
         FROM linking_requests \
         WHERE user_id = ? AND (? IS NULL OR kind = ?) AND created_at > CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND",
    )
    .bind(seconds)
    .bind(user_id)
    .bind(kind.map(LinkKind::as_str))
    .bind(kind.map(LinkKind::as_str))
    .bind(seconds)
    .fetch_one(db)
    .await
}

/// Pairing requests for `phone` (by anyone) in the last `seconds`.
pub async fn pairing_for_phone_within(
    db: impl MySqlExecutor<'_>,
    phone: &str,
    seconds: u64,
) -> Result<Window, sqlx::Error> {
    sqlx::query_as(
        "SELECT COUNT(*) AS count, \
                COALESCE(MIN(TIMESTAMPDIFF(SECOND, CURRENT_TIMESTAMP(3), created_at + INTERVAL ? SECOND)), 0) \
                    AS frees_in_secs \
         FROM linking_requests \
         WHERE phone = ? AND kind = 'PAIRING' AND created_at > CURRENT_TIMESTAMP(3) - INTERVAL ? SECOND",
    )
    .bind(seconds)
    .bind(phone)
    .bind(seconds)
    .fetch_one(db)
    .await
}

/// Requests within a sliding window.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Window {
    pub count: i64,
    /// Seconds until the oldest request leaves the window: the `Retry-After`.
    pub frees_in_secs: i64,
}
