//! A user's role and account status.

crate::string_enum!(
    /// What a user may do; admin routes need `Admin` or `SuperAdmin`.
    Role { User = "USER", Admin = "ADMIN", SuperAdmin = "SUPER_ADMIN" }
);

crate::string_enum!(
    /// Only `Active` users may log in, refresh tokens or call the API.
    UserStatus { Active = "ACTIVE", Inactive = "INACTIVE", Banned = "BANNED" }
);

impl Role {
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Admin | Role::SuperAdmin)
    }
}
