//! The queries behind the ticket lists: the tickets of a filter, past a position in the list, in
//! keyset order. Pages never use OFFSET: the next page starts right after the last ticket shown,
//! through the `(organization_id, <sort key>, id)` index, so a deep page costs what the first one does.
//!
//! Search is SQLite's FTS5 over the subject, description and resource names ([`fts_query`]); on
//! PostgreSQL it is its own full-text search over the same text, folded the same way in Rust first
//! ([`search_text`], [`ts_query`]). On both, the index itself is scoped to the list's organization
//! ([`org_fts_query`], [`org_ts_query`], migration 0013), so a search visits that organization's
//! matches only, however many other organizations share the words.
//!
//! The statements are put together here as text with numbered placeholders (`$1`, ...) and the
//! values bound in order: every value the user chose is bound, never spliced in.

use api::{Severity, TicketListItem, TicketSort, TicketStatus, Timestamp};
use sqlx::AssertSqlSafe;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

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

/// The FTS5 query a list of organization `org_id` runs for what the user typed: [`fts_query`]'s terms,
/// limited to the text columns, ANDed with the organization's token in the index's `organization_id`
/// column (migration 0013). The index itself then answers with this organization's matches only,
/// rather than every organization's for the list to drop afterwards. The user's terms cannot reach the
/// organization column (the column filter), and the organization token is put here, never typed.
/// `None` when nothing searchable is left.
pub fn org_fts_query(org_id: i64, input: &str) -> Option<String> {
    fts_query(input).map(|terms| {
        format!(
            "organization_id : \"{org_id}\" AND {{subject description resource_ids}} : ({terms})"
        )
    })
}

/// The text PostgreSQL's search indexes for a ticket (stored in `tickets.search_text`, from which a
/// generated `tsvector` column is built): subject, description and resource names as the words
/// SQLite's `unicode61 remove_diacritics 2` tokenizer sees, lower-case, diacritics removed, one space
/// between words. Folding here rather than with `unaccent` in the database keeps one definition of a
/// word for the stored text and the query ([`ts_query`]), needs no extension, and splits words where
/// SQLite does (PostgreSQL's parser would keep `a@b.com` or `pg-main` whole).
pub fn search_text(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        for word in folded_words(part) {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
        }
    }
    out
}

/// The words of `text`: runs of letters and digits, lower-case, without diacritics.
fn folded_words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The PostgreSQL `tsquery` (for `to_tsquery('simple', ...)`) for what the user typed, matching what
/// [`fts_query`] matches on SQLite: every search word must be present as a prefix, ANDed; a word that
/// folds to several pieces (`pg-main`) is a phrase of them (`pg <-> main:*`, the last one a prefix, as
/// FTS5 reads `"pg-main"*`). The pieces hold only letters and digits, so nothing the user types can
/// be tsquery syntax; each is quoted all the same. `None` when nothing searchable is left.
pub fn ts_query(input: &str) -> Option<String> {
    ts_terms(input, "")
}

/// What migration 0013 puts before every word of a ticket of organization `org_id` in PostgreSQL's
/// index (`o17x`): the digits end at the `x`, so no organization's words are a prefix of another's.
fn org_lexeme_prefix(org_id: i64) -> String {
    format!("o{org_id}x")
}

/// The PostgreSQL `tsquery` a list of organization `org_id` runs for what the user typed: [`ts_query`]
/// with every piece prefixed as the index's words are (migration 0013), so the GIN index only walks
/// this organization's entries. The prefix is put here, never typed; the user's pieces are still only
/// letters and digits. `None` when nothing searchable is left.
pub fn org_ts_query(org_id: i64, input: &str) -> Option<String> {
    ts_terms(input, &org_lexeme_prefix(org_id))
}

/// [`ts_query`]'s terms with `prefix` before every piece.
fn ts_terms(input: &str, prefix: &str) -> Option<String> {
    let terms: Vec<String> = api::ticket_list::search_words(input)
        .filter_map(|word| {
            let pieces = folded_words(word);
            let last = pieces.len().checked_sub(1)?;
            let phrase: Vec<String> = pieces
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    if i == last {
                        format!("'{prefix}{p}':*")
                    } else {
                        format!("'{prefix}{p}'")
                    }
                })
                .collect();
            Some(format!("({})", phrase.join(" <-> ")))
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" & "))
}

/// A value bound to a list statement.
#[derive(Debug, Clone)]
enum Arg {
    Int(i64),
    Text(String),
}

/// A statement being put together: its text and its values, numbered in order.
#[derive(Debug, Default)]
struct Sql {
    text: String,
    args: Vec<Arg>,
}

impl Sql {
    fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.text.push_str(&format!("${}", self.args.len()));
        self
    }
}

/// Binds `sql`'s values to the query made of its text, in order (the same for every engine and
/// every `query`/`query_as`/`query_scalar`).
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(value) => query.bind(value),
                Arg::Text(value) => query.bind(value),
            };
        }
        query
    }};
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

/// Appends the condition "and the ticket matches `search`", asked of the search index scoped to
/// organization `org_id`; nothing when nothing searchable is left. On SQLite the index was asked
/// already ([`sqlite_matches`]): `matched` holds the ids it found.
fn push_search(sql: &mut Sql, pg: bool, org_id: i64, search: &str, matched: Option<&str>) {
    if pg {
        if let Some(query) = org_ts_query(org_id, search) {
            sql.push(" AND t.search @@ to_tsquery('simple', ")
                .bind(Arg::Text(query))
                .push(")");
        }
    } else if let Some(ids) = matched {
        sql.push(" AND t.id IN (SELECT value FROM json_each(")
            .bind(Arg::Text(ids.to_owned()))
            .push("))");
    }
}

/// The ids (a JSON array) of the tickets FTS5 matches for `fts` ([`org_fts_query`]: one
/// organization's). Asked once per list, not inside each of its statements: the page, its total and
/// the check for a page before it each evaluated the same `MATCH`, and that evaluation (merging the
/// words' doclists) is most of what a search costs.
async fn sqlite_matches(conn: &mut sqlx::SqliteConnection, fts: &str) -> Result<String> {
    Ok(sqlx::query_scalar(
        "SELECT COALESCE(json_group_array(rowid), '[]') FROM tickets_fts WHERE tickets_fts MATCH $1",
    )
    .bind(fts)
    .fetch_one(&mut *conn)
    .await?)
}

impl ListFilter {
    fn key(&self) -> &'static str {
        match self.sort {
            TicketSort::Updated => "t.updated_at",
            TicketSort::Created => "t.created_at",
        }
    }

    /// `WHERE ...` for these tickets, past `bound` if given; `matched`: the search's ids on SQLite.
    fn push_where(
        &self,
        sql: &mut Sql,
        pg: bool,
        bound: Option<(&Position, Direction)>,
        matched: Option<&str>,
    ) {
        sql.push(" WHERE t.organization_id = ")
            .bind(Arg::Int(self.org_id));
        if let Some((user_id, email)) = &self.mine {
            // The submitter is checked on the sort index itself; the (usually few) tickets the user
            // is CCed on are looked up once per query through the CC address's index.
            sql.push(" AND (t.submitter_id = ")
                .bind(Arg::Int(*user_id))
                .push(" OR t.id IN (SELECT ticket_id FROM ticket_cc WHERE email = ")
                .bind(Arg::Text(email.clone()))
                .push("))");
        }
        if let Some(status) = self.status {
            sql.push(" AND t.status = ")
                .bind(Arg::Text(status.as_str().to_owned()));
        }
        if let Some(severity) = self.severity {
            sql.push(" AND t.severity = ")
                .bind(Arg::Text(severity.key().to_owned()));
        }
        if let Some(search) = self.search.as_deref() {
            push_search(sql, pg, self.org_id, search, matched);
        }
        if let Some((position, direction)) = bound {
            let op = match direction {
                Direction::Older => "<",
                Direction::Newer => ">",
            };
            sql.push(&format!(" AND ({}, t.id) {op} (", self.key()))
                .bind(Arg::Text(position.at.to_string()))
                .push(", ")
                .bind(Arg::Int(position.id))
                .push(")");
        }
    }

    /// Up to `limit` tickets past `bound` (from the newest without one), nearest first. `prefix` goes
    /// before the query (`EXPLAIN QUERY PLAN `).
    fn page_query(
        &self,
        prefix: &str,
        pg: bool,
        bound: Option<(&Position, Direction)>,
        limit: u32,
        matched: Option<&str>,
    ) -> Sql {
        // Names come from subqueries, not joins, so the planner always drives from the ticket index.
        let mut sql = Sql::default();
        sql.push(prefix).push(
            "SELECT t.id, t.subject, t.severity, t.status,
                    (SELECT name FROM products WHERE key = t.product_key) AS product_name,
                    (SELECT name FROM users WHERE id = t.submitter_id) AS submitter_name,
                    t.created_at, t.updated_at, t.last_replied_by, t.last_reply_from_agent
             FROM tickets t",
        );
        self.push_where(&mut sql, pg, bound, matched);
        let order = match bound.map(|(_, d)| d) {
            Some(Direction::Newer) => "ASC",
            _ => "DESC",
        };
        sql.push(&format!(
            " ORDER BY {key} {order}, t.id {order} LIMIT ",
            key = self.key()
        ))
        .bind(Arg::Int(i64::from(limit)));
        sql
    }

    fn count_query(&self, prefix: &str, pg: bool, matched: Option<&str>) -> Sql {
        let mut sql = Sql::default();
        sql.push(prefix).push("SELECT COUNT(*) FROM tickets t");
        self.push_where(&mut sql, pg, None, matched);
        sql
    }
}

impl Tx {
    /// SQLite: the ids `filter`'s search matches ([`sqlite_matches`]), looked up once per
    /// transaction and search. `None` without a search, and on PostgreSQL, whose statements ask
    /// their GIN index themselves.
    async fn search_ids(&mut self, filter: &ListFilter) -> Result<Option<String>> {
        let Some(search) = filter.search.as_deref() else {
            return Ok(None);
        };
        let super::Inner::Sqlite(tx) = &mut self.inner else {
            return Ok(None);
        };
        let Some(fts) = org_fts_query(filter.org_id, search) else {
            return Ok(None);
        };
        if let Some((query, ids)) = &self.search_matches
            && *query == fts
        {
            return Ok(Some(ids.clone()));
        }
        let ids = sqlite_matches(tx, &fts).await?;
        self.search_matches = Some((fts, ids.clone()));
        Ok(Some(ids))
    }

    /// Up to `limit` tickets of `filter` past `bound` (from the top without one), nearest to it
    /// first.
    pub async fn list_tickets(
        &mut self,
        filter: &ListFilter,
        bound: Option<(&Position, Direction)>,
        limit: u32,
    ) -> Result<Vec<TicketListItem>> {
        let matched = self.search_ids(filter).await?;
        let rows: Vec<ItemRow> = on_tx!(self, |conn, pg| {
            let sql = filter.page_query("", pg, bound, limit, matched.as_deref());
            // Every value is bound: the text holds only this module's own fragments.
            bind_all!(sqlx::query_as(AssertSqlSafe(sql.text)), sql.args)
                .fetch_all(&mut *conn)
                .await?
        });
        rows.into_iter().map(ItemRow::into_item).collect()
    }

    /// Whether any ticket of `filter` lies past `position` in `direction`.
    pub async fn any_ticket_past(
        &mut self,
        filter: &ListFilter,
        position: &Position,
        direction: Direction,
    ) -> Result<bool> {
        let matched = self.search_ids(filter).await?;
        on_tx!(self, |conn, pg| {
            let mut sql = Sql::default();
            sql.push("SELECT EXISTS (SELECT 1 FROM tickets t");
            filter.push_where(
                &mut sql,
                pg,
                Some((position, direction)),
                matched.as_deref(),
            );
            sql.push(")");
            Ok(
                bind_all!(sqlx::query_scalar(AssertSqlSafe(sql.text)), sql.args)
                    .fetch_one(&mut *conn)
                    .await?,
            )
        })
    }

    /// How many tickets `filter` holds.
    pub async fn count_tickets(&mut self, filter: &ListFilter) -> Result<u64> {
        let matched = self.search_ids(filter).await?;
        let total: i64 = on_tx!(self, |conn, pg| {
            let sql = filter.count_query("", pg, matched.as_deref());
            bind_all!(sqlx::query_scalar(AssertSqlSafe(sql.text)), sql.args)
                .fetch_one(&mut *conn)
                .await?
        });
        codec::unsigned(total)
    }
}

/// The query plans (`EXPLAIN QUERY PLAN` details) of a page and of the count behind a list, for the
/// tests that check no list scans the whole table. SQLite only: the plans are SQLite's.
#[cfg(feature = "test-support")]
#[derive(Debug, Clone)]
pub struct Plans {
    pub page: Vec<String>,
    pub count: Vec<String>,
}

#[cfg(feature = "test-support")]
impl super::Store {
    /// [`Plans`] of the page of `filter` past `bound` with `limit` rows, and of its count. SQLite
    /// only (the tests that check plans run on SQLite whatever the suite's engine).
    pub async fn explain_list(
        &self,
        filter: &ListFilter,
        bound: Option<(&Position, Direction)>,
        limit: u32,
    ) -> Result<Plans> {
        if !matches!(self.pool, super::Pool::Sqlite { .. }) {
            return Err(anyhow::anyhow!("query plans are checked on SQLite only").into());
        }
        let details = |rows: Vec<(i64, i64, i64, String)>| rows.into_iter().map(|r| r.3).collect();
        // In a read transaction like a list's, so the search is looked up as a list looks it up.
        let mut tx = self.begin().await?;
        let matched = tx.search_ids(filter).await?;
        let page = filter.page_query(
            "EXPLAIN QUERY PLAN ",
            false,
            bound,
            limit,
            matched.as_deref(),
        );
        let count = filter.count_query("EXPLAIN QUERY PLAN ", false, matched.as_deref());
        let plans = on_tx!(tx, |conn| Plans {
            page: details(
                bind_all!(sqlx::query_as(AssertSqlSafe(page.text)), page.args)
                    .fetch_all(&mut *conn)
                    .await?,
            ),
            count: details(
                bind_all!(sqlx::query_as(AssertSqlSafe(count.text)), count.args)
                    .fetch_all(&mut *conn)
                    .await?,
            ),
        });
        tx.commit().await?;
        Ok(plans)
    }
}

#[cfg(feature = "test-support")]
impl super::Store {
    /// How many tickets the search index alone returns for `search` in a list of organization
    /// `org_id`: the index part of the list's statement (the FTS5 `MATCH` on SQLite, the `tsquery`
    /// over the GIN-indexed column on PostgreSQL) without the list's own `organization_id` filter, so
    /// the tests can check that the index is what keeps other organizations' matches out, on both
    /// engines. `None` when nothing searchable is left.
    pub async fn search_index_matches(&self, org_id: i64, search: &str) -> Result<Option<u64>> {
        let mut sql = Sql::default();
        match &self.pool {
            super::Pool::Postgres(_) => {
                sql.push("SELECT COUNT(*) FROM tickets t WHERE TRUE");
                push_search(&mut sql, true, org_id, search, None);
            }
            super::Pool::Sqlite { .. } => {
                if let Some(fts) = org_fts_query(org_id, search) {
                    sql.push("SELECT COUNT(*) FROM tickets_fts WHERE tickets_fts MATCH ")
                        .bind(Arg::Text(fts));
                }
            }
        }
        if sql.args.is_empty() {
            return Ok(None);
        }
        let count: i64 = on_pool!(self, |pool| {
            bind_all!(sqlx::query_scalar(AssertSqlSafe(sql.text)), sql.args)
                .fetch_one(pool)
                .await?
        });
        codec::unsigned(count).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::{org_fts_query, org_ts_query, search_text, ts_query};

    #[test]
    fn search_text_folds_case_and_diacritics_and_splits_where_fts5_does() {
        assert_eq!(
            search_text(&[
                "Überwachung: CAFÉ crème",
                "a@b.example pg-main_2",
                "acme-prod/pg-main"
            ]),
            "uberwachung cafe creme a b example pg main 2 acme prod pg main"
        );
        assert_eq!(search_text(&["", "  ", "--"]), "");
    }

    #[test]
    fn every_word_is_a_prefix_and_a_split_word_a_phrase() {
        assert_eq!(
            ts_query("repl Café").as_deref(),
            Some("('repl':*) & ('cafe':*)")
        );
        assert_eq!(ts_query("pg-main").as_deref(), Some("('pg' <-> 'main':*)"));
        assert_eq!(ts_query("   ").as_deref(), None);
        assert_eq!(ts_query("x -- !!").as_deref(), None);
    }

    #[test]
    fn the_organization_query_prefixes_every_piece_and_its_digits_end_at_the_x() {
        assert_eq!(
            org_ts_query(17, "repl pg-main").as_deref(),
            Some("('o17xrepl':*) & ('o17xpg' <-> 'o17xmain':*)")
        );
        // Organization 1's word "7abc" is not organization 17's "abc".
        assert_eq!(org_ts_query(1, "7abc").as_deref(), Some("('o1x7abc':*)"));
        assert_eq!(org_ts_query(17, "x -- !!"), None);
    }

    #[test]
    fn the_fts5_query_ands_the_organization_with_the_words_of_the_text_columns_only() {
        assert_eq!(
            org_fts_query(17, "repl \"x\"y").as_deref(),
            Some(
                "organization_id : \"17\" AND {subject description resource_ids} : \
                 (\"repl\"* AND \"\"\"x\"\"y\"*)"
            )
        );
        assert_eq!(org_fts_query(17, " * - "), None);
    }

    #[test]
    fn tsquery_syntax_typed_by_the_user_is_only_text() {
        // Operators, quotes, weights and prefixes the user types never reach the query as syntax:
        // only letters and digits survive, each quoted.
        let query = ts_query("a:*B | !evil & (drop) 'x'':*A <-> ok\\").unwrap();
        assert_eq!(
            query,
            "('a' <-> 'b':*) & ('evil':*) & ('drop':*) & ('x' <-> 'a':*) & ('ok':*)"
        );
        assert!(!query.contains('|') && !query.contains('!') && !query.contains('\\'));
    }
}
