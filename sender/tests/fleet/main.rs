//! The whole system end to end: the local gateway (every API router, the
//! WebSocket emulation and the management API), real MariaDB, the AWS
//! emulator (S3, SQS), the WhatsApp Web simulator, and sender processes —
//! the real `sender` binary driving real Chromium — that the tests start,
//! stop, SIGTERM and kill -9.

mod stack;

mod campaign;
mod console;
mod faults;
mod steering;
