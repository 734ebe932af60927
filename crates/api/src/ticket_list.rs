//! The ticket lists: which tickets, in which order, one page at a time, and the query string that asks
//! for them, written once for the SPA's requests, the SPA's address bar and the server.

use serde::{Deserialize, Serialize};

use crate::calendar::Timestamp;
use crate::support::Severity;
use crate::ticket::TicketStatus;

/// Tickets per page when the request does not say.
pub const PAGE_SIZE_DEFAULT: u32 = 25;
/// Most tickets per page.
pub const PAGE_SIZE_MAX: u32 = 100;
/// Longest search text, in characters.
pub const SEARCH_MAX_CHARS: usize = 500;

/// The server's 400 detail for a longer search text.
pub fn search_too_long() -> String {
    format!("the search text can be at most {SEARCH_MAX_CHARS} characters.")
}

/// Shortest word a search looks for, in characters. Shorter words are left out, not refused: a
/// one-letter prefix matches nearly every ticket, so it narrows nothing, and the list searches while
/// the user types ("p" on the way to "pg-main" must not flash an error).
pub const SEARCH_MIN_WORD_CHARS: usize = 2;
/// Most words a search looks for (each is a prefix term of the full-text query, which costs the
/// database time per term); more is refused with [`search_too_many_words`].
pub const SEARCH_MAX_WORDS: usize = 20;

/// The server's 400 detail for a search with more than [`SEARCH_MAX_WORDS`] words.
pub fn search_too_many_words(count: usize) -> String {
    format!(
        "the search text can have at most {SEARCH_MAX_WORDS} words of {SEARCH_MIN_WORD_CHARS} or more characters; this has {count}."
    )
}

/// The words a search looks for in `text`: split at whitespace and control characters, keeping those
/// with a letter or digit and at least [`SEARCH_MIN_WORD_CHARS`] characters.
pub fn search_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .filter(|word| word.chars().count() >= SEARCH_MIN_WORD_CHARS)
}

/// Which tickets a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketScope {
    /// Tickets the user submitted or is CCed on.
    #[default]
    Mine,
    /// Every ticket of the organization (admins only).
    Organization,
}

/// How a list is ordered (always newest first, ties broken by id).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketSort {
    /// Most recently updated first.
    #[default]
    Updated,
    /// Most recently created first.
    Created,
}

/// A list request: `GET /organizations/{id}/tickets?scope=&status=&severity=&q=&sort=&after=&before=&limit=`.
/// `after` and `before` are opaque cursors from a previous [`TicketList`]; at most one is given.
///
/// Three readings of the same parameters: [`Self::to_query_string`] writes them (the SPA's requests
/// and links), [`Self::from_pairs`] reads an address forgivingly (the SPA), and the `Deserialize`
/// derive reads a request strictly (the server: an unknown value is a 400 naming the parameter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
#[serde(default)]
pub struct TicketListQuery {
    /// Whose tickets; `mine` is left out of the query string.
    pub scope: TicketScope,
    /// Only tickets in this status.
    pub status: Option<TicketStatus>,
    /// Only tickets of this severity.
    pub severity: Option<Severity>,
    /// Words to find in the subject or description (all of them, as prefixes).
    pub q: Option<String>,
    /// The order; `updated` is left out of the query string.
    pub sort: TicketSort,
    /// The page after this cursor (older tickets).
    pub after: Option<String>,
    /// The page before this cursor (newer tickets).
    pub before: Option<String>,
    /// Tickets per page; the server uses [`PAGE_SIZE_DEFAULT`] without one and caps it at
    /// [`PAGE_SIZE_MAX`].
    pub limit: Option<u32>,
}

impl TicketListQuery {
    /// The query string without `?`, percent-encoded like `encodeURIComponent`: parameters at their
    /// default, and a blank search, are left out, so the plain list is the bare path.
    pub fn to_query_string(&self) -> String {
        let mut out = String::new();
        let mut push = |key: &str, value: &str| {
            if !out.is_empty() {
                out.push('&');
            }
            out.push_str(key);
            out.push('=');
            percent_encode_into(&mut out, value);
        };
        if self.scope == TicketScope::Organization {
            push("scope", "organization");
        }
        if let Some(status) = self.status {
            push("status", status.as_str());
        }
        if let Some(severity) = self.severity {
            push("severity", severity.key());
        }
        if let Some(q) = self.q.as_deref().filter(|q| !q.trim().is_empty()) {
            push("q", q);
        }
        if self.sort == TicketSort::Created {
            push("sort", "created");
        }
        if let Some(after) = &self.after {
            push("after", after);
        }
        if let Some(before) = &self.before {
            push("before", before);
        }
        if let Some(limit) = self.limit {
            push("limit", &limit.to_string());
        }
        out
    }

    /// Reads decoded parameters as an address bar holds them, forgivingly: empty and unknown values
    /// fall back to the defaults, the last of repeated parameters counts (as `URLSearchParams` and
    /// the router's `ParamsMap::get` read them), and `limit` is left to the server (a hand-edited
    /// address cannot change the page size).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut query = Self::default();
        for (key, value) in pairs {
            let value = Some(value).filter(|v| !v.is_empty());
            match key {
                "scope" => {
                    query.scope = match value {
                        Some("organization") => TicketScope::Organization,
                        _ => TicketScope::Mine,
                    }
                }
                "status" => query.status = value.and_then(TicketStatus::parse),
                "severity" => query.severity = value.and_then(Severity::parse),
                "q" => query.q = value.map(str::to_owned),
                "sort" => {
                    query.sort = match value {
                        Some("created") => TicketSort::Created,
                        _ => TicketSort::Updated,
                    }
                }
                "after" => query.after = value.map(str::to_owned),
                "before" => query.before = value.map(str::to_owned),
                _ => {}
            }
        }
        query
    }

    /// [`Self::from_pairs`] of a raw query string (with or without the leading `?`), percent- and
    /// `+`-decoded.
    pub fn from_query_string(text: &str) -> Self {
        let decoded = decode_query(text);
        Self::from_pairs(decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

/// The parameters of a raw query string (with or without the leading `?`), in order, percent- and
/// `+`-decoded as `URLSearchParams` decodes them; a part without `=` has an empty value.
pub fn decode_query(text: &str) -> Vec<(String, String)> {
    let text = text.strip_prefix('?').unwrap_or(text);
    text.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (key, value) = part.split_once('=').unwrap_or((part, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

/// Appends `value` encoded as `encodeURIComponent` does: letters, digits and `-_.!~*'()` stay, every
/// other byte of the UTF-8 becomes `%XX`.
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &byte in value.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
    }
}

/// Undoes form encoding: `%XX` escapes and `+` for a space. A broken escape stays as it is, and bytes
/// that are not UTF-8 become U+FFFD, as browsers do.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = bytes
            .get(i + 1..i + 3)
            .filter(|hex| bytes[i] == b'%' && hex.iter().all(u8::is_ascii_hexdigit))
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[i], escaped) {
            (_, Some(byte)) => {
                out.push(byte);
                i += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (byte, None) => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A line of a ticket list, with who wrote last.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketListItem {
    /// The ticket's id.
    pub id: i64,
    /// Its subject.
    pub subject: String,
    /// How urgent.
    pub severity: Severity,
    /// Where it stands.
    pub status: TicketStatus,
    /// The product's name.
    pub product_name: String,
    /// Who opened it.
    pub submitter_name: String,
    /// When it was opened.
    pub created_at: Timestamp,
    /// When anything last changed.
    pub updated_at: Timestamp,
    /// Who wrote the latest comment (`None` when nobody has replied yet).
    pub last_replied_by: Option<String>,
    /// Whether that was the support team.
    pub last_reply_from_agent: bool,
}

/// One page of a ticket list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketList {
    /// The page's tickets, in the list's order.
    pub tickets: Vec<TicketListItem>,
    /// How many tickets match the filters, over all pages.
    pub total: u64,
    /// Cursor for the next (older) page, if there is one.
    pub next: Option<String>,
    /// Cursor for the previous (newer) page, if there is one.
    pub prev: Option<String>,
    /// For the organization scope: whether the signed-in admin follows all tickets.
    #[serde(default)]
    pub following: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> TicketListQuery {
        TicketListQuery {
            scope: TicketScope::Organization,
            status: Some(TicketStatus::AwaitingCustomer),
            severity: Some(Severity::Critical),
            q: Some("wal lag & \"100%\" caf\u{e9}+1".into()),
            sort: TicketSort::Created,
            after: Some("c1764255600_42".into()),
            before: None,
            limit: None,
        }
    }

    #[test]
    fn list_queries_read_from_url_parameters() {
        let q: TicketListQuery = serde_json::from_str(
            r#"{"status":"awaiting_customer","sort":"created","q":"timeout"}"#,
        )
        .unwrap();
        assert_eq!(q.scope, TicketScope::Mine);
        assert_eq!(q.status, Some(TicketStatus::AwaitingCustomer));
        assert_eq!(q.sort, TicketSort::Created);
    }

    #[test]
    fn defaults_are_left_out_so_the_plain_list_has_no_query() {
        assert_eq!(TicketListQuery::default().to_query_string(), "");
        let blank_search = TicketListQuery {
            q: Some("   ".into()),
            ..Default::default()
        };
        assert_eq!(blank_search.to_query_string(), "");
        let page = TicketListQuery {
            before: Some("u1_2".into()),
            limit: Some(10),
            ..Default::default()
        };
        assert_eq!(page.to_query_string(), "before=u1_2&limit=10");
    }

    #[test]
    fn values_are_encoded_like_encode_uri_component() {
        assert_eq!(
            full().to_query_string(),
            "scope=organization&status=awaiting_customer&severity=critical\
             &q=wal%20lag%20%26%20%22100%25%22%20caf%C3%A9%2B1&sort=created&after=c1764255600_42"
        );
        let kept = TicketListQuery {
            q: Some("A-z_0.9!~*'()".into()),
            ..Default::default()
        };
        assert_eq!(kept.to_query_string(), "q=A-z_0.9!~*'()");
    }

    #[test]
    fn what_is_written_reads_back() {
        let query = full();
        assert_eq!(
            TicketListQuery::from_query_string(&query.to_query_string()),
            query
        );
        assert_eq!(
            TicketListQuery::from_query_string(&format!("?{}", query.to_query_string())),
            query
        );
        assert_eq!(
            TicketListQuery::from_query_string("q=a+b%2Bc%zz%4"),
            TicketListQuery {
                q: Some("a b+c%zz%4".into()),
                ..Default::default()
            }
        );
    }

    #[test]
    fn the_server_reads_the_same_names_and_values() {
        // The server's reading is the `Deserialize` derive; feed it what the SPA writes.
        let query = TicketListQuery {
            limit: Some(7),
            ..full()
        };
        let text = query.to_query_string();
        let object: serde_json::Map<String, serde_json::Value> = text
            .split('&')
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap();
                let value = percent_decode(value);
                let value = match key {
                    "limit" => serde_json::Value::from(value.parse::<u32>().unwrap()),
                    _ => serde_json::Value::from(value),
                };
                (key.to_owned(), value)
            })
            .collect();
        let read: TicketListQuery = serde_json::from_value(object.into()).unwrap();
        assert_eq!(read, query);
    }

    #[test]
    fn an_address_is_read_forgivingly() {
        let read = TicketListQuery::from_pairs([
            ("scope", "everyone"),
            ("status", "pending"),
            ("severity", ""),
            ("q", ""),
            ("sort", "subject"),
            ("after", ""),
            ("limit", "5"),
            ("other", "x"),
        ]);
        assert_eq!(read, TicketListQuery::default());
        let last_counts = TicketListQuery::from_pairs([("status", "solved"), ("status", "closed")]);
        assert_eq!(last_counts.status, Some(TicketStatus::Closed));
        let emptied = TicketListQuery::from_pairs([("q", "lag"), ("q", "")]);
        assert_eq!(emptied.q, None);
    }

    #[test]
    fn a_query_string_decodes_as_url_search_params_does() {
        let pairs = decode_query("?q=disk+full%21&status=&scope&q=%E2%9C%93&bad=%zz");
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("q", "disk full!"),
                ("status", ""),
                ("scope", ""),
                ("q", "\u{2713}"),
                ("bad", "%zz")
            ]
        );
        assert!(decode_query("").is_empty());
    }

    #[test]
    fn search_words_leave_out_one_letter_words_and_punctuation() {
        let words: Vec<&str> = search_words("a pg-main  x 42 - \u{0}db\ttimeout \"").collect();
        assert_eq!(words, ["pg-main", "42", "db", "timeout"]);
        assert_eq!(search_words("a b c").count(), 0);
        assert_eq!(
            search_words("\u{fc}\u{df}").count(),
            1,
            "two characters, not two bytes"
        );
        assert_eq!(
            search_too_many_words(21),
            "the search text can have at most 20 words of 2 or more characters; this has 21."
        );
    }

    #[test]
    fn the_search_limit_message_names_the_number() {
        assert_eq!(
            search_too_long(),
            "the search text can be at most 500 characters."
        );
    }
}
