//! A campaign's enums: its lifecycle (`CampaignStatus` and the moves SPEC
//! "Campaign states" allows), the pause between messages (`Interval`), how
//! it starts (`SendType`), and a recipient's status as the API shows it
//! versus as the sender stores it.

crate::string_enum!(
    /// Where a campaign is in its life. `Active` is a legacy spelling of the
    /// old service; it behaves like `Running`.
    CampaignStatus {
        Draft = "DRAFT",
        Ready = "READY",
        Running = "RUNNING",
        Completed = "COMPLETED",
        Paused = "PAUSED",
        Failed = "FAILED",
        Cancelled = "CANCELLED",
        Active = "ACTIVE",
    }
);

impl CampaignStatus {
    /// The statuses of a campaign that sends (the legacy `Active` with `Running`).
    pub const RUNNING: [CampaignStatus; 2] = [CampaignStatus::Running, CampaignStatus::Active];

    /// The campaign sends (or waits for the send governor to let it).
    pub fn is_running(self) -> bool {
        CampaignStatus::RUNNING.contains(&self)
    }

    /// Whether SPEC's state machine allows moving from `self` to `next`:
    /// DRAFT → READY (recipients imported; importing again keeps READY),
    /// READY → RUNNING ⇄ PAUSED → …, RUNNING → COMPLETED,
    /// RUNNING/PAUSED → CANCELLED, any → FAILED.
    pub fn can_become(self, next: CampaignStatus) -> bool {
        use CampaignStatus::*;
        let running = self.is_running();
        match next {
            Failed => true,
            Ready => matches!(self, Draft | Ready),
            Running | Active => matches!(self, Ready | Paused),
            Paused => running,
            Completed => running,
            Cancelled => running || self == Paused,
            Draft => false,
        }
    }

    /// The recipient list and the attachment may change only before sending.
    pub fn is_editable(self) -> bool {
        matches!(self, CampaignStatus::Draft | CampaignStatus::Ready)
    }

    /// Nothing more will be sent.
    pub fn is_finished(self) -> bool {
        matches!(self, CampaignStatus::Completed | CampaignStatus::Failed | CampaignStatus::Cancelled)
    }
}

crate::string_enum!(
    /// The pause between two messages.
    Interval { FiveSeconds = "FIVE_SECONDS", TenSeconds = "TEN_SECONDS", TwentySeconds = "TWENTY_SECONDS" }
);

impl Interval {
    pub fn seconds(self) -> u64 {
        match self {
            Interval::FiveSeconds => 5,
            Interval::TenSeconds => 10,
            Interval::TwentySeconds => 20,
        }
    }
}

crate::string_enum!(
    /// Start on request, or at `scheduledAt`.
    SendType { Immediate = "IMMEDIATE", Scheduled = "SCHEDULED" }
);

crate::string_enum!(
    /// A recipient's status as SPEC (and the frontend) knows it.
    RecipientStatus { Pending = "PENDING", Sent = "SENT", Failed = "FAILED", Delivered = "DELIVERED" }
);

crate::string_enum!(
    /// A recipient's status as stored. `Sending` (marked just before the
    /// message leaves) and `Unknown` (the sender died mid-send, so the
    /// message may or may not have gone) exist so nobody is messaged twice.
    StoredRecipientStatus {
        Pending = "PENDING",
        Sending = "SENDING",
        Sent = "SENT",
        Failed = "FAILED",
        Delivered = "DELIVERED",
        Unknown = "UNKNOWN",
    }
);

impl StoredRecipientStatus {
    /// What the API shows: a message in flight is still `PENDING`; one whose
    /// outcome is unknown will never be retried, so it is `FAILED`.
    pub fn public(self) -> RecipientStatus {
        match self {
            StoredRecipientStatus::Pending | StoredRecipientStatus::Sending => RecipientStatus::Pending,
            StoredRecipientStatus::Sent => RecipientStatus::Sent,
            StoredRecipientStatus::Failed | StoredRecipientStatus::Unknown => RecipientStatus::Failed,
            StoredRecipientStatus::Delivered => RecipientStatus::Delivered,
        }
    }
}

impl RecipientStatus {
    /// The stored statuses shown as this one (the inverse of `public`).
    pub fn stored(self) -> &'static [StoredRecipientStatus] {
        match self {
            RecipientStatus::Pending => &[StoredRecipientStatus::Pending, StoredRecipientStatus::Sending],
            RecipientStatus::Sent => &[StoredRecipientStatus::Sent],
            RecipientStatus::Failed => &[StoredRecipientStatus::Failed, StoredRecipientStatus::Unknown],
            RecipientStatus::Delivered => &[StoredRecipientStatus::Delivered],
        }
    }
}

crate::string_enum!(
    /// The recipient list's sort keys (`sortBy`); anything else is refused.
    RecipientSortBy { Id = "id", Phone = "phone", Name = "name", Status = "status", SentAt = "sentAt" }
);

crate::string_enum!(
    /// `sortOrder` of a list.
    SortOrder { Asc = "asc", Desc = "desc" }
);

#[cfg(test)]
mod tests {
    use super::*;
    use CampaignStatus::*;

    #[test]
    fn state_machine_follows_spec() {
        assert!(Draft.can_become(Ready));
        assert!(Ready.can_become(Ready));
        assert!(Ready.can_become(Running));
        assert!(Running.can_become(Paused) && Paused.can_become(Running));
        assert!(Running.can_become(Completed));
        assert!(Running.can_become(Cancelled) && Paused.can_become(Cancelled));
        assert!(CampaignStatus::ALL.iter().all(|s| s.can_become(Failed)));
        assert!(!Draft.can_become(Running));
        assert!(!Completed.can_become(Ready));
        assert!(!Running.can_become(Ready));
        assert!(!Ready.can_become(Cancelled));
        assert!(!Completed.can_become(Draft));
    }

    #[test]
    fn intervals_know_their_seconds() {
        assert_eq!(Interval::FiveSeconds.seconds(), 5);
        assert_eq!("TWENTY_SECONDS".parse::<Interval>().unwrap().seconds(), 20);
        assert!("THIRTY_SECONDS".parse::<Interval>().is_err());
    }

    #[test]
    fn internal_recipient_statuses_map_both_ways() {
        for stored in StoredRecipientStatus::ALL {
            assert!(stored.public().stored().contains(stored), "{stored}");
        }
        assert_eq!(StoredRecipientStatus::Unknown.public(), RecipientStatus::Failed);
        assert_eq!(StoredRecipientStatus::Sending.public(), RecipientStatus::Pending);
    }
}
