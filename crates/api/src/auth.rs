//! Sign-in and the signed-in user.

use serde::{Deserialize, Serialize};

use crate::error::FieldMessage;
use crate::field::Field;
use crate::validate::{Email, FieldError, collect};

/// `POST /api/v1/session` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignInRequest {
    /// The user's email address, as typed.
    pub email: String,
    /// The password, as typed.
    pub password: String,
}

impl SignInRequest {
    /// Checks the shape of both fields (not the credentials) and returns the parsed email.
    pub fn validate(&self) -> Result<Email, Vec<FieldMessage>> {
        let email = Email::parse(&self.email);
        let password = if self.password.is_empty() {
            Err(FieldError::new(
                Field::Password,
                "Password: enter your password.",
            ))
        } else {
            Ok(())
        };
        collect([email.as_ref().err().cloned(), password.err()])?;
        email.map_err(|e| vec![e.into()])
    }
}

/// A person with a console account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Stable id.
    pub id: i64,
    /// Sign-in email, lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
}

/// Whether an organization runs paid services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Only free services: no support tier, community forum instead.
    Free,
    /// At least one paid service: Basic support at least.
    Paid,
}

/// The user's role in the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May change the support tier and see every ticket of the organization.
    Admin,
    /// May open and follow tickets.
    Member,
}

/// The organization the user acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    /// Stable id.
    pub id: i64,
    /// Display name.
    pub name: String,
    /// Free or paid.
    pub plan: PlanKind,
}

/// `GET /api/v1/me` and the answer to a successful sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    /// Who is signed in.
    pub user: User,
    /// For which organization.
    pub organization: Organization,
    /// With which role.
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_reports_both_fields_at_once() {
        let req = SignInRequest {
            email: "".into(),
            password: "".into(),
        };
        let errors = req.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "password"]);
    }

    #[test]
    fn sign_in_accepts_a_valid_pair_and_normalises_email() {
        let req = SignInRequest {
            email: " Admin@Acme.Example ".into(),
            password: "x".into(),
        };
        assert_eq!(req.validate().unwrap().as_str(), "admin@acme.example");
    }

    #[test]
    fn role_and_plan_use_snake_case_on_the_wire() {
        assert_eq!(serde_json::to_string(&Role::Admin).unwrap(), r#""admin""#);
        assert_eq!(serde_json::to_string(&PlanKind::Free).unwrap(), r#""free""#);
    }
}
