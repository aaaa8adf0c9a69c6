//! The send governor: what keeps a user's WhatsApp number alive. It decides,
//! per **number** (not per campaign or session), whether a message may leave
//! now, how long to pause after it, and when the number must stop.
//!
//! The rules are pure functions of a clock and the number's recorded sends
//! (`window`, `caps`, `cold`, `pacing`, `breaker`), and of the recipient
//! (`recipients`: opted out, known unreachable, cold or warm), so they are
//! tested without a database or a browser; `ledger` applies them to MySQL
//! atomically (the account's row locked while a send is reserved and its
//! recipient claimed), which is what makes them hold across campaigns,
//! senders, restarts and takeovers. Nothing here knows about browsers: a
//! sender asks, then obeys.

pub mod breaker;
pub mod caps;
pub mod cold;
pub mod estimate;
pub mod ledger;
pub mod numbers;
pub mod pacing;
pub mod recipients;
pub mod settings;
pub mod window;

pub use caps::{Decision, WaitReason};
pub use settings::GovernorSettings;
pub use window::SendWindow;
