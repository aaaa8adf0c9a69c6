//! The WhatsApp driver against real Chromium, real chromedriver and the
//! WhatsApp Web simulator over HTTP (started in-process on a free port).

mod captures;
mod helpers;
mod login;
mod logout;
mod probe;
mod send;
mod snapshot;
mod whatsapp_2026;
