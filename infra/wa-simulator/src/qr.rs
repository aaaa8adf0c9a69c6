//! The QR of the login page as rows of modules (`"1"` dark, `"0"` light), so
//! the page can draw a real, scannable code on its canvas without a script
//! library. The driver never reads the drawing: like on WhatsApp Web, the
//! string it needs is the container's `data-ref`.

use qrcode::{types::QrError, Color, QrCode};

pub fn modules(data: &str) -> Result<Vec<String>, QrError> {
    let code = QrCode::new(data.as_bytes())?;
    let width = code.width();
    let colors = code.to_colors();
    Ok(colors
        .chunks(width)
        .map(|row| row.iter().map(|c| if *c == Color::Dark { '1' } else { '0' }).collect())
        .collect())
}
