//! The ticket lists: **My tickets** (the user's own and those they are CCed on) and **Tickets in my
//! organization** (admins), filtered by status and severity, searched, sorted, and paged by keyset.
//!
//! Pages never use OFFSET: a cursor names the last (or first) ticket shown by its sort key and id, and
//! the next page starts right after it through the `(organization_id, <key>, id)` index, so a deep page
//! costs what the first one does and tickets updated meanwhile do not shift rows between pages.
//!
//! Cursor format (opaque to clients, URL-safe as is: only `[a-z0-9_]`): `<u|c><unix seconds>_<id>`,
//! `u` for the updated sort, `c` for the created one, e.g. `u1764255600_42`. A cursor of the other
//! sort is refused (400): the SPA starts from the first page when the sort changes.

use api::conversation::{PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX};
use api::{TicketList, TicketListItem, TicketListQuery, TicketScope, TicketSort};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::auth::{CurrentUser, Member};
use crate::error::{Error, Path, Query, Result};
use crate::tickets::{normalise_email, parse_severity, parse_status, severity_str};
use crate::{AppState, clock, etag};

/// 403 for members asking for the organization scope.
pub const ORGANIZATION_SCOPE_ADMINS: &str =
    "Only the organization's admins can list all of its tickets.";

/// Longest search text, in characters.
pub const SEARCH_MAX_CHARS: usize = 500;

/// `GET /organizations/{org}/tickets?scope=&status=&severity=&q=&sort=&after=&before=&limit=`, with an
/// ETag: the SPA polls it.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(org_id): Path<i64>,
    headers: HeaderMap,
    Query(query): Query<TicketListQuery>,
) -> Result<Response> {
    let member = Member::load(&state, user, org_id).await?;
    let page = load_page(&state.db, &member, &query).await?;
    etag::json(&headers, &page)
}

// ---------------------------------------------------------------------------------------------
// Cursors

/// A position in a list: the sort key and id of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: TicketSort,
    /// The sort key, RFC 3339 UTC with whole seconds as every timestamp is stored.
    pub at: String,
    pub id: i64,
}

fn sort_letter(sort: TicketSort) -> char {
    match sort {
        TicketSort::Updated => 'u',
        TicketSort::Created => 'c',
    }
}

impl Cursor {
    /// `u1764255600_42`.
    pub fn encode(&self) -> Result<String> {
        let at = OffsetDateTime::parse(&self.at, &Rfc3339)
            .map_err(|e| anyhow::anyhow!("stored time {:?}: {e}", self.at))?;
        Ok(format!(
            "{}{}_{}",
            sort_letter(self.sort),
            at.unix_timestamp(),
            self.id
        ))
    }

    /// Reads a cursor made by [`Cursor::encode`] for a list sorted by `sort`.
    pub fn decode(text: &str, sort: TicketSort) -> Result<Self> {
        let bad = || Error::Malformed("the page cursor is not one this server made.".into());
        let mut chars = text.chars();
        let letter = chars.next().ok_or_else(bad)?;
        if letter != sort_letter(sort) {
            return Err(if matches!(letter, 'u' | 'c') {
                Error::Malformed(
                    "the page cursor belongs to the other sort order; start from the first page."
                        .into(),
                )
            } else {
                bad()
            });
        }
        let (seconds, id) = chars.as_str().split_once('_').ok_or_else(bad)?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(seconds) || !digits(id) {
            return Err(bad());
        }
        let seconds: i64 = seconds.parse().map_err(|_| bad())?;
        let at = OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| bad())?;
        Ok(Self {
            sort,
            at: clock::rfc3339(at),
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Search

/// The FTS5 query for what the user typed: every whitespace-separated word becomes a quoted prefix
/// term (`"word"*`, inner quotes doubled), all of them ANDed. Quoting makes every character literal,
/// so FTS5 operators typed by the user (`NEAR(`, `-`, `*`, `OR`, parentheses, column filters) are just
/// text. Words without a letter or digit are dropped: they would be empty phrases that match nothing.
/// Control characters separate words like spaces (a NUL would end the query early inside SQLite).
/// `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = input
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
}

// ---------------------------------------------------------------------------------------------
// Queries

/// Which tickets a list holds, whatever the page.
#[derive(Debug, Clone)]
struct Filter {
    org_id: i64,
    /// For "My tickets": the user's id and normalised email.
    mine: Option<(i64, String)>,
    status: Option<&'static str>,
    severity: Option<&'static str>,
    fts: Option<String>,
    sort: TicketSort,
}

impl Filter {
    fn new(member: &Member, query: &TicketListQuery) -> Result<Self> {
        let mine = match query.scope {
            TicketScope::Mine => Some((member.user.id, normalise_email(&member.user.email))),
            TicketScope::Organization if member.is_admin() => None,
            TicketScope::Organization => return Err(Error::Forbidden(ORGANIZATION_SCOPE_ADMINS)),
        };
        let q = query.q.as_deref().unwrap_or_default();
        if q.chars().count() > SEARCH_MAX_CHARS {
            return Err(Error::Malformed(format!(
                "the search text can be at most {SEARCH_MAX_CHARS} characters."
            )));
        }
        Ok(Self {
            org_id: member.organization.id,
            mine,
            status: query.status.map(|s| s.as_str()),
            severity: query.severity.map(severity_str),
            fts: fts_query(q),
            sort: query.sort,
        })
    }

    fn key(&self) -> &'static str {
        match self.sort {
            TicketSort::Updated => "t.updated_at",
            TicketSort::Created => "t.created_at",
        }
    }

    /// `WHERE ...` for these tickets, past `bound` if given.
    fn push_where(&self, qb: &mut QueryBuilder<Sqlite>, bound: Option<(&Cursor, Direction)>) {
        qb.push(" WHERE t.organization_id = ")
            .push_bind(self.org_id);
        if let Some((user_id, email)) = &self.mine {
            // The submitter is checked on the sort index itself; the (usually few) tickets the user
            // is CCed on are looked up once per query through the CC address's index.
            qb.push(" AND (t.submitter_id = ")
                .push_bind(*user_id)
                .push(" OR t.id IN (SELECT ticket_id FROM ticket_cc WHERE email = ")
                .push_bind(email.clone())
                .push("))");
        }
        if let Some(status) = self.status {
            qb.push(" AND t.status = ").push_bind(status);
        }
        if let Some(severity) = self.severity {
            qb.push(" AND t.severity = ").push_bind(severity);
        }
        if let Some(fts) = &self.fts {
            qb.push(" AND t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
                .push_bind(fts.clone())
                .push(")");
        }
        if let Some((cursor, direction)) = bound {
            let op = match direction {
                Direction::Older => "<",
                Direction::Newer => ">",
            };
            qb.push(format!(" AND ({}, t.id) {op} (", self.key()))
                .push_bind(cursor.at.clone())
                .push(", ")
                .push_bind(cursor.id)
                .push(")");
        }
    }

    /// Up to `limit` tickets past `bound` (from the newest without one), nearest first. `prefix` goes
    /// before the query (`EXPLAIN QUERY PLAN `).
    fn page_query(
        &self,
        prefix: &str,
        bound: Option<(&Cursor, Direction)>,
        limit: u32,
    ) -> QueryBuilder<Sqlite> {
        // Names come from subqueries, not joins, so the planner always drives from the ticket index.
        let mut qb = QueryBuilder::new(prefix);
        qb.push(
            "SELECT t.id, t.subject, t.severity, t.status,
                    (SELECT name FROM products WHERE key = t.product_key) AS product_name,
                    (SELECT name FROM users WHERE id = t.submitter_id) AS submitter_name,
                    t.created_at, t.updated_at, t.last_replied_by, t.last_reply_from_agent
             FROM tickets t",
        );
        self.push_where(&mut qb, bound);
        let order = match bound.map(|(_, d)| d) {
            Some(Direction::Newer) => "ASC",
            _ => "DESC",
        };
        qb.push(format!(
            " ORDER BY {key} {order}, t.id {order} LIMIT ",
            key = self.key()
        ))
        .push_bind(i64::from(limit));
        qb
    }

    fn count_query(&self, prefix: &str) -> QueryBuilder<Sqlite> {
        let mut qb = QueryBuilder::new(prefix);
        qb.push("SELECT COUNT(*) FROM tickets t");
        self.push_where(&mut qb, None);
        qb
    }

    async fn fetch(
        &self,
        conn: &mut SqliteConnection,
        bound: Option<(&Cursor, Direction)>,
        limit: u32,
    ) -> Result<Vec<ItemRow>> {
        let mut qb = self.page_query("", bound, limit);
        Ok(qb.build_query_as().fetch_all(conn).await?)
    }

    /// Whether any ticket lies past `cursor` in `direction`.
    async fn any_past(
        &self,
        conn: &mut SqliteConnection,
        cursor: &Cursor,
        direction: Direction,
    ) -> Result<bool> {
        let mut qb = QueryBuilder::new("SELECT EXISTS (SELECT 1 FROM tickets t");
        self.push_where(&mut qb, Some((cursor, direction)));
        qb.push(")");
        Ok(qb.build_query_scalar().fetch_one(conn).await?)
    }
}

/// Which side of a cursor a page lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    /// Further down the list (`after`).
    Older,
    /// Further up (`before`).
    Newer,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: i64,
    subject: String,
    severity: String,
    status: String,
    product_name: String,
    submitter_name: String,
    created_at: String,
    updated_at: String,
    last_replied_by: Option<String>,
    last_reply_from_agent: bool,
}

impl ItemRow {
    fn cursor(&self, sort: TicketSort) -> Cursor {
        Cursor {
            sort,
            at: match sort {
                TicketSort::Updated => self.updated_at.clone(),
                TicketSort::Created => self.created_at.clone(),
            },
            id: self.id,
        }
    }
}

/// One page of the list `query` asks for, as `member` may see it.
pub async fn load_page(
    db: &SqlitePool,
    member: &Member,
    query: &TicketListQuery,
) -> Result<TicketList> {
    let filter = Filter::new(member, query)?;
    let sort = filter.sort;
    let limit = query
        .limit
        .unwrap_or(PAGE_SIZE_DEFAULT)
        .clamp(1, PAGE_SIZE_MAX);
    let limit_len = limit as usize;
    let decode =
        |text: &Option<String>| text.as_deref().map(|t| Cursor::decode(t, sort)).transpose();
    let (after, before) = (decode(&query.after)?, decode(&query.before)?);
    // One read transaction: the page and the total come from the same snapshot.
    let mut tx = db.begin().await?;
    let conn = &mut *tx;

    let (rows, next, prev) = match (after, before) {
        (Some(_), Some(_)) => {
            return Err(Error::Malformed(
                "give at most one of `after` and `before`.".into(),
            ));
        }
        (Some(after), None) => {
            let mut rows = filter
                .fetch(conn, Some((&after, Direction::Older)), limit + 1)
                .await?;
            let more = rows.len() > limit_len;
            rows.truncate(limit_len);
            let next = more.then(|| rows.last().map(|r| r.cursor(sort))).flatten();
            let top = rows.first().map_or(after, |r| r.cursor(sort));
            let prev = filter
                .any_past(conn, &top, Direction::Newer)
                .await?
                .then_some(top);
            (rows, next, prev)
        }
        (None, Some(before)) => {
            let mut rows = filter
                .fetch(conn, Some((&before, Direction::Newer)), limit + 1)
                .await?;
            let more = rows.len() > limit_len;
            rows.truncate(limit_len);
            rows.reverse();
            if !more && rows.len() < limit_len {
                // Back at the top with a short page (tickets moved up meanwhile): show a full first
                // page instead.
                first_page(&filter, conn, limit).await?
            } else {
                let prev = more.then(|| rows.first().map(|r| r.cursor(sort))).flatten();
                let bottom = rows.last().map_or(before, |r| r.cursor(sort));
                let next = filter
                    .any_past(conn, &bottom, Direction::Older)
                    .await?
                    .then_some(bottom);
                (rows, next, prev)
            }
        }
        (None, None) => first_page(&filter, conn, limit).await?,
    };

    let total: i64 = filter
        .count_query("")
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await?;
    let following = member.is_admin() && follows(conn, member).await?;
    tx.commit().await?;

    let tickets = rows
        .into_iter()
        .map(|r| {
            Ok(TicketListItem {
                id: r.id,
                subject: r.subject,
                severity: parse_severity(&r.severity)?,
                status: parse_status(&r.status)?,
                product_name: r.product_name,
                submitter_name: r.submitter_name,
                created_at: r.created_at,
                updated_at: r.updated_at,
                last_replied_by: r.last_replied_by,
                last_reply_from_agent: r.last_reply_from_agent,
            })
        })
        .collect::<Result<_>>()?;
    Ok(TicketList {
        tickets,
        total: u64::try_from(total).map_err(anyhow::Error::from)?,
        next: next.map(|c| c.encode()).transpose()?,
        prev: prev.map(|c| c.encode()).transpose()?,
        following,
    })
}

type Page = (Vec<ItemRow>, Option<Cursor>, Option<Cursor>);

async fn first_page(filter: &Filter, conn: &mut SqliteConnection, limit: u32) -> Result<Page> {
    let mut rows = filter.fetch(conn, None, limit + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last().map(|r| r.cursor(filter.sort)))
        .flatten();
    Ok((rows, next, None))
}

async fn follows(conn: &mut SqliteConnection, member: &Member) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM ticket_followers WHERE organization_id = ? AND user_id = ?)",
    )
    .bind(member.organization.id)
    .bind(member.user.id)
    .fetch_one(conn)
    .await?)
}

/// The query plans (`EXPLAIN QUERY PLAN` details) of the page and count queries behind `query`, for
/// tests and for operators wondering why a list is slow.
#[derive(Debug, Clone)]
pub struct Plans {
    pub page: Vec<String>,
    pub count: Vec<String>,
}

/// [`Plans`] of the list `query` for `member` (the page after `query.after` if it is set).
pub async fn explain(db: &SqlitePool, member: &Member, query: &TicketListQuery) -> Result<Plans> {
    let filter = Filter::new(member, query)?;
    let after = query
        .after
        .as_deref()
        .map(|t| Cursor::decode(t, filter.sort))
        .transpose()?;
    let bound = after.as_ref().map(|c| (c, Direction::Older));
    let limit = query.limit.unwrap_or(PAGE_SIZE_DEFAULT) + 1;
    let details = |rows: Vec<(i64, i64, i64, String)>| rows.into_iter().map(|r| r.3).collect();
    let mut page = filter.page_query("EXPLAIN QUERY PLAN ", bound, limit);
    let mut count = filter.count_query("EXPLAIN QUERY PLAN ");
    Ok(Plans {
        page: details(page.build_query_as().fetch_all(db).await?),
        count: details(count.build_query_as().fetch_all(db).await?),
    })
}
