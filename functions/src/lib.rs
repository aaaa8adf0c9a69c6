//! The HTTP face of the product: one axum `Router` per API area, run by a
//! small Lambda binary each (`src/bin/*`) and merged unchanged by the local
//! gateway, so local runs and tests exercise exactly what runs in Lambda.

pub mod admin;
pub mod auth;
pub mod campaigns;
pub mod console;
pub mod gateway;
pub mod health;
pub mod http;
pub mod openapi;
pub mod packages;
pub mod payments;
pub mod routes;
pub mod suppressions;
pub mod whatsapp;
pub mod ws;
