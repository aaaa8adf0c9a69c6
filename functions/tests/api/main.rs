//! Integration tests: the real routers behind the local gateway's layers,
//! real MariaDB (a fresh database per test), the S3 emulator, and local
//! fakes of Kavenegar, of an SMTP server and of Zarinpal.

mod browser;
mod campaign_helpers;
mod fake_sms;
mod fake_smtp;
mod fake_zarinpal;
mod helpers;
mod log_capture;

mod admin;
mod admin_template;
mod attempts;
mod campaigns_attachments;
mod campaigns_crud;
mod campaigns_import;
mod campaigns_reports;
mod campaigns_staged;
mod console;
mod contract;
mod database;
mod fuzz;
mod gateway;
mod governor;
mod linking_limits;
mod login;
mod openapi;
mod ops;
mod orders;
mod otp;
mod packages;
mod payments;
mod personal;
mod profile;
mod quota;
mod races;
mod realtime;
mod register;
mod routes;
mod scheduling;
mod sender_db_user;
mod sessions;
mod socket_revocation;
mod tokens;
mod whatsapp_accounts;
