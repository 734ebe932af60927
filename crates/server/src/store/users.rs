//! Users, their memberships in organizations, and their sessions.

use api::{Me, Organization, Role, Timestamp, User};

use super::{Store, codec};
use crate::error::Result;

/// The `password_hash` of a user the console created through a token: not a PHC string, so no
/// password ever matches, and [`Store::credentials`] does not even return such a user (sign-in then
/// takes the unknown-email path, which costs the same time as a wrong password).
const NO_PASSWORD: &str = "";

/// What a valid console token says about its user (`rules::token`).
#[derive(Debug, Clone)]
pub struct ConsoleIdentity<'a> {
    /// Normalised, as `api::Email` makes it.
    pub email: &'a str,
    pub name: &'a str,
    pub org_id: i64,
    pub role: Role,
}

/// What [`Store::console_user`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsoleUser {
    /// The user, now with the token's name and role.
    Found { id: i64, email: String },
    /// The token's organization does not exist here; nothing was written.
    UnknownOrganization,
}

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
    /// The user with `email` (normalised) and a password, if there is one: a user the console
    /// created through a token (`NO_PASSWORD`) has none to check.
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        on_pool!(self, |pool| {
            let row: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, password_hash FROM users WHERE email = $1 AND password_hash <> $2",
            )
            .bind(email)
            .bind(NO_PASSWORD)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(|(user_id, password_hash)| Credentials {
                user_id,
                password_hash,
            }))
        })
    }

    /// Records a session for `user_id` under the hash of its token, valid for `lifetime_secs` from
    /// `now`. Expired sessions are forgotten by the hourly purge ([`Self::delete_expired_sessions`]).
    pub async fn start_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: Timestamp,
        lifetime_secs: i64,
    ) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now.to_string())
        .bind(now.unix_seconds() + lifetime_secs)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// Forgets the sessions that expired before `now`; how many.
    pub async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64> {
        on_writer!(self, |pool| {
            Ok(sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now.unix_seconds())
                .execute(pool)
                .await?
                .rows_affected())
        })
    }

    /// Forgets the session with this token hash, if there is one.
    pub async fn end_session(&self, token_hash: &str) -> Result<()> {
        on_writer!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The id and email of the user whose session has this token hash, if it has not expired at
    /// `now`.
    pub async fn session_user(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<(i64, String)>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT u.id, u.email FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2",
            )
            .bind(token_hash)
            .bind(now.unix_seconds())
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The user with the organization they act for: their first membership, of those a console token
    /// did not create (this is what a password session sees). `None` for a user without any.
    pub async fn me(&self, user_id: i64) -> Result<Option<Me>> {
        on_pool!(self, |pool| {
            let row: Option<MeRow> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, o.id AS org_id, o.name AS org_name, o.plan_kind, m.role
             FROM users u
             JOIN memberships m ON m.user_id = u.id AND NOT m.via_token
             JOIN organizations o ON o.id = m.organization_id
             WHERE u.id = $1
             ORDER BY o.id LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(pool)
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
        })
    }

    /// The user's membership in the organization `org_id`, if they have one; one a console token
    /// created only `with_token_memberships` (for a token request).
    pub async fn membership(
        &self,
        user_id: i64,
        org_id: i64,
        with_token_memberships: bool,
    ) -> Result<Option<Membership>> {
        on_pool!(self, |pool| {
            let row: Option<(String, String, String)> = sqlx::query_as(
                "SELECT o.name, o.plan_kind, m.role FROM memberships m
             JOIN organizations o ON o.id = m.organization_id
             WHERE m.user_id = $1 AND m.organization_id = $2 AND (NOT m.via_token OR $3)",
            )
            .bind(user_id)
            .bind(org_id)
            .bind(with_token_memberships)
            .fetch_optional(pool)
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
        })
    }

    /// The user a console token names, by email, with the token's name and its role in the token's
    /// organization: created (without a password) or updated when they differ. Only reads when
    /// nothing changed, which is every request after the first.
    pub async fn console_user(
        &self,
        identity: &ConsoleIdentity<'_>,
        now: Timestamp,
    ) -> Result<ConsoleUser> {
        let role = codec::role_str(identity.role);
        let current: Option<(i64, String, String, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT u.id, u.email, u.name, m.role FROM users u
             LEFT JOIN memberships m ON m.user_id = u.id AND m.organization_id = $1
             WHERE u.email = $2",
            )
            .bind(identity.org_id)
            .bind(identity.email)
            .fetch_optional(pool)
            .await?
        });
        if let Some((id, email, name, Some(current_role))) = current
            && name == identity.name
            && current_role == role
        {
            return Ok(ConsoleUser::Found { id, email });
        }

        let mut tx = self.begin_write().await?;
        let (id, email) = on_tx!(tx, |conn| {
            let exists: Option<i64> =
                sqlx::query_scalar("SELECT id FROM organizations WHERE id = $1")
                    .bind(identity.org_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            if exists.is_none() {
                return Ok(ConsoleUser::UnknownOrganization);
            }
            let (id, email): (i64, String) = sqlx::query_as(
                "INSERT INTO users (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (email) DO UPDATE SET name = excluded.name
             RETURNING id, email",
            )
            .bind(identity.email)
            .bind(identity.name)
            .bind(NO_PASSWORD)
            .bind(now.to_string())
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query(
            "INSERT INTO memberships (user_id, organization_id, role, via_token) VALUES ($1, $2, $3, TRUE)
             ON CONFLICT (user_id, organization_id) DO UPDATE SET role = excluded.role",
        )
        .bind(id)
        .bind(identity.org_id)
        .bind(role)
        .execute(&mut *conn)
        .await?;
            (id, email)
        });
        tx.commit().await?;
        Ok(ConsoleUser::Found { id, email })
    }

    /// The user's display name.
    pub async fn user_name(&self, user_id: i64) -> Result<String> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_one(pool)
                .await?)
        })
    }
}
