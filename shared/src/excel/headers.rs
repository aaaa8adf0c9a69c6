//! Column headers of a recipients sheet (SPEC "Recipients Excel"). The
//! matching rules live with the import (`excel::import`), so checking an
//! uploaded template and importing a list accept exactly the same headers.

pub use crate::excel::import::{is_phone_header, NAME_HEADERS, PHONE_HEADERS};

pub const PHONE_PERSIAN: &str = PHONE_HEADERS[3];
pub const NAME_PERSIAN: &str = NAME_HEADERS[3];

/// How the accepted phone headers are listed in error messages.
pub const PHONE_HEADERS_TEXT: &str = "phone, Phone, PHONE or شماره تلفن";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        // The built-in template's bilingual header must pass the admin check.
        for header in ["phone", "Phone", "PHONE", " شماره تلفن ", "phone / شماره تلفن"] {
            assert!(is_phone_header(header), "{header}");
        }
        assert!(!is_phone_header("mobile"));
    }
}
