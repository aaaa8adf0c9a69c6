//! The opt-out list (`/api/suppressions`): per owner, the numbers that are
//! never messaged. Numbers come in one by one, as a JSON list, from a
//! spreadsheet (the same reader as a recipient list), or from a reply that
//! says "stop" (the sender). An import leaves listed numbers out, and the
//! sender checks again just before each message.

use serde::{Deserialize, Serialize};

use crate::{
    domain::{phone::InvalidPhone, PageRequest, Pagination, Phone},
    error::ApiError,
    excel::{self, import::Suppressed},
    repo::suppressions::{self, SuppressionRecord},
    validation::Fields,
    AppContext,
};

/// Numbers in one JSON request, at most (a spreadsheet may hold more).
pub const MAX_PHONES_PER_REQUEST: usize = 10_000;
pub const REASON_MAX_CHARS: usize = 255;
/// The reason of numbers imported from a spreadsheet without one.
pub const SPREADSHEET_REASON: &str = "imported";
/// The reason recorded when a recipient replies with an opt-out keyword.
pub const REPLY_REASON: &str = "replied with an opt-out keyword";

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuppressionListQuery {
    /// Digits of the number (any script).
    pub search: Option<String>,
    #[param(value_type = Option<u32>)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

pub async fn list(
    ctx: &AppContext,
    user_id: i64,
    query: SuppressionListQuery,
) -> Result<(Vec<SuppressionRecord>, Pagination), ApiError> {
    let mut f = Fields::new();
    // Empty is no search; anything else must carry the digits of a number.
    let search = match query.search.as_deref().filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(raw) => {
            let digits = ascii_digits(raw);
            if digits.is_empty() || digits.len() > 20 {
                f.check("search", Err("must be digits of a phone number"))
            } else {
                Some(Some(digits))
            }
        }
    };
    let page = f.check("page", PageRequest::parse_page(query.page.as_deref()));
    let limit = f.check("limit", PageRequest::parse_limit(query.limit.as_deref()));
    let (search, request) = f.build(|| Some((search?, PageRequest { page: page?, limit: limit? })))?;
    let items = suppressions::page(&ctx.db, user_id, search.as_deref(), request.limit, request.offset()).await?;
    let total = suppressions::count(&ctx.db, user_id, search.as_deref()).await?;
    Ok((items, request.paginate(total as i64)))
}

/// Digits in any script, as ASCII (a search for `۰۹۱۲` finds `98912…`
/// only by its local tail, so a leading zero is dropped).
fn ascii_digits(raw: &str) -> String {
    let digits: String = raw
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '۰'..='۹' => char::from_digit(c as u32 - '۰' as u32, 10),
            '٠'..='٩' => char::from_digit(c as u32 - '٠' as u32, 10),
            _ => None,
        })
        .collect();
    digits.trim_start_matches('0').to_owned()
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AddSuppressionsInput {
    /// Numbers in any accepted form (SPEC "Phone numbers").
    pub phones: Vec<String>,
    pub reason: Option<String>,
}

/// A number that could not be added.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RejectedPhone {
    pub value: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AddOutcome {
    /// Numbers new on the list.
    pub added: u64,
    /// Valid numbers that were listed already.
    pub already_listed: u64,
    pub invalid: u64,
    /// The first invalid values.
    pub rejected: Vec<RejectedPhone>,
}

#[tracing::instrument(skip_all, fields(user.id = user_id, count = input.phones.len()))]
pub async fn add(ctx: &AppContext, user_id: i64, input: AddSuppressionsInput) -> Result<AddOutcome, ApiError> {
    if input.phones.is_empty() {
        return Err(ApiError::field("phones", "must list at least one number"));
    }
    if input.phones.len() > MAX_PHONES_PER_REQUEST {
        return Err(ApiError::field(
            "phones",
            format!("must list at most {MAX_PHONES_PER_REQUEST} numbers; upload a spreadsheet for more"),
        ));
    }
    let reason = parse_reason(input.reason.as_deref())?;
    let mut phones = Vec::with_capacity(input.phones.len());
    let mut rejected = Vec::new();
    let mut invalid = 0;
    for raw in &input.phones {
        match Phone::parse(raw) {
            Ok(phone) => phones.push(phone),
            Err(err) => {
                invalid += 1;
                if rejected.len() < excel::import::MAX_SKIPPED_LISTED {
                    rejected
                        .push(RejectedPhone { value: raw.chars().take(40).collect(), reason: format!("phone {err}") });
                }
            }
        }
    }
    if phones.is_empty() {
        return Err(ApiError::field("phones", "no valid phone number"));
    }
    phones.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    phones.dedup();
    insert(ctx, user_id, &phones, reason.as_deref(), invalid, rejected).await
}

fn parse_reason(raw: Option<&str>) -> Result<Option<String>, ApiError> {
    crate::domain::text::optional_line(raw.unwrap_or(""), REASON_MAX_CHARS)
        .map_err(|e| ApiError::field("reason", e.to_string()))
}

async fn insert(
    ctx: &AppContext,
    user_id: i64,
    phones: &[Phone],
    reason: Option<&str>,
    invalid: u64,
    rejected: Vec<RejectedPhone>,
) -> Result<AddOutcome, ApiError> {
    let mut tx = ctx.db.begin().await?;
    let added = suppressions::insert_many(&mut tx, user_id, phones, reason).await?;
    tx.commit().await?;
    tracing::info!(added, "numbers suppressed");
    Ok(AddOutcome { added, already_listed: phones.len() as u64 - added, invalid, rejected })
}

/// A spreadsheet of numbers (a phone column as in a recipient list).
#[tracing::instrument(skip_all, fields(user.id = user_id, size = bytes.len()))]
pub async fn import(ctx: &AppContext, user_id: i64, bytes: Vec<u8>) -> Result<AddOutcome, ApiError> {
    let list =
        tokio::task::spawn_blocking(move || excel::read_recipients(&bytes)).await.map_err(ApiError::internal)??;
    let phones: Vec<Phone> = list.recipients.into_iter().map(|r| r.phone).collect();
    let rejected = list
        .skipped_rows
        .into_iter()
        .map(|row| RejectedPhone { value: row.value, reason: format!("row {}: {}", row.row, row.reason) })
        .collect();
    insert(ctx, user_id, &phones, Some(SPREADSHEET_REASON), list.invalid.into(), rejected).await
}

#[tracing::instrument(skip_all, fields(user.id = user_id))]
pub async fn remove(ctx: &AppContext, user_id: i64, raw_phone: &str) -> Result<(), ApiError> {
    let phone = match Phone::parse(raw_phone) {
        Ok(phone) => phone,
        // Digits that make no valid number were never put on the list.
        Err(InvalidPhone::Invalid) => return Err(ApiError::not_found("Number on the suppression list")),
        Err(e) => return Err(ApiError::field("phone", format!("phone {e}"))),
    };
    if !suppressions::delete(&ctx.db, user_id, &phone).await? {
        return Err(ApiError::not_found("Number on the suppression list"));
    }
    Ok(())
}

/// The owner's list as an import leaves it out.
pub async fn suppressed_set(db: impl sqlx::MySqlExecutor<'_>, user_id: i64) -> Result<Suppressed, sqlx::Error> {
    let phones = suppressions::all_phones(db, user_id).await?;
    Ok(phones.iter().filter_map(|p| p.parse::<u64>().ok()).collect())
}
