//! How and why a one-time code is sent.

crate::string_enum!(
    /// Where a code travels: a phone by SMS or an e-mail address.
    OtpChannel { Sms = "SMS", Email = "EMAIL" }
);

crate::string_enum!(
    /// What a code proves, as the auth routes take it; SPEC knows only sign-up.
    OtpPurpose { Register = "REGISTER" }
);

crate::string_enum!(
    /// What a stored code proves: SPEC's purposes, and that the caller holds
    /// the phone a pairing code is asked for (`/api/whatsapp-accounts/pairing-otp`),
    /// which the auth routes never take.
    StoredOtpPurpose { Register = "REGISTER", Pairing = "PAIRING" }
);

impl From<OtpPurpose> for StoredOtpPurpose {
    fn from(purpose: OtpPurpose) -> Self {
        match purpose {
            OtpPurpose::Register => Self::Register,
        }
    }
}
