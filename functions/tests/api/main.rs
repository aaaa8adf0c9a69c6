//! Integration tests: the real routers behind the local gateway's layers,
//! real MariaDB (a fresh database per test), local fakes of Kavenegar and
//! of an SMTP server.

mod helpers;
mod campaign_helpers;
mod fake_sms;
mod fake_smtp;
mod log_capture;

mod campaigns_attachments;
mod campaigns_crud;
mod campaigns_import;
mod campaigns_reports;
mod campaigns_staged;
mod gateway;
mod login;
mod otp;
mod profile;
mod register;
mod tokens;
