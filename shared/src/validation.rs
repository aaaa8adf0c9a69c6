//! Turning raw request bodies into typed input, with per-field errors.
//!
//! JSON is deserialized with the path of the failing field kept, so a wrong
//! type or an unknown enum value names its field. Domain parsing then
//! collects every invalid field at once through [`Fields`].

use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Deserialize a JSON object body; any failure is a 400 naming the field.
/// Every request body of the API is an object (serde would otherwise read a
/// struct from an array, too).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        None => return Err(ApiError::field("body", "a JSON object is required")),
        Some(b'{') => {}
        Some(_) => return Err(ApiError::field("body", "must be a JSON object")),
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let value = match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => value,
        Err(err) => {
            // `3.0` is the integer 3 to JSON (and JSON Schema): read again
            // with whole numbers written as decimals taken as integers.
            if let Some(value) = with_whole_decimals_as_integers(body) {
                return Ok(value);
            }
            let path = err.path().to_string();
            let inner = err.into_inner();
            let (field, message) = describe(&path, &inner);
            return Err(ApiError::field(&field, message));
        }
    };
    deserializer.end().map_err(|_| ApiError::field("body", "unexpected data after the JSON value"))?;
    Ok(value)
}

/// The body read as `T` once every whole decimal (`3.0`, `1e2`) small
/// enough to be exact is an integer; `None` if there was none, or if `T`
/// still cannot be read.
fn with_whole_decimals_as_integers<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    fn rewrite(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) if n.is_f64() => {
                let f = n.as_f64().unwrap_or(f64::NAN);
                // Integers up to 2^53 are exact in a double.
                if f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0 {
                    *value = serde_json::Value::from(f as i64);
                    return true;
                }
                false
            }
            serde_json::Value::Array(items) => items.iter_mut().fold(false, |any, v| rewrite(v) | any),
            serde_json::Value::Object(map) => map.values_mut().fold(false, |any, v| rewrite(v) | any),
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    if !rewrite(&mut value) {
        return None;
    }
    serde_json::from_value(value).ok()
}

/// Field name and a human message for a serde_json error, without echoing
/// the submitted value (it may be a password).
fn describe(path: &str, err: &serde_json::Error) -> (String, String) {
    let text = err.to_string();
    let text = text.split(" at line ").next().unwrap_or(&text);
    if let Some(rest) = text.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let field = if path == "." { name.to_owned() } else { format!("{path}.{name}") };
        return (field, "is required".to_owned());
    }
    // serde_path_to_error writes "?" for a position it could not name.
    let at_root = matches!(path, "." | "" | "?");
    if let Some(rest) = text.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        let field = if at_root { name.to_owned() } else { path.to_owned() };
        return (field, "is not an accepted field".to_owned());
    }
    let field = if at_root { "body".to_owned() } else { path.to_owned() };
    let message = if err.is_syntax() || err.is_eof() {
        "malformed JSON".to_owned()
    } else if text.starts_with("unknown variant") {
        let expected = text.split("expected ").nth(1).unwrap_or("a known value");
        format!("unknown value, expected {expected}")
    } else if text.starts_with("invalid type") {
        let expected = text.split("expected ").nth(1).unwrap_or("another type");
        format!("wrong type, expected {expected}")
    } else {
        "invalid value".to_owned()
    };
    (field, message)
}

/// An enum given as a query parameter; absent or empty means "any".
pub fn query_enum<T: std::str::FromStr<Err = String>>(raw: Option<&str>) -> Result<Option<T>, String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => text.parse().map(Some),
    }
}

/// Collects field errors while input is parsed into domain types.
#[derive(Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keep the parsed value, or record why the field is invalid.
    pub fn check<T, E: std::fmt::Display>(&mut self, field: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.errors.push(FieldError::new(field, err.to_string()));
                None
            }
        }
    }

    /// The value `make` assembles from the checked fields, or one 400 that
    /// lists every invalid field. `make` runs only when all fields parsed, so
    /// its `?` on each checked `Option` never fails.
    pub fn build<T>(self, make: impl FnOnce() -> Option<T>) -> Result<T, ApiError> {
        if !self.errors.is_empty() {
            return Err(ApiError::validation(self.errors));
        }
        make().ok_or_else(|| ApiError::internal(anyhow::anyhow!("a checked field was missing")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Input {
        name: String,
        kind: Kind,
        age: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    enum Kind {
        #[serde(rename = "SMS")]
        Sms,
    }

    fn first_error(body: &str) -> FieldError {
        match parse_json::<Input>(body.as_bytes()).unwrap_err() {
            ApiError::Validation { errors, .. } => errors[0].clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_the_field_at_fault() {
        assert_eq!(first_error(r#"{"kind":"SMS"}"#).field, "name");
        assert_eq!(first_error(r#"{"name":"a","kind":"FAX"}"#).field, "kind");
        let wrong = first_error(r#"{"name":5,"kind":"SMS"}"#);
        assert_eq!(wrong.field, "name");
        assert!(wrong.message.starts_with("wrong type"));
        assert_eq!(first_error(r#"{"name":"a","kind":"SMS","age":"x"}"#).field, "age");
        assert_eq!(first_error("{not json").message, "malformed JSON");
        assert_eq!(first_error("").field, "body");
    }

    #[test]
    fn never_echoes_the_value() {
        let err = first_error(r#"{"name":"a","kind":"s3cr3t-value"}"#);
        assert!(!err.message.contains("s3cr3t"), "{}", err.message);
    }
}
