//! Column headers of a recipients sheet: the one table of names the phone
//! and name columns may have. The import, the admin's template check and
//! the message placeholders (`{{موبایل}}` is the phone) all match headers
//! through this module, so they accept exactly the same names.
//!
//! | column | accepted headers |
//! |---|---|
//! | phone (required) | `phone`, `Phone`, `PHONE`, `شماره تلفن` (SPEC), `موبایل`, `شماره موبایل`, `تلفن همراه`, `شماره همراه`, `mobile`, `mobile number`, `phone number`, `cell`, `WhatsApp`, `واتساپ`, `شماره واتساپ` |
//! | name (optional) | `name`, `Name`, `NAME`, `نام` (SPEC), `نام و نام خانوادگی`, `full name` |
//!
//! Matching ignores ASCII case, surrounding spaces and ZWNJ/NBSP spacing,
//! and a header of `/`-separated parts matches if one part does (the
//! bilingual template's `phone / شماره تلفن`).

/// SPEC's four spellings first (the built-in template uses index 3).
pub const PHONE_HEADERS: [&str; 15] = [
    "phone",
    "Phone",
    "PHONE",
    "شماره تلفن",
    "موبایل",
    "شماره موبایل",
    "تلفن همراه",
    "شماره همراه",
    "mobile",
    "mobile number",
    "phone number",
    "cell",
    "WhatsApp",
    "واتساپ",
    "شماره واتساپ",
];
pub const NAME_HEADERS: [&str; 6] = ["name", "Name", "NAME", "نام", "نام و نام خانوادگی", "full name"];

pub const PHONE_PERSIAN: &str = PHONE_HEADERS[3];
pub const NAME_PERSIAN: &str = NAME_HEADERS[3];

/// How the accepted phone headers are listed in error messages.
pub const PHONE_HEADERS_TEXT: &str =
    "phone, Phone, PHONE, شماره تلفن, موبایل, شماره موبایل, تلفن همراه, شماره همراه, mobile, cell or WhatsApp";

/// Whether a header cell names the phone column.
pub fn is_phone_header(text: &str) -> bool {
    matches_any(text, &PHONE_HEADERS)
}

pub fn is_name_header(text: &str) -> bool {
    matches_any(text, &NAME_HEADERS)
}

/// Whether two headers name the same column (a placeholder and a header).
pub fn same_header(a: &str, b: &str) -> bool {
    normalize(a) == normalize(b)
}

/// A header as compared: spacing collapsed (ZWNJ, NBSP and BOM count as
/// spaces), lower case.
pub fn normalize(text: &str) -> String {
    text.replace(['\u{200C}', '\u{00A0}', '\u{FEFF}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn matches_any(text: &str, aliases: &[&str]) -> bool {
    text.split('/').map(normalize).any(|part| aliases.iter().any(|alias| normalize(alias) == part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        // The built-in template's bilingual header must pass the admin check.
        for header in ["phone", "Phone", "PHONE", " شماره تلفن ", "phone / شماره تلفن", "شماره\u{200C}تلفن"]
        {
            assert!(is_phone_header(header), "{header}");
        }
        assert!(!is_phone_header("telephone"));
    }

    #[test]
    fn every_alias_of_the_table_names_the_phone_column() {
        for alias in PHONE_HEADERS.iter().chain(["MOBILE", "Whatsapp", " تلفن  همراه "].iter()) {
            assert!(is_phone_header(alias), "{alias}");
        }
        assert!(is_name_header("نام"));
        assert!(!is_name_header("نام پدر"));
    }
}
