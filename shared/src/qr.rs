//! The login QR for the frontend: WhatsApp's QR string (the `data-ref` the
//! driver reads) rendered to a PNG, shaped as SPEC's
//! `qrCode: {raw, url, image}`.
//!
//! `url` is the same `data:image/png;base64,…` URL as `image`. The old
//! service filled both from one data URL, and a link to a served image
//! would need an endpoint that hands out a login secret (whoever scans the
//! QR owns the WhatsApp session) through caches and access logs; a data URL
//! lives only in the response and the WebSocket event.

use base64::{engine::general_purpose::STANDARD, Engine};
use qrcode::{Color, EcLevel, QrCode};

pub use crate::realtime::QrCodePayload;
/// Pixels per QR module: a phone camera reads it easily from a screen.
const SCALE: usize = 8;
/// The blank margin a QR needs around it, in modules (the standard's 4).
const QUIET_ZONE: usize = 4;

#[derive(Debug, thiserror::Error)]
pub enum QrError {
    #[error("cannot encode the QR string: {0}")]
    Encode(#[from] qrcode::types::QrError),
    #[error("cannot write the QR image: {0}")]
    Png(#[from] png::EncodingError),
}

pub fn qr_code(raw: &str) -> Result<QrCodePayload, QrError> {
    let image = format!("data:image/png;base64,{}", STANDARD.encode(render_png(raw)?));
    Ok(QrCodePayload { raw: raw.to_owned(), url: image.clone(), image })
}

/// A black-on-white PNG of `raw` as a QR code, with its quiet zone.
pub fn render_png(raw: &str) -> Result<Vec<u8>, QrError> {
    // Level L: the string is long (about 200 characters) and shown on a
    // screen, where nothing damages it; fewer, larger modules scan better.
    let code = QrCode::with_error_correction_level(raw.as_bytes(), EcLevel::L)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET_ZONE) * SCALE;
    let mut pixels = vec![0xFFu8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let (x, y) = ((index % modules + QUIET_ZONE) * SCALE, (index / modules + QUIET_ZONE) * SCALE);
        for row in y..y + SCALE {
            pixels[row * side + x..row * side + x + SCALE].fill(0);
        }
    }
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, side as u32, side as u32);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_decodable_png_data_uri() {
        let raw = "2@Zm9vYmFy+/=,bm9pc2U=,aWRlbnRpdHk=,c2VjcmV0";
        let payload = qr_code(raw).unwrap();
        assert_eq!(payload.raw, raw);
        assert_eq!(payload.url, payload.image);
        let encoded = payload.image.strip_prefix("data:image/png;base64,").expect("a PNG data URI");
        let bytes = STANDARD.decode(encoded).unwrap();

        let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let frame = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((frame.width, frame.color_type), (frame.height, png::ColorType::Grayscale));
        let modules = QrCode::with_error_correction_level(raw, EcLevel::L).unwrap().width();
        assert_eq!(frame.width as usize, (modules + 2 * QUIET_ZONE) * SCALE);
        let at = |module_x: usize, module_y: usize| {
            pixels[(module_y * SCALE + SCALE / 2) * frame.width as usize + module_x * SCALE + SCALE / 2]
        };
        // The quiet zone is white; the top-left finder pattern's corner is black.
        assert_eq!(at(0, 0), 0xFF);
        assert_eq!(at(QUIET_ZONE, QUIET_ZONE), 0);
    }
}
