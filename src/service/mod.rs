//! Use cases. Each public function is one unit of work: it owns its transaction, checks the
//! caller's rights, changes rows, and appends the case event in the same transaction.

pub mod accounts;
pub mod alerts;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod business;
pub mod calendar_admin;
pub mod calls;
pub mod cases;
pub mod checkpoint;
pub mod citizen_files;
pub mod clocks;
pub mod clusters;
pub mod documents;
pub mod events;
pub mod evidence;
pub mod intake;
pub mod jobs;
pub mod kb;
pub mod limits;
pub mod links;
pub mod mediators;
pub mod notify;
pub mod open_data;
pub mod privacy;
pub mod reference;
pub mod reports;
pub mod sessions;
pub mod totp;
pub mod views;
pub mod violators;
pub mod warnings;

use crate::db::cases::Scope;
use crate::domain::user::{Actor, Role};

/// Admin-only operations (accounts, calendar, outbox).
pub fn require_admin(actor: &Actor) -> Result<(), crate::error::AppError> {
    match actor {
        Actor::Staff(s) if s.role == Role::Admin => Ok(()),
        Actor::Staff(_) => Err(crate::error::AppError::Forbidden),
        _ => Err(crate::error::AppError::Unauthenticated),
    }
}

/// The case-visibility scope of an actor (product.md §1: isolation).
pub fn scope_of(actor: &Actor) -> Scope {
    match actor {
        Actor::Staff(s) => match (s.role, &s.agency) {
            (Role::Coordinator, _) => Scope::All,
            (Role::Mediator, _) => Scope::Mediator(s.id.clone()),
            (Role::Admin, _) => Scope::Nothing,
            // A supervisor of a mediation body also sees the cases of its listed mediators
            // (issue 12 item 10): nothing else of the agencies that hold them.
            (Role::Supervisor, Some(a)) => Scope::AgencyAndMediators(a.clone()),
            (_, Some(a)) => Scope::Agency(a.clone()),
            (_, None) => Scope::Nothing,
        },
        Actor::Citizen | Actor::Business | Actor::System => Scope::Nothing,
    }
}
