//! Column headers of a recipients sheet (SPEC "Recipients Excel"): the
//! phone column is `phone`, `Phone`, `PHONE` or `شماره تلفن`; the optional
//! name column `name`, `Name`, `NAME` or `نام` (the Persian spelling is what
//! sample lists use).

pub const PHONE_PERSIAN: &str = "شماره تلفن";
pub const NAME_PERSIAN: &str = "نام";

/// How the accepted phone headers are listed in error messages.
pub const PHONE_HEADERS_TEXT: &str = "phone, Phone, PHONE or شماره تلفن";

pub fn is_phone_header(cell: &str) -> bool {
    matches!(cell.trim(), "phone" | "Phone" | "PHONE" | PHONE_PERSIAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for header in ["phone", "Phone", "PHONE", " شماره تلفن "] {
            assert!(is_phone_header(header), "{header}");
        }
        assert!(!is_phone_header("mobile"));
    }
}
