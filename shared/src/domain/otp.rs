//! How and why a one-time code is sent.

crate::string_enum!(
    /// Where a code travels: a phone by SMS or an e-mail address.
    OtpChannel { Sms = "SMS", Email = "EMAIL" }
);

crate::string_enum!(
    /// What a code proves; SPEC knows only sign-up.
    OtpPurpose { Register = "REGISTER" }
);
