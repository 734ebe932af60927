//! Users, their memberships in organizations, and their sessions.

use api::{Me, Organization, Role, Timestamp, User};

use super::{Store, codec};
use crate::error::Result;

/// What a sign-in checks the password against.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: i64,
    /// Argon2id, as a PHC string.
    pub password_hash: String,
}

/// A user's place in one organization.
#[derive(Debug, Clone)]
pub struct Membership {
    pub organization: Organization,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct MeRow {
    id: i64,
    email: String,
    name: String,
    org_id: i64,
    org_name: String,
    plan_kind: String,
    role: String,
}

impl Store {
    /// The user with `email` (normalised), if there is one.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT id, password_hash FROM users WHERE email = ?")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(user_id, password_hash)| Credentials {
            user_id,
            password_hash,
        }))
    }

    /// Records a session for `user_id` under the hash of its token, valid for `lifetime_secs` from
    /// `now`, and forgets the sessions that have expired meanwhile.
    pub async fn start_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: Timestamp,
        lifetime_secs: i64,
    ) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE expires_at < ?")
            .bind(now.unix_seconds())
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now.to_string())
        .bind(now.unix_seconds() + lifetime_secs)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets the session with this token hash, if there is one.
    pub async fn end_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The id and email of the user whose session has this token hash, if it has not expired at
    /// `now`.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now.unix_seconds())
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The user with the organization they act for: their first membership. `None` for a user
    /// without any.
    pub async fn me(&self, user_id: i64) -> Result<Option<Me>> {
        let row: Option<MeRow> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, o.id AS org_id, o.name AS org_name, o.plan_kind, m.role
             FROM users u
             JOIN memberships m ON m.user_id = u.id
             JOIN organizations o ON o.id = m.organization_id
             WHERE u.id = ?
             ORDER BY o.id LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(Me {
                user: User {
                    id: row.id,
                    email: row.email,
                    name: row.name,
                },
                organization: Organization {
                    id: row.org_id,
                    name: row.org_name,
                    plan: codec::plan(&row.plan_kind)?,
                },
                role: codec::role(&row.role)?,
            })
        })
        .transpose()
    }

    /// The user's membership in the organization `org_id`, if they have one.
    pub async fn membership(&self, user_id: i64, org_id: i64) -> Result<Option<Membership>> {
        let row: Option<(String, String, String)> = sqlx::query_as(
            "SELECT o.name, o.plan_kind, m.role FROM memberships m
             JOIN organizations o ON o.id = m.organization_id
             WHERE m.user_id = ? AND m.organization_id = ?",
        )
        .bind(user_id)
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(name, plan, role)| {
            Ok(Membership {
                organization: Organization {
                    id: org_id,
                    name,
                    plan: codec::plan(&plan)?,
                },
                role: codec::role(&role)?,
            })
        })
        .transpose()
    }

    /// The user's display name.
    pub async fn user_name(&self, user_id: i64) -> Result<String> {
        Ok(sqlx::query_scalar("SELECT name FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }
}
