//! The JSON shapes of orders, transactions and the subscription.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use shared::{
    commerce::subscription::Summary,
    domain::{GatewayKind, OrderStatus, TransactionStatus},
    repo::{
        orders::{OrderRecord, OrderSummary},
        packages::PackageRecord,
        subscriptions::GrantedPackage,
        transactions::{TransactionListing, TransactionRecord},
    },
};

/// `package` inside an order or transaction.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PackageRef<'a> {
    pub id: i64,
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_limit: Option<i32>,
}

/// A new order: `{id, status, package:{id, title, price}}`.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct NewOrderView<'a> {
    pub id: i64,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub package: PackageRef<'a>,
}

impl<'a> NewOrderView<'a> {
    pub fn new(order: &OrderRecord, package: &'a PackageRecord) -> Self {
        Self {
            id: order.id,
            status: order.status,
            created_at: order.created_at,
            package: PackageRef {
                id: package.id,
                title: &package.title,
                price: Some(package.price),
                duration: None,
                message_limit: None,
            },
        }
    }
}

/// The payment state shown with an order.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentState<'a> {
    pub id: i64,
    pub status: Option<TransactionStatus>,
    pub ref_id: Option<&'a str>,
}

/// One of the buyer's orders.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderView<'a> {
    pub id: i64,
    pub status: OrderStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub package: PackageRef<'a>,
    pub transaction: Option<PaymentState<'a>>,
}

impl<'a> From<&'a OrderSummary> for OrderView<'a> {
    fn from(o: &'a OrderSummary) -> Self {
        Self {
            id: o.id,
            status: o.status,
            created_at: o.created_at,
            updated_at: o.updated_at,
            package: PackageRef {
                id: o.package_id,
                title: &o.package_title,
                price: Some(o.package_price),
                duration: Some(o.package_duration),
                message_limit: Some(o.package_message_limit),
            },
            transaction: o.transaction_id.map(|id| PaymentState {
                id,
                status: o.transaction_status(),
                ref_id: o.ref_id.as_deref(),
            }),
        }
    }
}

/// A transaction. Administrators also see the buyer and the gateway's
/// record.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TransactionView<'a> {
    pub id: i64,
    pub order_id: i64,
    pub amount: i64,
    pub status: TransactionStatus,
    pub gateway: GatewayKind,
    pub authority: Option<&'a str>,
    pub ref_id: Option<&'a str>,
    pub payment_date: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<PackageRef<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Buyer<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub gateway_data: Option<Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Buyer<'a> {
    pub id: i64,
    pub name: &'a str,
    pub email: &'a str,
}

impl<'a> From<&'a TransactionRecord> for TransactionView<'a> {
    fn from(t: &'a TransactionRecord) -> Self {
        Self {
            id: t.id,
            order_id: t.order_id,
            amount: t.amount,
            status: t.status,
            gateway: t.gateway,
            authority: t.authority.as_deref(),
            ref_id: t.ref_id.as_deref(),
            payment_date: t.payment_date,
            created_at: t.created_at,
            updated_at: t.updated_at,
            package: None,
            user: None,
            gateway_data: None,
        }
    }
}

impl<'a> TransactionView<'a> {
    /// In the buyer's own list: with the package.
    pub fn own(row: &'a TransactionListing) -> Self {
        Self {
            package: Some(PackageRef {
                id: row.package_id,
                title: &row.package_title,
                price: None,
                duration: None,
                message_limit: None,
            }),
            ..Self::from(&row.transaction)
        }
    }

    /// In the administrators' list: with the buyer and the gateway's record.
    pub fn for_admin(row: &'a TransactionListing) -> Self {
        let gateway_data = row.transaction.gateway_data.as_deref().and_then(|text| serde_json::from_str(text).ok());
        Self {
            user: Some(Buyer { id: row.user_id, name: &row.user_name, email: &row.user_email }),
            gateway_data,
            ..Self::own(row)
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionView<'a> {
    pub is_active: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub total_limit: i64,
    pub used: i64,
    pub reserved: i64,
    pub remaining: i64,
    pub packages: Vec<GrantView<'a>>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GrantView<'a> {
    pub id: i64,
    pub title: &'a str,
    pub message_limit: i32,
    pub granted_at: DateTime<Utc>,
}

impl<'a> From<&'a Summary> for SubscriptionView<'a> {
    fn from(s: &'a Summary) -> Self {
        Self {
            is_active: s.is_active,
            expires_at: s.expires_at,
            total_limit: s.total_limit,
            used: s.used,
            reserved: s.reserved,
            remaining: s.remaining,
            packages: s.packages.iter().map(GrantView::from).collect(),
        }
    }
}

impl<'a> From<&'a GrantedPackage> for GrantView<'a> {
    fn from(g: &'a GrantedPackage) -> Self {
        Self { id: g.package_id, title: &g.title, message_limit: g.message_limit, granted_at: g.granted_at }
    }
}

/// The frontend's result page with the outcome appended to its query
/// string; empty values are left out.
pub fn result_url(base: &str, params: &[(&str, &str)]) -> String {
    let mut url = base.to_owned();
    let mut separator = if base.contains('?') { '&' } else { '?' };
    for (name, value) in params.iter().filter(|(_, value)| !value.is_empty()) {
        url.push(separator);
        url.push_str(name);
        url.push('=');
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                url.push(byte as char);
            } else {
                url.push_str(&format!("%{byte:02X}"));
            }
        }
        separator = '&';
    }
    url
}

#[cfg(test)]
mod tests {
    use super::result_url;

    #[test]
    fn outcome_in_the_query_string() {
        let url =
            result_url("https://app.example/pay/result", &[("status", "success"), ("orderId", "7"), ("refId", "")]);
        assert_eq!(url, "https://app.example/pay/result?status=success&orderId=7");
        assert_eq!(result_url("https://x/r?lang=fa", &[("code", "A B&")]), "https://x/r?lang=fa&code=A%20B%26");
    }
}
