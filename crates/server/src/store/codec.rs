//! How values are written in columns, for the types whose stored form the `api` crate does not define
//! (severities and ticket statuses use `api::Severity::key`/`parse` and `api::TicketStatus::as_str`/
//! `parse`). A stored value that does not read back is a broken database: an internal error.

use api::{
    ActivityKind, AuthorKind, PlanKind, ResponseTime, Role, Severity, TicketStatus, Timestamp,
    UpgradeStatus, YearMonth,
};

use crate::error::{Error, Result};

fn unknown(what: &str, stored: &str) -> Error {
    anyhow::anyhow!("unknown {what} {stored:?}").into()
}

pub(super) fn severity(stored: &str) -> Result<Severity> {
    Severity::parse(stored).ok_or_else(|| unknown("severity", stored))
}

pub(super) fn ticket_status(stored: &str) -> Result<TicketStatus> {
    TicketStatus::parse(stored).ok_or_else(|| unknown("ticket status", stored))
}

pub(super) fn plan(stored: &str) -> Result<PlanKind> {
    match stored {
        "free" => Ok(PlanKind::Free),
        "paid" => Ok(PlanKind::Paid),
        other => Err(unknown("plan kind", other)),
    }
}

pub(super) fn role(stored: &str) -> Result<Role> {
    match stored {
        "admin" => Ok(Role::Admin),
        "member" => Ok(Role::Member),
        other => Err(unknown("role", other)),
    }
}

pub(super) fn role_str(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Member => "member",
    }
}

pub(super) fn activity_kind_str(kind: ActivityKind) -> &'static str {
    match kind {
        ActivityKind::Comment => "comment",
        ActivityKind::CcAdded => "cc_added",
        ActivityKind::CcRemoved => "cc_removed",
        ActivityKind::StatusChanged => "status_changed",
    }
}

pub(super) fn activity_kind(stored: &str) -> Result<ActivityKind> {
    [
        ActivityKind::Comment,
        ActivityKind::CcAdded,
        ActivityKind::CcRemoved,
        ActivityKind::StatusChanged,
    ]
    .into_iter()
    .find(|kind| activity_kind_str(*kind) == stored)
    .ok_or_else(|| unknown("activity kind", stored))
}

pub(super) fn author_kind_str(kind: AuthorKind) -> &'static str {
    match kind {
        AuthorKind::Customer => "customer",
        AuthorKind::Agent => "agent",
        AuthorKind::Email => "email",
    }
}

pub(super) fn author_kind(stored: &str) -> Result<AuthorKind> {
    [AuthorKind::Customer, AuthorKind::Agent, AuthorKind::Email]
        .into_iter()
        .find(|kind| author_kind_str(*kind) == stored)
        .ok_or_else(|| unknown("author kind", stored))
}

/// Cancelled requests are never read back as [`UpgradeStatus`]: they are not shown.
pub(super) fn upgrade_status(stored: &str) -> Result<UpgradeStatus> {
    match stored {
        "pending" => Ok(UpgradeStatus::Pending),
        "active" => Ok(UpgradeStatus::Active),
        "rejected" => Ok(UpgradeStatus::Rejected),
        other => Err(unknown("upgrade status", other)),
    }
}

/// A response time as its two columns, `<x>_unit` and `<x>_value`.
pub(super) fn response_time_columns(time: ResponseTime) -> (&'static str, u32) {
    match time {
        ResponseTime::BusinessDays(n) => ("business_days", n),
        ResponseTime::Minutes(n) => ("minutes", n),
    }
}

/// Reads a response time stored as a unit and a value.
pub(super) fn response_time(unit: &str, value: i64) -> Result<ResponseTime> {
    let value = u32::try_from(value).map_err(|_| anyhow::anyhow!("response time {value}"))?;
    match unit {
        "business_days" => Ok(ResponseTime::BusinessDays(value)),
        "minutes" => Ok(ResponseTime::Minutes(value)),
        other => Err(unknown("response time unit", other)),
    }
}

/// A time column (RFC 3339 text, UTC, whole seconds).
pub(super) fn timestamp(stored: &str) -> Result<Timestamp> {
    Timestamp::parse(stored).map_err(|_| unknown("timestamp", stored))
}

/// A month column (`YYYY-MM`).
pub(super) fn month(stored: &str) -> Result<YearMonth> {
    YearMonth::parse(stored).ok_or_else(|| unknown("month", stored))
}

/// A count or size column as the unsigned number it is.
pub(super) fn unsigned(value: i64) -> Result<u64> {
    Ok(u64::try_from(value).map_err(anyhow::Error::from)?)
}

/// A list of ids as the JSON array `json_each` reads.
pub(super) fn ids_json(ids: &[i64]) -> Result<String> {
    Ok(serde_json::to_string(ids).map_err(anyhow::Error::from)?)
}
