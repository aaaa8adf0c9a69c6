//! Property tests (proptest): the parsers that take users' input never
//! panic, whatever they are given, and keep what they promise — one
//! canonical phone for every way of writing it, a spreadsheet read back as
//! the rows that were written, JSON bodies and texts that round-trip.

use std::collections::HashSet;

use proptest::prelude::*;
use rust_xlsxwriter::Workbook;
use shared::{
    campaigns::StagedImportInput,
    domain::{CampaignMessage, CampaignTitle, Phone},
    excel::{read_recipients, ImportError},
    validation::parse_json,
};

/// Iranian mobile prefixes libphonenumber knows (MCI, Irancell, RighTel…).
const PREFIXES: &[&str] = &["912", "913", "919", "935", "936", "939", "901", "902", "921", "990"];

/// A valid Iranian mobile in canonical form, `98` + 10 digits.
fn canonical_mobile() -> impl Strategy<Value = String> {
    (prop::sample::select(PREFIXES), 0u32..10_000_000).prop_map(|(prefix, rest)| format!("98{prefix}{rest:07}"))
}

/// `digits` (ASCII) as Persian or Arabic-Indic digits.
fn localized(digits: &str, base: u32) -> String {
    digits.chars().map(|c| c.to_digit(10).map_or(c, |d| char::from_u32(base + d).unwrap())).collect()
}

/// One of the ways users and spreadsheets write `canonical` (`98912…`).
fn spelling(canonical: &str, form: u8, separators: bool) -> String {
    let national = &canonical[2..]; // 912…
    let written = match form % 5 {
        0 => format!("0{national}"),
        1 => format!("+{canonical}"),
        2 => format!("00{canonical}"),
        3 => canonical.to_owned(),
        _ => national.to_owned(),
    };
    let written = if separators {
        // 0912 345-6789 style: a space and a dash inside the digits.
        let cut = written.len() - 7;
        format!("{} {}-{}", &written[..cut], &written[cut..cut + 3], &written[cut + 3..])
    } else {
        written
    };
    match form % 3 {
        0 => written,
        1 => localized(&written, 0x06F0),
        _ => localized(&written, 0x0660),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn phone_parsing_never_panics(raw in "\\PC{0,40}") {
        let _ = Phone::parse(&raw);
    }

    #[test]
    fn every_spelling_of_a_mobile_is_one_canonical_number(
        canonical in canonical_mobile(),
        form in any::<u8>(),
        separators in any::<bool>(),
        padding in "[ ]{0,3}",
    ) {
        let raw = format!("{padding}{}{padding}", spelling(&canonical, form, separators));
        let parsed = Phone::parse(&raw);
        prop_assert_eq!(parsed.as_ref().map(Phone::as_str), Ok(canonical.as_str()), "{}", raw);
    }

    #[test]
    fn a_canonical_phone_parses_to_itself(raw in "\\+?[0-9 ()-]{1,20}") {
        if let Ok(phone) = Phone::parse(&raw) {
            // Stored numbers carry their country code: read back, they are the
            // same number (typed without a plus, ten digits may be a landline).
            let again = Phone::from_stored(phone.as_str()).expect("canonical parses");
            prop_assert_eq!(again.as_str(), phone.as_str());
        }
    }
}

/// A data row of a generated sheet: a phone cell (text, a number as Excel
/// stores `0912…` typed in, or junk) and a name cell.
#[derive(Debug, Clone)]
enum PhoneCell {
    Text(String),
    Number(f64),
    Junk(String),
    Blank,
}

fn phone_cell() -> impl Strategy<Value = (PhoneCell, Option<String>)> {
    let phone = prop_oneof![
        4 => (canonical_mobile(), any::<u8>(), any::<bool>()).prop_map(|(c, f, s)| (c.clone(), spelling(&c, f, s))).prop_map(|(_, s)| PhoneCell::Text(s)),
        2 => canonical_mobile().prop_map(|c| PhoneCell::Number(c[2..].parse().unwrap())),
        1 => "[a-z]{1,8}".prop_map(PhoneCell::Junk),
        1 => Just(PhoneCell::Blank),
    ];
    let name = prop::option::of("[ ]{0,2}[a-zA-Zآ-ی ]{0,20}[ ]{0,2}");
    (phone, name)
}

/// An .xlsx with the Persian headers and `rows`.
fn sheet(rows: &[(PhoneCell, Option<String>)]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "شماره تلفن").unwrap();
    sheet.write_string(0, 1, "نام").unwrap();
    for (i, (phone, name)) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        match phone {
            PhoneCell::Text(text) | PhoneCell::Junk(text) => {
                sheet.write_string(row, 0, text).unwrap();
            }
            PhoneCell::Number(number) => {
                sheet.write_number(row, 0, *number).unwrap();
            }
            PhoneCell::Blank => {}
        }
        if let Some(name) = name {
            sheet.write_string(row, 1, name).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

fn canonical_of(cell: &PhoneCell) -> Option<String> {
    match cell {
        PhoneCell::Text(text) => Phone::parse(text).ok().map(|p| p.as_str().to_owned()),
        PhoneCell::Number(number) => Some(format!("98{number}")),
        PhoneCell::Junk(_) | PhoneCell::Blank => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn a_generated_sheet_reads_back_as_its_rows(rows in prop::collection::vec(phone_cell(), 0..60)) {
        let bytes = sheet(&rows);
        // What a person reading the sheet would count.
        let written: Vec<&(PhoneCell, Option<String>)> = rows
            .iter()
            .filter(|(phone, name)| {
                !matches!(phone, PhoneCell::Blank) || name.as_deref().is_some_and(|n| !n.trim().is_empty())
            })
            .collect();
        let mut first_of: Vec<(String, Option<String>)> = Vec::new();
        let mut seen = HashSet::new();
        let mut valid_rows = 0;
        for (phone, name) in &written {
            if let Some(canonical) = canonical_of(phone) {
                valid_rows += 1;
                if seen.insert(canonical.clone()) {
                    let name = name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
                    first_of.push((canonical, name));
                }
            }
        }
        match read_recipients(&bytes) {
            Ok(list) => {
                prop_assert_eq!(list.rows as usize, written.len());
                prop_assert_eq!(list.accepted as usize, first_of.len());
                prop_assert_eq!(list.duplicates as usize, valid_rows - first_of.len());
                prop_assert_eq!(list.invalid as usize, written.len() - valid_rows);
                let read: Vec<(String, Option<String>)> =
                    list.recipients.iter().map(|r| (r.phone.as_str().to_owned(), r.name.clone())).collect();
                prop_assert_eq!(read, first_of);
            }
            Err(ImportError::NoRecipients { skipped }) => {
                prop_assert!(first_of.is_empty());
                prop_assert_eq!(skipped as usize, written.len() - valid_rows);
            }
            Err(other) => prop_assert!(false, "unexpected error: {other}"),
        }
    }

    #[test]
    fn any_cell_text_is_read_without_panic(cells in prop::collection::vec("\\PC{0,30}", 0..30)) {
        let rows: Vec<(PhoneCell, Option<String>)> =
            cells.into_iter().map(|text| (PhoneCell::Text(text.clone()), Some(text))).collect();
        let _ = read_recipients(&sheet(&rows));
    }

    #[test]
    fn any_bytes_are_refused_or_read_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_recipients(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_body_is_parsed_or_refused_as_a_field_error_without_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Err(err) = parse_json::<StagedImportInput>(&bytes) {
            prop_assert_eq!(err.status().as_u16(), 400);
        }
    }

    #[test]
    fn a_body_round_trips_through_the_json_parser(key in "\\PC{0,60}") {
        let body = serde_json::json!({ "key": key }).to_string();
        let parsed = parse_json::<StagedImportInput>(body.as_bytes()).expect("a well-formed body");
        prop_assert_eq!(parsed.key, key);
    }

    #[test]
    fn titles_and_messages_round_trip_once_parsed(raw in "\\PC{0,300}") {
        if let Ok(title) = CampaignTitle::parse(&raw) {
            let again = CampaignTitle::parse(title.as_str()).expect("a parsed title parses");
            prop_assert_eq!(again.as_str(), title.as_str());
        }
        if let Ok(message) = CampaignMessage::parse(&raw) {
            let again = CampaignMessage::parse(message.as_str()).expect("a parsed message parses");
            prop_assert_eq!(again.as_str(), message.as_str());
        }
    }
}
