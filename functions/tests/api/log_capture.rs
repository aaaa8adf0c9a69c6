//! Every log line of this test binary, kept in memory so tests can assert
//! that no secret was ever logged.

use std::{
    io::Write,
    sync::{Arc, Mutex, OnceLock},
};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

static LOGS: OnceLock<Buffer> = OnceLock::new();

/// Route all tracing output into the buffer (once per binary).
pub fn install() {
    LOGS.get_or_init(|| {
        let buffer = Buffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_env_filter("debug,sqlx=info,hyper=info,h2=info,lettre=debug")
            .json()
            // Timestamps' six fractional digits would match a one-time code
            // by chance; what a line says is what is checked.
            .without_time()
            .with_writer(move || writer.clone())
            .init();
        buffer
    });
}

pub fn all() -> String {
    let buffer = LOGS.get().expect("log capture installed");
    String::from_utf8_lossy(&buffer.0.lock().unwrap()).into_owned()
}
