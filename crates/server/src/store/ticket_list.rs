//! The queries behind the ticket lists: the tickets of a filter, past a position in the list, in
//! keyset order. Pages never use OFFSET: the next page starts right after the last ticket shown,
//! through the `(organization_id, <sort key>, id)` index, so a deep page costs what the first one does.
//!
//! Search is SQLite's FTS5 over the subject and description ([`fts_query`]).

use api::{Severity, TicketListItem, TicketSort, TicketStatus, Timestamp};
use sqlx::{QueryBuilder, Sqlite};

use super::{Tx, codec};
use crate::error::Result;

/// Which tickets a list holds, whatever the page.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub org_id: i64,
    /// For "My tickets": the user's id and normalised email (their tickets and those they are CCed
    /// on); `None` for every ticket of the organization.
    pub mine: Option<(i64, String)>,
    pub status: Option<TicketStatus>,
    pub severity: Option<Severity>,
    /// What the user typed in the search box; every word must match as a prefix.
    pub search: Option<String>,
    pub sort: TicketSort,
}

/// A place in a list: the sort key and id of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// The sort key.
    pub at: Timestamp,
    pub id: i64,
}

/// Which side of a position a page lies on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Further down the list (older).
    Older,
    /// Further up (newer).
    Newer,
}

impl Direction {
    /// The other way.
    pub fn opposite(self) -> Self {
        match self {
            Direction::Older => Direction::Newer,
            Direction::Newer => Direction::Older,
        }
    }
}

/// The FTS5 query for what the user typed: every whitespace-separated word becomes a quoted prefix
/// term (`"word"*`, inner quotes doubled), all of them ANDed. Quoting makes every character literal,
/// so FTS5 operators typed by the user (`NEAR(`, `-`, `*`, `OR`, parentheses, column filters) are just
/// text. Words without a letter or digit are dropped (they would be empty phrases that match nothing),
/// and so are one-letter words (`api::ticket_list::search_words`).
/// Control characters separate words like spaces (a NUL would end the query early inside SQLite).
/// `None` when nothing searchable is left.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<String> = api::ticket_list::search_words(input)
        .map(|word| format!("\"{}\"*", word.replace('"', "\"\"")))
        .collect();
    (!terms.is_empty()).then(|| terms.join(" AND "))
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
    fn into_item(self) -> Result<TicketListItem> {
        Ok(TicketListItem {
            id: self.id,
            subject: self.subject,
            severity: codec::severity(&self.severity)?,
            status: codec::ticket_status(&self.status)?,
            product_name: self.product_name,
            submitter_name: self.submitter_name,
            created_at: codec::timestamp(&self.created_at)?,
            updated_at: codec::timestamp(&self.updated_at)?,
            last_replied_by: self.last_replied_by,
            last_reply_from_agent: self.last_reply_from_agent,
        })
    }
}

impl ListFilter {
    fn key(&self) -> &'static str {
        match self.sort {
            TicketSort::Updated => "t.updated_at",
            TicketSort::Created => "t.created_at",
        }
    }

    /// `WHERE ...` for these tickets, past `bound` if given.
    fn push_where(&self, qb: &mut QueryBuilder<Sqlite>, bound: Option<(&Position, Direction)>) {
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
            qb.push(" AND t.status = ").push_bind(status.as_str());
        }
        if let Some(severity) = self.severity {
            qb.push(" AND t.severity = ").push_bind(severity.key());
        }
        if let Some(fts) = self.search.as_deref().and_then(fts_query) {
            qb.push(" AND t.id IN (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ")
                .push_bind(fts)
                .push(")");
        }
        if let Some((position, direction)) = bound {
            let op = match direction {
                Direction::Older => "<",
                Direction::Newer => ">",
            };
            qb.push(format!(" AND ({}, t.id) {op} (", self.key()))
                .push_bind(position.at.to_string())
                .push(", ")
                .push_bind(position.id)
                .push(")");
        }
    }

    /// Up to `limit` tickets past `bound` (from the newest without one), nearest first. `prefix` goes
    /// before the query (`EXPLAIN QUERY PLAN `).
    fn page_query(
        &self,
        prefix: &str,
        bound: Option<(&Position, Direction)>,
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
}

impl Tx {
    /// Up to `limit` tickets of `filter` past `bound` (from the top without one), nearest to it
    /// first.
    pub async fn list_tickets(
        &mut self,
        filter: &ListFilter,
        bound: Option<(&Position, Direction)>,
        limit: u32,
    ) -> Result<Vec<TicketListItem>> {
        let mut qb = filter.page_query("", bound, limit);
        let rows: Vec<ItemRow> = qb.build_query_as().fetch_all(&mut *self.inner).await?;
        rows.into_iter().map(ItemRow::into_item).collect()
    }

    /// Whether any ticket of `filter` lies past `position` in `direction`.
    pub async fn any_ticket_past(
        &mut self,
        filter: &ListFilter,
        position: &Position,
        direction: Direction,
    ) -> Result<bool> {
        let mut qb = QueryBuilder::new("SELECT EXISTS (SELECT 1 FROM tickets t");
        filter.push_where(&mut qb, Some((position, direction)));
        qb.push(")");
        Ok(qb.build_query_scalar().fetch_one(&mut *self.inner).await?)
    }

    /// How many tickets `filter` holds.
    pub async fn count_tickets(&mut self, filter: &ListFilter) -> Result<u64> {
        let total: i64 = filter
            .count_query("")
            .build_query_scalar()
            .fetch_one(&mut *self.inner)
            .await?;
        codec::unsigned(total)
    }
}

/// The query plans (`EXPLAIN QUERY PLAN` details) of a page and of the count behind a list, for the
/// tests that check no list scans the whole table.
#[cfg(feature = "test-support")]
#[derive(Debug, Clone)]
pub struct Plans {
    pub page: Vec<String>,
    pub count: Vec<String>,
}

#[cfg(feature = "test-support")]
impl super::Store {
    /// [`Plans`] of the page of `filter` past `bound` with `limit` rows, and of its count.
    pub async fn explain_list(
        &self,
        filter: &ListFilter,
        bound: Option<(&Position, Direction)>,
        limit: u32,
    ) -> Result<Plans> {
        let details = |rows: Vec<(i64, i64, i64, String)>| rows.into_iter().map(|r| r.3).collect();
        let mut page = filter.page_query("EXPLAIN QUERY PLAN ", bound, limit);
        let mut count = filter.count_query("EXPLAIN QUERY PLAN ");
        Ok(Plans {
            page: details(page.build_query_as().fetch_all(&self.pool).await?),
            count: details(count.build_query_as().fetch_all(&self.pool).await?),
        })
    }
}
