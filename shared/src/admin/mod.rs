//! The admin panel's operations: the user list, role and status changes
//! with their rules, the dashboard figures and the recipients template.
//! Callers have already checked that the actor is an administrator; the
//! finer rules (who may touch which role) are enforced here.

pub mod dashboard;
pub mod roles;
pub mod template;
pub mod users;

use crate::domain::Role;

/// The administrator performing an operation.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub id: i64,
    pub role: Role,
}

/// ADMIN and SUPER_ADMIN accounts are managed by a SUPER_ADMIN only.
fn may_manage(actor: Actor, target_role: Role) -> bool {
    actor.role == Role::SuperAdmin || !target_role.is_admin()
}
