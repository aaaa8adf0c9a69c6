//! The lifecycles of an order and of its payment transaction, and the
//! gateways a payment can go through. Spellings are SPEC's.

crate::string_enum!(
    /// A package is sold only while `Active`; `Inactive` ones stay for history.
    PackageStatus { Active = "ACTIVE", Inactive = "INACTIVE" }
);

crate::string_enum!(
    /// `Pending` until its payment is verified (`Paid`).
    OrderStatus { Pending = "PENDING", Paid = "PAID", Cancelled = "CANCELLED" }
);

crate::string_enum!(
    /// A payment attempt: `Success` is final; `Failure` may be retried.
    TransactionStatus { Pending = "PENDING", Success = "SUCCESS", Failure = "FAILURE" }
);

crate::string_enum!(
    /// Which gateway took the payment.
    GatewayKind { Zarinpal = "ZARINPAL", Mock = "MOCK", Other = "OTHER" }
);
