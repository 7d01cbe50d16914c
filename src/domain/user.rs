//! Staff roles and the actor behind a request.

use serde::{Deserialize, Serialize};

use super::ids::{AgencyCode, UserId};

/// Staff roles of product.md §1 (citizens and businesses have no account).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Operator,
    Handler,
    Mediator,
    Supervisor,
    Coordinator,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Operator,
        Role::Handler,
        Role::Mediator,
        Role::Supervisor,
        Role::Coordinator,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Handler => "handler",
            Role::Mediator => "mediator",
            Role::Supervisor => "supervisor",
            Role::Coordinator => "coordinator",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Roles that belong to an agency (admins may have none).
    pub fn needs_agency(self) -> bool {
        !matches!(self, Role::Admin)
    }

    /// The roles a case of their agency may be assigned to.
    pub const CASEWORKERS: [Role; 2] = [Role::Handler, Role::Supervisor];

    /// Whether a case of their agency may be assigned to this role.
    pub fn works_cases(self) -> bool {
        Role::CASEWORKERS.contains(&self)
    }

    /// Roles that work cases through their agency's queue.
    pub fn is_agency_staff(self) -> bool {
        matches!(self, Role::Operator | Role::Handler | Role::Supervisor)
    }
}

/// An authenticated staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub agency: Option<AgencyCode>,
    /// The unit of the agency the staff member belongs to (ADR 0033), if any.
    pub unit: Option<String>,
}

/// Who performs an action: a staff member, a citizen through the public API, or the system.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff(Staff),
    Citizen,
    /// The business a request was forwarded to, through its private link (Art 57).
    Business,
    System,
}

impl Actor {
    pub fn id(&self) -> Option<&str> {
        match self {
            Actor::Staff(s) => Some(&s.id),
            _ => None,
        }
    }

    pub fn role_label(&self) -> &'static str {
        match self {
            Actor::Staff(s) => s.role.as_str(),
            Actor::Citizen => "citizen",
            Actor::Business => "business",
            Actor::System => "system",
        }
    }
}
