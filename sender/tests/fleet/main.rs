//! The whole system end to end: the local gateway (every API router, the
//! WebSocket emulation and the management API), real MariaDB, the AWS
//! emulator (S3, SQS), the WhatsApp Web simulator, and sender processes —
//! the real `sender` binary driving real Chromium — that the tests start,
//! stop, SIGTERM and kill -9.

mod stack;

/// Runs an `async fn(Markup)` test once per markup generation of the
/// simulator: `mod <name> { m2026, m2025, legacy }`.
#[macro_export]
macro_rules! on_every_markup {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn m2026() {
                super::$name(wa_simulator::Markup::M2026).await
            }
            #[tokio::test]
            async fn m2025() {
                super::$name(wa_simulator::Markup::M2025).await
            }
            #[tokio::test]
            async fn legacy() {
                super::$name(wa_simulator::Markup::Legacy).await
            }
        }
    )*};
}

mod bench_pacing;
mod bench_statements;
mod browser_killed;
mod campaign;
mod cold_contacts;
mod console;
mod drift;
mod emulator_restart;
mod fair_share;
/// The S3 fault proxy of `shared`'s storage tests, shared rather than copied.
#[path = "../../../shared/tests/storage_retry/fault_proxy.rs"]
mod fault_proxy;
mod faults;
mod governor;
mod governor_breaker;
mod link_once;
mod operations;
mod orphans;
mod outages;
mod own_mariadb;
mod own_moto;
mod pairing;
mod personal;
mod same_host;
mod snapshot_refused;
mod steering;
mod timelock;
mod walkthrough;
