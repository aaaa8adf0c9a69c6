//! What the request types' derives cannot say, added to the document so
//! that it states exactly what the code accepts: lengths, non-blank text,
//! the characters of a phone number, e-mail addresses, bounds of integers
//! and lists. A third-party fuzzer (Schemathesis, `tests/api/fuzz.rs`)
//! holds the two together: a request the document allows must not be
//! refused as malformed, one it forbids must not be accepted.
//!
//! The numbers come from the constants the parsers use. What no JSON Schema
//! can say stays a 400 after the document's checks: whether digits make a
//! real phone number (libphonenumber's metadata), whether an id in a body is
//! one of the caller's objects, whether a file is the kind it should be.

use std::collections::HashMap;

use serde_json::{json, Map, Value};
use shared::domain::{
    campaign_text::{MESSAGE_MAX_CHARS, TITLE_MAX_CHARS},
    money::MAX as PRICE_MAX,
    package::{CATEGORY_MAX, DESCRIPTION_MAX, DURATION_MAX_DAYS, MESSAGE_LIMIT_MAX, TITLE_MAX as PACKAGE_TITLE_MAX},
    person_name::MAX_CHARS as NAME_MAX_CHARS,
};

/// A line of text as `shared::domain::text::line` takes it: not blank, no
/// control characters.
pub const LINE: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

/// Text that may span lines (`text::optional_block`): no control
/// characters but tabs and line breaks.
const BLOCK: &str = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$";

/// A phone number as `Phone::parse` reads it: digits (Latin, Persian or
/// Arabic-Indic), an optional leading `+`, spaces, dashes, dots and
/// brackets. Whether the digits make a valid number is libphonenumber's
/// question, answered with a 400.
pub const PHONE: &str = r"^\s*\+?[-0-9٠-٩۰-۹ ().]*[0-9٠-٩۰-۹][-0-9٠-٩۰-۹ ().]*\s*$";

/// An e-mail address as `Email::parse` takes it: `format: email` with a
/// dotted domain (`user@localhost` is valid RFC but never a customer).
const EMAIL: &str = r"^[^@\s]+@[^@\s]+\.[^@\s.]+$";

/// `Password::parse`: 8 to 128 characters with a letter and a digit.
const PASSWORD: &str = r"^(?=[\s\S]*[^\W\d_])(?=[\s\S]*\d)[\s\S]{8,128}$";

/// `GET /api/suppressions?search=`: digits of a number (any script, other
/// characters ignored), at most 20 once leading zeros are dropped; empty
/// means no search.
const SEARCH_DIGITS: &str =
    r"^$|^[^0-9٠-٩۰-۹]*(?:[0٠۰][^0-9٠-٩۰-۹]*)*[1-9١-٩۱-۹](?:[^0-9٠-٩۰-۹]*[0-9٠-٩۰-۹]){0,19}[^0-9٠-٩۰-۹]*$";

/// `governor::window`: HH:MM from 00:00 to 23:59, spaces around ignored.
const TIME_OF_DAY: &str = r"^\s*(?:[01][0-9]|2[0-3]):[0-5][0-9]\s*$";

/// A choice in a query (`status`, `role`, `sortOrder`) as the parsers
/// read it: one of the values exactly, spaces around ignored; empty or
/// blank is "any", as if absent.
fn query_choice(values: &[&str]) -> Value {
    json!({"type": "string", "pattern": format!(r"^\s*(?:{})?\s*$", values.join("|"))})
}

fn line(max: usize) -> Value {
    json!({"minLength": 1, "maxLength": max, "pattern": LINE})
}

fn phone() -> Value {
    json!({"minLength": 1, "maxLength": 64, "pattern": PHONE})
}

fn email() -> Value {
    json!({"format": "email", "maxLength": 254, "pattern": EMAIL})
}

/// Properties of component schemas: (schema, property, what to add).
fn properties() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("OtpInput", "target", json!({"minLength": 1, "maxLength": 254, "pattern": r"\S"})),
        ("OtpInput", "code", json!({"minLength": 1, "maxLength": 32})),
        ("RegisterInput", "name", line(NAME_MAX_CHARS)),
        ("RegisterInput", "email", email()),
        ("RegisterInput", "phone", phone()),
        ("RegisterInput", "password", json!({"minLength": 8, "maxLength": 128, "pattern": PASSWORD})),
        ("LoginInput", "email", email()),
        ("LoginInput", "password", json!({"minLength": 1})),
        ("ProfileInput", "name", line(NAME_MAX_CHARS)),
        ("ProfileInput", "age", json!({"minimum": 1, "maximum": 150})),
        ("ProfileInput", "address", json!({"maxLength": 500, "pattern": r"^[^\x00-\x1f\x7f-\x9f]*$"})),
        ("ProfileInput", "avatar", json!({"maxLength": 1000, "pattern": r"^[^\x00-\x1f\x7f-\x9f]*$"})),
        ("TitleInput", "title", line(TITLE_MAX_CHARS)),
        ("CreateCampaignInput", "message", json!({"minLength": 1, "maxLength": MESSAGE_MAX_CHARS, "pattern": r"\S"})),
        ("CreateCampaignInput", "whatsappAccountId", json!({"minimum": 1})),
        ("ReportsInput", "campaignIds", json!({"minItems": 1, "maxItems": 50, "items": {"minimum": 1}})),
        ("OrderInput", "packageId", json!({"minimum": 1})),
        ("PaymentInput", "orderId", json!({"minimum": 1})),
        ("VerifyInput", "orderId", json!({"minimum": 1})),
        ("PairingInput", "phone", phone()),
        ("LinkInput", "phone", phone()),
        ("PairingOtpInput", "phone", phone()),
        ("AddSuppressionsInput", "phones", json!({"minItems": 1})),
        ("PackageInput", "title", line(PACKAGE_TITLE_MAX)),
        ("PackageInput", "description", json!({"maxLength": DESCRIPTION_MAX, "pattern": BLOCK})),
        ("PackageInput", "category", json!({"maxLength": CATEGORY_MAX, "pattern": r"^[^\x00-\x1f\x7f-\x9f]*$"})),
        ("PackageInput", "price", json!({"minimum": 1, "maximum": PRICE_MAX})),
        ("PackageInput", "duration", json!({"minimum": 1, "maximum": DURATION_MAX_DAYS})),
        ("PackageInput", "messageLimit", json!({"minimum": 1, "maximum": MESSAGE_LIMIT_MAX})),
        ("SendWindowView", "start", json!({"pattern": TIME_OF_DAY})),
        ("SendWindowView", "end", json!({"pattern": TIME_OF_DAY})),
    ]
}

/// Required properties the derive leaves optional (a field that must be
/// present even when it may be `null`).
const REQUIRED: &[(&str, &str)] = &[("SendWindowInput", "sendWindow")];

/// Apply the refinements to the document (as JSON).
pub fn refine(doc: &mut Value) {
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut).expect("components");
    for (schema, property, extra) in properties() {
        let Some(target) = schemas.get_mut(schema).and_then(|s| s.pointer_mut(&format!("/properties/{property}")))
        else {
            panic!("the document has no {schema}.{property} to refine");
        };
        merge(target, extra);
    }
    // The string enums, by reference.
    let enums: HashMap<String, Vec<String>> = schemas
        .iter()
        .filter_map(|(name, schema)| {
            let values =
                schema["enum"].as_array()?.iter().map(|v| v.as_str().map(str::to_owned)).collect::<Option<_>>()?;
            Some((format!("#/components/schemas/{name}"), values))
        })
        .collect();
    if let Some(paths) = doc.pointer_mut("/paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            for (method, operation) in item.as_object_mut().into_iter().flatten() {
                refine_operation(path, method, operation, &enums);
            }
        }
    }
    optional_when_nullable(doc);
    for (schema, property) in REQUIRED {
        let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut).expect("components");
        let required = schemas[*schema].as_object_mut().unwrap().entry("required").or_insert_with(|| json!([]));
        let list = required.as_array_mut().unwrap();
        if !list.iter().any(|p| p == property) {
            list.push(json!(property));
        }
    }
    bound_integers(doc);
}

/// A request body's field that may be `null` (an `Option`) may also be
/// left out: serde reads a missing `Option` as `None`. utoipa lists such
/// fields as required unless they carry `#[serde(default)]`.
fn optional_when_nullable(doc: &mut Value) {
    let mut bodies: Vec<String> = Vec::new();
    for item in doc["paths"].as_object().into_iter().flat_map(|paths| paths.values()) {
        for operation in item.as_object().into_iter().flat_map(|o| o.values()) {
            for content in operation["requestBody"]["content"].as_object().into_iter().flat_map(|c| c.values()) {
                if let Some(name) = content["schema"]["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
                    bodies.push(name.to_owned());
                }
            }
        }
    }
    let nullable = |schema: &Value| {
        schema["type"].as_array().is_some_and(|types| types.iter().any(|t| t == "null"))
            || ["oneOf", "anyOf"]
                .iter()
                .any(|key| schema[*key].as_array().is_some_and(|options| options.iter().any(|o| o["type"] == "null")))
    };
    for name in bodies {
        let Some(schema) = doc.pointer_mut(&format!("/components/schemas/{name}")) else { continue };
        let optional: Vec<String> = schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, property)| nullable(property))
            .map(|(key, _)| key.clone())
            .collect();
        if let Some(required) = schema.get_mut("required").and_then(Value::as_array_mut) {
            required.retain(|p| !optional.iter().any(|o| p == o));
        }
    }
}

fn refine_operation(path: &str, method: &str, operation: &mut Value, enums: &HashMap<String, Vec<String>>) {
    for parameter in operation.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
        let name = parameter["name"].as_str().unwrap_or_default().to_owned();
        let place = parameter["in"].as_str().unwrap_or_default().to_owned();
        let Some(schema) = parameter.get_mut("schema") else { continue };
        if place != "query" {
            continue;
        }
        if let Some(values) = schema["$ref"].as_str().and_then(|r| enums.get(r)) {
            let values: Vec<&str> = values.iter().map(String::as_str).collect();
            *schema = query_choice(&values);
        }
        match (path, method, name.as_str()) {
            ("/api/suppressions", "get", "search") => merge(schema, json!({"pattern": SEARCH_DIGITS})),
            ("/api/campaigns", "get", "search") => merge(schema, json!({"maxLength": 100})),
            ("/api/campaigns/{id}/recipients", "get", "sortBy") => {
                *schema = query_choice(&["id", "phone", "name", "status", "sentAt"])
            }
            ("/api/campaigns/{id}/recipients", "get", "sortOrder") => *schema = query_choice(&["asc", "desc"]),
            _ => {}
        }
    }
    // A new package needs what an update may leave out (one type reads both).
    if (path, method) == ("/api/packages", "post") {
        let body = &mut operation["requestBody"]["content"]["application/json"]["schema"];
        *body = json!({"allOf": [body.take(), {
            "required": ["title", "price", "duration", "messageLimit"],
            "properties": {
                "title": {"type": "string"},
                "price": {"type": "integer"},
                "duration": {"type": "integer"},
                "messageLimit": {"type": "integer"},
            },
        }]});
    }
    // A body the handler does without: linking by QR code takes none.
    if (path, method) == ("/api/whatsapp-accounts", "post") {
        operation["requestBody"]["required"] = json!(false);
    }
}

/// Every integer is bounded by its format, as the code's `i32`/`i64`
/// parse it: a larger one is refused, so the document says so.
fn bound_integers(value: &mut Value) {
    match value {
        Value::Object(object) => {
            let bounds = match object.get("format").and_then(Value::as_str) {
                Some("int64") => Some((i64::MIN, i64::MAX)),
                Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                _ => None,
            };
            let integer = match object.get("type") {
                Some(Value::String(t)) => t == "integer",
                Some(Value::Array(types)) => types.iter().any(|t| t == "integer"),
                _ => false,
            };
            if let (Some((low, high)), true) = (bounds, integer) {
                object.entry("minimum").or_insert(json!(low));
                object.entry("maximum").or_insert(json!(high));
            }
            object.values_mut().for_each(bound_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_integers),
        _ => {}
    }
}

fn merge(target: &mut Value, extra: Value) {
    let Value::Object(extra) = extra else { return };
    let target: &mut Map<String, Value> = match target {
        Value::Object(object) => object,
        other => panic!("not a schema object: {other}"),
    };
    for (key, value) in extra {
        match (target.get_mut(&key), value) {
            (Some(existing @ Value::Object(_)), value @ Value::Object(_)) => merge(existing, value),
            (_, value) => {
                target.insert(key, value);
            }
        }
    }
}
