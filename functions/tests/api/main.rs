//! Integration tests: the real routers behind the local gateway's layers,
//! real MariaDB (a fresh database per test), local fakes of Kavenegar and
//! of an SMTP server.

mod helpers;
mod fake_sms;
mod fake_smtp;
mod log_capture;

mod gateway;
mod login;
mod otp;
mod profile;
mod realtime;
mod register;
mod tokens;
