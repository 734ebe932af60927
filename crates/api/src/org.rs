//! The organization's resources that forms refer to, and the ticket product catalogue.

use serde::{Deserialize, Serialize};

/// A service running in a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    /// Stable id.
    pub id: i64,
    /// Service name, unique within its project, e.g. `pg-main`.
    pub name: String,
}

/// A project of the organization, with its services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    /// Stable id.
    pub id: i64,
    /// Project name, e.g. `acme-prod`; this is the "project ID" customers quote.
    pub name: String,
    /// The organizational unit that owns it, if not the organization itself.
    pub unit: Option<String>,
    /// Its services, by name.
    pub services: Vec<Service>,
}

/// One reason a customer may have for a ticket about a product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// Stable key, unique within the product.
    pub key: String,
    /// Visible label.
    pub label: String,
}

/// A product tickets can be about, with its reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Product {
    /// Stable key, e.g. `postgresql`.
    pub key: String,
    /// Visible name, e.g. `PostgreSQL`.
    pub name: String,
    /// Reasons, in display order.
    pub reasons: Vec<Reason>,
}
