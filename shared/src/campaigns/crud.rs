//! Create, list, read, rename, re-pace and delete campaigns.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde::Deserialize;

use super::{lock_owned, objects, owned};
use crate::{
    domain::{
        CampaignMessage, CampaignStatus, CampaignTitle, Interval, PageRequest, Pagination, RecipientStatus, SendType,
        Timezone,
    },
    error::ApiError,
    governor::{window::SendWindowView, SendWindow},
    message::Template,
    queue::{self, Command, CommandKind},
    repo::{
        attachments::{self, AttachmentRecord},
        campaigns::{self, CampaignFilter, CampaignRecord, NewCampaign},
        recipients, session_leases, whatsapp_accounts,
    },
    validation::Fields,
    AppContext,
};

/// `POST /api/campaigns`. Unknown fields are ignored (the frontend of the
/// old service may send more); known ones must have the right type.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateCampaignInput {
    pub title: Option<String>,
    pub message: String,
    pub interval: Option<Interval>,
    pub is_scheduled: Option<bool>,
    pub scheduled_at: Option<String>,
    pub timezone: Option<String>,
    pub send_type: Option<SendType>,
    /// Append the opt-out footer («لغو: ۱۱») to every message.
    pub opt_out_footer: Option<bool>,
    /// Sending hours in the campaign's time zone; `null`: any time; absent:
    /// the default (`SEND_WINDOW_DEFAULT`).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<SendWindowView>)]
    pub send_window: Option<Option<SendWindowView>>,
    /// The WhatsApp account (number) it sends from; absent: the owner's only
    /// connected one, if there is exactly one.
    pub whatsapp_account_id: Option<i64>,
}

/// A field that was given, even as `null` (`Some(None)`), versus absent (`None`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

fn parse_window(f: &mut Fields, given: Option<&SendWindowView>) -> Option<Option<SendWindow>> {
    match given {
        None => Some(None),
        Some(view) => f.check("sendWindow", SendWindow::parse(&view.start, &view.end)).map(Some),
    }
}

struct NewCampaignFields {
    title: Option<CampaignTitle>,
    message: CampaignMessage,
    interval: Interval,
    timezone: Timezone,
    schedule: (bool, SendType, Option<DateTime<Utc>>),
    opt_out_footer: bool,
    /// `None`: the default window applies.
    send_window: Option<Option<SendWindow>>,
}

impl CreateCampaignInput {
    fn parse(self) -> Result<NewCampaignFields, ApiError> {
        let mut f = Fields::new();
        let title = match self.title.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(raw) => f.check("title", CampaignTitle::parse(raw)).map(Some),
        };
        // The template's rules (placeholders, choices, length) name the
        // position of what is wrong; then the text's.
        let message = match Template::parse(self.message.trim()) {
            Err(err) => f.check("message", Err(err)),
            Ok(_) => f.check("message", CampaignMessage::parse(&self.message)),
        };
        let send_window = match &self.send_window {
            None => Some(None),
            Some(given) => parse_window(&mut f, given.as_ref()).map(Some),
        };
        let timezone = match self.timezone.as_deref() {
            None => Some(Timezone::DEFAULT),
            Some(raw) => f.check("timezone", Timezone::parse(raw)),
        };
        let scheduled_at = match (self.scheduled_at.as_deref(), timezone) {
            (None, _) => Some(None),
            (Some(raw), Some(zone)) => f.check("scheduledAt", parse_instant(raw, zone)).map(Some),
            (Some(_), None) => None,
        };
        let is_scheduled = self.is_scheduled.unwrap_or(self.send_type == Some(SendType::Scheduled));
        let send_type = self.send_type.unwrap_or(if is_scheduled { SendType::Scheduled } else { SendType::Immediate });
        if is_scheduled != (send_type == SendType::Scheduled) {
            f.check::<(), _>("sendType", Err("must be SCHEDULED exactly when isScheduled is true"));
        }
        if is_scheduled && matches!(scheduled_at, Some(None)) {
            f.check::<(), _>("scheduledAt", Err("is required when the campaign is scheduled"));
        }
        if is_scheduled && matches!(scheduled_at, Some(Some(at)) if at <= Utc::now()) {
            f.check::<(), _>("scheduledAt", Err("must be in the future"));
        }
        f.build(|| {
            Some(NewCampaignFields {
                title: title?,
                message: message?,
                interval: self.interval.unwrap_or(Interval::TenSeconds),
                timezone: timezone?,
                schedule: (is_scheduled, send_type, scheduled_at?),
                opt_out_footer: self.opt_out_footer.unwrap_or(false),
                send_window: send_window?,
            })
        })
    }
}

/// An instant: RFC 3339 with an offset, or a local date-time
/// (`2025-03-21T09:30[:00]`) read in the campaign's time zone.
fn parse_instant(raw: &str, zone: Timezone) -> Result<DateTime<Utc>, &'static str> {
    let raw = raw.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Ok(at.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(raw, format).ok())
        .and_then(|local| zone.tz().from_local_datetime(&local).earliest())
        .map(|at| at.with_timezone(&Utc))
        .ok_or("must be an ISO-8601 date and time")
}

#[tracing::instrument(skip_all, fields(user.id = user_id))]
pub async fn create(ctx: &AppContext, user_id: i64, input: CreateCampaignInput) -> Result<CampaignRecord, ApiError> {
    let account_id = match input.whatsapp_account_id {
        Some(account_id) => {
            let usable = whatsapp_accounts::find_owned(&ctx.db, account_id, user_id).await?;
            if usable.is_none() {
                return Err(ApiError::field("whatsappAccountId", "is not one of your WhatsApp accounts"));
            }
            Some(account_id)
        }
        None => crate::whatsapp::numbers::default_for_new_campaign(ctx, user_id).await?,
    };
    let fields = input.parse()?;
    let (is_scheduled, send_type, scheduled_at) = fields.schedule;
    let send_window = fields.send_window.unwrap_or(ctx.settings.governor.default_window);
    let new = NewCampaign {
        user_id,
        title: fields.title.as_ref(),
        message: &fields.message,
        interval: fields.interval,
        is_scheduled,
        scheduled_at,
        timezone: fields.timezone,
        send_type,
        opt_out_footer: fields.opt_out_footer,
        send_window: send_window.as_ref(),
    };
    let mut tx = ctx.db.begin().await?;
    let id = campaigns::insert(&mut *tx, new).await?;
    if let Some(account_id) = account_id {
        whatsapp_accounts::attach_campaign(&mut *tx, id, account_id).await?;
    }
    let campaign = owned(&mut *tx, id, user_id).await?;
    tx.commit().await?;
    tracing::info!(campaign.id = id, "campaign created");
    Ok(campaign)
}

/// `GET /api/campaigns` query parameters, as given.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListCampaignsQuery {
    #[param(value_type = Option<crate::domain::CampaignStatus>)]
    pub status: Option<String>,
    pub search: Option<String>,
    #[param(value_type = Option<u32>)]
    pub page: Option<String>,
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

pub async fn list(
    ctx: &AppContext,
    user_id: i64,
    query: ListCampaignsQuery,
) -> Result<(Vec<CampaignRecord>, Pagination), ApiError> {
    let mut f = Fields::new();
    let status = match query.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(raw) => f.check("status", raw.parse::<CampaignStatus>()).map(Some),
    };
    let search = match query.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > 100 => f.check("search", Err("must be at most 100 characters")),
        other => Some(other.map(str::to_owned)),
    };
    let page = f.check("page", PageRequest::parse_page(query.page.as_deref()));
    let limit = f.check("limit", PageRequest::parse_limit(query.limit.as_deref()));
    let (filter, request) = f.build(|| {
        Some((CampaignFilter { status: status?, search: search? }, PageRequest { page: page?, limit: limit? }))
    })?;
    let items =
        crate::db::retry_read(|| campaigns::list_owned(&ctx.db, user_id, &filter, request.limit, request.offset()))
            .await?;
    let total = crate::db::retry_read(|| campaigns::count_owned(&ctx.db, user_id, &filter)).await?;
    Ok((items, request.paginate(total as i64)))
}

/// Recipients per status as SPEC names them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecipientCounts {
    pub total: u64,
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub delivered: u64,
}

impl RecipientCounts {
    pub(super) async fn of(db: impl sqlx::MySqlExecutor<'_>, campaign_id: i64) -> Result<Self, ApiError> {
        let mut counts = Self::default();
        for (status, count) in recipients::count_by_status(db, campaign_id).await? {
            let count = count as u64;
            counts.total += count;
            match status.public() {
                RecipientStatus::Pending => counts.pending += count,
                RecipientStatus::Sent => counts.sent += count,
                RecipientStatus::Failed => counts.failed += count,
                RecipientStatus::Delivered => counts.delivered += count,
            }
        }
        Ok(counts)
    }
}

pub struct CampaignDetails {
    pub campaign: CampaignRecord,
    pub counts: RecipientCounts,
    pub attachment: Option<AttachmentRecord>,
}

pub async fn get_details(ctx: &AppContext, user_id: i64, id: i64) -> Result<CampaignDetails, ApiError> {
    let campaign = owned(&ctx.db, id, user_id).await?;
    let counts = RecipientCounts::of(&ctx.db, id).await?;
    let attachment = attachments::find_for_campaign(&ctx.db, id).await?;
    Ok(CampaignDetails { campaign, counts, attachment })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TitleInput {
    pub title: String,
}

#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn rename(ctx: &AppContext, user_id: i64, id: i64, input: TitleInput) -> Result<CampaignRecord, ApiError> {
    let title = CampaignTitle::parse(&input.title).map_err(|e| ApiError::field("title", e.to_string()))?;
    let mut tx = ctx.db.begin().await?;
    lock_owned(&mut *tx, id, user_id).await?;
    campaigns::update_title(&mut *tx, id, &title).await?;
    let campaign = owned(&mut *tx, id, user_id).await?;
    tx.commit().await?;
    Ok(campaign)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct IntervalInput {
    pub interval: Interval,
}

/// Also while RUNNING: the sender re-reads the interval while it waits, and
/// is nudged to do it now.
#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn set_interval(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    input: IntervalInput,
) -> Result<CampaignRecord, ApiError> {
    let mut tx = ctx.db.begin().await?;
    let campaign = lock_owned(&mut *tx, id, user_id).await?;
    if campaign.status.is_finished() {
        return Err(ApiError::Conflict {
            code: "INVALID_CAMPAIGN_STATE",
            message: format!("The interval of a {} campaign can no longer change", campaign.status),
        });
    }
    campaigns::update_interval(&mut *tx, id, input.interval).await?;
    let campaign = owned(&mut *tx, id, user_id).await?;
    tx.commit().await?;
    if matches!(campaign.status, CampaignStatus::Running | CampaignStatus::Active) {
        nudge_session(ctx, id, CommandKind::Interval).await;
    }
    Ok(campaign)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendWindowInput {
    /// `{start, end}` as HH:MM in the campaign's time zone, or `null` for any time.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<SendWindowView>)]
    pub send_window: Option<Option<SendWindowView>>,
}

/// `PUT /api/campaigns/:id/send-window`; also while RUNNING (a waiting
/// campaign is nudged to look again).
#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn set_send_window(
    ctx: &AppContext,
    user_id: i64,
    id: i64,
    input: SendWindowInput,
) -> Result<CampaignRecord, ApiError> {
    let Some(given) = input.send_window else {
        return Err(ApiError::field(
            "sendWindow",
            "is required: {\"start\":\"HH:MM\",\"end\":\"HH:MM\"}, or null for any time",
        ));
    };
    let mut f = Fields::new();
    let window = parse_window(&mut f, given.as_ref());
    let window = f.build(|| window)?;
    let mut tx = ctx.db.begin().await?;
    let campaign = lock_owned(&mut *tx, id, user_id).await?;
    if campaign.status.is_finished() {
        return Err(ApiError::Conflict {
            code: "INVALID_CAMPAIGN_STATE",
            message: format!("The sending hours of a {} campaign can no longer change", campaign.status),
        });
    }
    campaigns::update_send_window(&mut *tx, id, window.as_ref()).await?;
    let campaign = owned(&mut *tx, id, user_id).await?;
    tx.commit().await?;
    if matches!(campaign.status, CampaignStatus::Running | CampaignStatus::Active) {
        nudge_session(ctx, id, CommandKind::Interval).await;
    }
    Ok(campaign)
}

/// The rows go in one transaction (recipients, the attachment row, the
/// session lease and the quota reservation by cascade); then the sender that
/// held the session is told to close it, so a running campaign stops before
/// its next message; then the stored files go.
#[tracing::instrument(skip_all, fields(user.id = user_id, campaign.id = id))]
pub async fn delete(ctx: &AppContext, user_id: i64, id: i64) -> Result<(), ApiError> {
    let mut tx = ctx.db.begin().await?;
    lock_owned(&mut *tx, id, user_id).await?;
    let owner = session_leases::campaign_owner(&mut *tx, id).await?;
    campaigns::delete(&mut *tx, id).await?;
    tx.commit().await?;
    // Without the nudge the session still stops serving it: the row is gone.
    if let Some(owner) = owner {
        let command = Command::new(CommandKind::Cleanup, id).via(Some(owner.account_id));
        if let Err(err) = queue::send_to(ctx, &owner.inbox_url, &command).await {
            tracing::warn!(error = %err, "could not nudge the session's sender");
        }
    }
    objects::delete_campaign_objects(&ctx.storage, id).await;
    tracing::info!("campaign deleted");
    Ok(())
}

/// Nudge the session the campaign sends through; the change already stands
/// in the database, so a lost nudge only delays the sender's next look.
async fn nudge_session(ctx: &AppContext, id: i64, kind: CommandKind) {
    if let Err(err) = queue::dispatch(ctx, id, kind).await {
        tracing::warn!(?kind, error = %err, "could not nudge the session's sender");
    }
}
