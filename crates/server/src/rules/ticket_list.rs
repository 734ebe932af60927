//! The ticket lists: **My tickets** (the user's own and those they are CCed on) and **Tickets in my
//! organization** (admins), filtered by status and severity, searched, sorted, and paged by keyset
//! (the queries are `store::ticket_list`).
//!
//! A cursor names the last (or first) ticket shown by its sort key and id, and the next page starts
//! right after it, so tickets updated meanwhile do not shift rows between pages.
//!
//! Cursor format (opaque to clients, URL-safe as is: only `[a-z0-9_]`): `<u|c><unix seconds>_<id>`,
//! `u` for the updated sort, `c` for the created one, e.g. `u1764255600_42`. A cursor of the other
//! sort is refused (400): the SPA starts from the first page when the sort changes.

use api::ticket_list::{
    PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, SEARCH_MAX_CHARS, SEARCH_MAX_WORDS, search_too_long,
    search_too_many_words, search_words,
};
use api::{TicketList, TicketListItem, TicketListQuery, TicketScope, TicketSort, Timestamp};
use time::OffsetDateTime;

use crate::error::{Error, Result};
use crate::rules::auth::Member;
use crate::rules::tickets::permissions::normalise_email;
use crate::store::ticket_list::{Direction, ListFilter, Position};
use crate::store::{Store, Tx};

/// 403 for members asking for the organization scope.
pub const ORGANIZATION_SCOPE_ADMINS: &str =
    "Only the organization's admins can list all of its tickets.";

// ---------------------------------------------------------------------------------------------
// Cursors

/// A position in a list: the sort key and id of a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: TicketSort,
    /// The sort key.
    pub at: Timestamp,
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
        Ok(format!(
            "{}{}_{}",
            sort_letter(self.sort),
            self.at.unix_seconds(),
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
        // Only seconds `time` can represent (years up to 9999), as every stored time is.
        OffsetDateTime::from_unix_timestamp(seconds).map_err(|_| bad())?;
        Ok(Self {
            sort,
            at: Timestamp::from_unix_seconds(seconds),
            id: id.parse().map_err(|_| bad())?,
        })
    }

    /// The cursor of `item` in a list sorted by `sort`.
    fn of(item: &TicketListItem, sort: TicketSort) -> Self {
        Self {
            sort,
            at: match sort {
                TicketSort::Updated => item.updated_at,
                TicketSort::Created => item.created_at,
            },
            id: item.id,
        }
    }

    fn position(&self) -> Position {
        Position {
            at: self.at,
            id: self.id,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pages

/// The tickets `query` asks for, whatever the page, as `member` may see them: the organization scope
/// is for admins (403), and the search text has a length limit and a word limit (400; one-letter
/// words are not counted: the search leaves them out).
fn filter(member: &Member, query: &TicketListQuery) -> Result<ListFilter> {
    let mine = match query.scope {
        TicketScope::Mine => Some((member.user.id, normalise_email(&member.user.email))),
        TicketScope::Organization if member.is_admin() => None,
        TicketScope::Organization => return Err(Error::Forbidden(ORGANIZATION_SCOPE_ADMINS)),
    };
    let q = query.q.as_deref().unwrap_or_default();
    if q.chars().count() > SEARCH_MAX_CHARS {
        return Err(Error::Malformed(search_too_long()));
    }
    let words = search_words(q).count();
    if words > SEARCH_MAX_WORDS {
        return Err(Error::Malformed(search_too_many_words(words)));
    }
    Ok(ListFilter {
        org_id: member.organization.id,
        mine,
        status: query.status,
        severity: query.severity,
        search: query.q.clone(),
        sort: query.sort,
    })
}

/// A page's tickets, nearest first, with the cursors of the next (older) and previous (newer) pages.
struct Page {
    tickets: Vec<TicketListItem>,
    next: Option<Cursor>,
    prev: Option<Cursor>,
}

/// One page of the list `query` asks for, as `member` may see it.
pub async fn load_page(
    store: &Store,
    member: &Member,
    query: &TicketListQuery,
) -> Result<TicketList> {
    let filter = filter(member, query)?;
    let limit = query
        .limit
        .unwrap_or(PAGE_SIZE_DEFAULT)
        .clamp(1, PAGE_SIZE_MAX);
    let decode = |text: &Option<String>| {
        text.as_deref()
            .map(|t| Cursor::decode(t, filter.sort))
            .transpose()
    };
    let (after, before) = (decode(&query.after)?, decode(&query.before)?);
    // One read transaction: the page and the total come from the same snapshot.
    let mut tx = store.begin().await?;
    let page = match (after, before) {
        (Some(_), Some(_)) => {
            return Err(Error::Malformed(
                "give at most one of `after` and `before`.".into(),
            ));
        }
        (Some(after), None) => page_from(&mut tx, &filter, after, Direction::Older, limit).await?,
        (None, Some(before)) => {
            page_from(&mut tx, &filter, before, Direction::Newer, limit).await?
        }
        (None, None) => first_page(&mut tx, &filter, limit).await?,
    };
    let total = tx.count_tickets(&filter).await?;
    let following = member.is_admin()
        && tx
            .follows_tickets(member.organization.id, member.user.id)
            .await?;
    tx.commit().await?;
    Ok(TicketList {
        tickets: page.tickets,
        total,
        next: page.next.map(|c| c.encode()).transpose()?,
        prev: page.prev.map(|c| c.encode()).transpose()?,
        following,
    })
}

/// Up to `limit` tickets past `bound` (from the top without one), nearest first, and whether there
/// were more.
async fn fetch(
    tx: &mut Tx,
    filter: &ListFilter,
    bound: Option<(&Cursor, Direction)>,
    limit: u32,
) -> Result<(Vec<TicketListItem>, bool)> {
    let position = bound.map(|(cursor, direction)| (cursor.position(), direction));
    let bound = position.as_ref().map(|(p, d)| (p, *d));
    let mut tickets = tx.list_tickets(filter, bound, limit + 1).await?;
    let more = tickets.len() > limit as usize;
    tickets.truncate(limit as usize);
    Ok((tickets, more))
}

async fn first_page(tx: &mut Tx, filter: &ListFilter, limit: u32) -> Result<Page> {
    let (tickets, more) = fetch(tx, filter, None, limit).await?;
    let next = more
        .then(|| tickets.last().map(|t| Cursor::of(t, filter.sort)))
        .flatten();
    Ok(Page {
        tickets,
        next,
        prev: None,
    })
}

/// The page next to `cursor` in `direction` (`after` one: older; `before` one: newer).
async fn page_from(
    tx: &mut Tx,
    filter: &ListFilter,
    cursor: Cursor,
    direction: Direction,
    limit: u32,
) -> Result<Page> {
    let (mut tickets, more) = fetch(tx, filter, Some((&cursor, direction)), limit).await?;
    let cursor_of = |t: Option<&TicketListItem>| t.map(|t| Cursor::of(t, filter.sort));
    // Fetched nearest to the cursor first: the far end leads on, the near end back to the cursor.
    let far = more.then(|| cursor_of(tickets.last())).flatten();
    let near = cursor_of(tickets.first()).unwrap_or(cursor);
    if direction == Direction::Newer {
        tickets.reverse();
        if !more && tickets.len() < limit as usize {
            // Back at the top with a short page (tickets moved up meanwhile): show a full first
            // page instead.
            return first_page(tx, filter, limit).await;
        }
    }
    let back = direction.opposite();
    let near = tx
        .any_ticket_past(filter, &near.position(), back)
        .await?
        .then_some(near);
    let (next, prev) = match direction {
        Direction::Older => (far, near),
        Direction::Newer => (near, far),
    };
    Ok(Page {
        tickets,
        next,
        prev,
    })
}

/// The query plans of the page and count queries behind `query` for `member` (the page after
/// `query.after` if it is set), for the tests that check no list scans the whole table.
#[cfg(feature = "test-support")]
pub async fn explain(
    store: &Store,
    member: &Member,
    query: &TicketListQuery,
) -> Result<crate::store::ticket_list::Plans> {
    let filter = filter(member, query)?;
    let after = query
        .after
        .as_deref()
        .map(|t| Cursor::decode(t, filter.sort))
        .transpose()?
        .map(|cursor| cursor.position());
    let bound = after.as_ref().map(|p| (p, Direction::Older));
    let limit = query.limit.unwrap_or(PAGE_SIZE_DEFAULT) + 1;
    store.explain_list(&filter, bound, limit).await
}
