use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use super::*;

fn values<'a>(columns: &'a BTreeMap<String, String>, name: Option<&'a str>) -> Values<'a> {
    Values { phone: "989121234567", name, columns }
}

#[test]
fn placeholders_take_the_recipients_columns_and_fallbacks() {
    let t = Template::parse("سلام {{name|مشتری گرامی}} از {{ شهر }}، {{Name}}").unwrap();
    let mut columns = BTreeMap::new();
    columns.insert("شهر".to_owned(), "تهران".to_owned());
    assert_eq!(t.render(&values(&columns, Some("علی")), 1), "سلام علی از تهران، علی");
    assert_eq!(t.render(&values(&columns, None), 1), "سلام مشتری گرامی از تهران، ");
}

#[test]
fn choices_are_stable_per_recipient_and_vary_across_recipients() {
    let t = Template::parse("{سلام|درود|وقت بخیر} {دوست|{همراه|مشتری} عزیز}").unwrap();
    let columns = BTreeMap::new();
    let v = values(&columns, None);
    assert_eq!(t.render(&v, 42), t.render(&v, 42));
    let distinct: std::collections::HashSet<String> = (1..=30).map(|id| t.render(&v, id)).collect();
    assert!(distinct.len() >= 3, "{distinct:?}");
    assert_eq!(t.variants(), 9);
}

#[test]
fn identical_options_count_as_one_variant() {
    assert_eq!(Template::parse("{a|a|b}").unwrap().variants(), 2);
    assert_eq!(Template::parse("plain").unwrap().variants(), 1);
}

#[test]
fn escapes_are_the_characters_themselves() {
    let t = Template::parse(r"\{not a choice\} a\|b \\").unwrap();
    let columns = BTreeMap::new();
    assert_eq!(t.render(&values(&columns, None), 7), r"{not a choice} a|b \");
    assert_eq!(t.variants(), 1);
}

#[test]
fn braces_without_a_pipe_are_text() {
    let columns = BTreeMap::new();
    let t = Template::parse("سلام {name}! {a|{b}}").unwrap();
    assert_eq!(t.render(&values(&columns, None), 3).split('!').next(), Some("سلام {name}"));
    assert_eq!(t.variants(), 2);
}

#[test]
fn a_pipe_outside_a_choice_is_text() {
    let columns = BTreeMap::new();
    assert_eq!(Template::parse("a | b").unwrap().render(&values(&columns, None), 1), "a | b");
}

#[test]
fn a_choice_may_open_with_a_nested_choice() {
    let t = Template::parse("{{a|b}|c}").unwrap();
    assert!(t.placeholders().is_empty());
    assert_eq!(t.variants(), 3);
}

#[test]
fn unbalanced_braces_name_their_position() {
    assert_eq!(Template::parse("سلام {a|b").unwrap_err(), TemplateError::Unclosed { position: 6 });
    assert_eq!(Template::parse("ab}c").unwrap_err(), TemplateError::UnexpectedClose { position: 3 });
    assert_eq!(Template::parse("{{ |x}}").unwrap_err(), TemplateError::BadPlaceholder { position: 1 });
}

#[test]
fn unresolved_placeholders_are_those_without_column_or_fallback() {
    let t = Template::parse("{{name}} {{شهر}} {{city|-}} {{کد}} {{موبایل}} {{کد}}").unwrap();
    assert_eq!(t.unresolved(&["شهر".to_owned()]), vec!["کد".to_owned()]);
    assert_eq!(t.unresolved(&["شهر".to_owned(), " کد ".to_owned()]), Vec::<String>::new());
}

#[test]
fn hostile_templates_fail_fast_with_a_position() {
    let started = Instant::now();
    let deep = "{".repeat(10_000) + &"}".repeat(10_000);
    let err = Template::parse(&deep).unwrap_err();
    assert!(err.position() > 0);
    let nested = "{".repeat(1_000) + &"}".repeat(1_000);
    assert_eq!(Template::parse(&nested).unwrap_err(), TemplateError::TooDeep { max: MAX_DEPTH, position: 9 });
    let huge = "س".repeat(1_000_000);
    assert_eq!(Template::parse(&huge).unwrap_err().position(), MAX_CHARS + 1);
    let braces = "{{".repeat(2_000);
    assert!(Template::parse(&braces).is_err());
    let many = "{a|b}".repeat(800);
    assert!(matches!(Template::parse(&many).unwrap_err(), TemplateError::TooManyChoices { .. }));
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn the_widest_template_counts_its_variants_without_enumerating_them() {
    let t = Template::parse(&"{a|b|c|d}".repeat(200)).unwrap();
    assert_eq!(t.variants(), u64::MAX);
}

#[test]
fn the_footer_follows_the_text() {
    let t = Template::parse("سلام").unwrap();
    let columns = BTreeMap::new();
    assert_eq!(personal_text(&t, &values(&columns, None), 1, true), format!("سلام\n\n{OPT_OUT_FOOTER}"));
    assert_eq!(personal_text(&t, &values(&columns, None), 1, false), "سلام");
}

#[test]
fn opt_out_replies_are_whole_keywords_in_any_script_or_case() {
    let keywords = OptOutKeywords::default();
    for reply in ["لغو", " ۱۱ ", "11", "STOP!", "Unsubscribe", "انصراف."] {
        assert!(is_opt_out(reply, &keywords), "{reply}");
    }
    for reply in ["don't stop", "111", "", "ممنون"] {
        assert!(!is_opt_out(reply, &keywords), "{reply}");
    }
    let custom = OptOutKeywords::parse("cancel, نه");
    assert!(is_opt_out("Cancel", &custom));
    assert!(!is_opt_out("stop", &custom));
}
