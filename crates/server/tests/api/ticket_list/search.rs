//! Searching a list: every typed word is a prefix of some word of the subject or description, in any
//! case, and what a user types is text, never search syntax.

use api::{ErrorCode, Ticket, TicketList, TicketListQuery};
use reqwest::StatusCode;

use super::low_ticket;
use crate::helpers::{Session, TestApp, expect_error, spawn_app};

/// Dev's two tickets to search: one about replication (`wal`), one about autovacuum with quotes,
/// parentheses and a hyphen in its text (`vacuum`).
async fn two_tickets(app: &TestApp) -> (Session, Ticket, Ticket) {
    let dev = app.sign_in("dev@acme.example").await;
    let wal = dev
        .create_ticket(&low_ticket(
            "Replication slot overflow on pg-main",
            "WAL grows by 2 GB an hour; the replica in Zürich is idle.",
        ))
        .await;
    let vacuum = dev
        .create_ticket(&low_ticket(
            "Autovacuum never finishes",
            "Table events is 400 GB. \"quoted\" text (with parentheses) and a-hyphen.",
        ))
        .await;
    (dev, wal, vacuum)
}

fn ids(list: TicketList) -> Vec<i64> {
    let mut ids: Vec<i64> = list.tickets.into_iter().map(|t| t.id).collect();
    ids.sort();
    ids
}

fn search_for(text: &str) -> TicketListQuery {
    TicketListQuery {
        q: Some(text.to_owned()),
        ..TicketListQuery::default()
    }
}

/// The sorted ids of the first page of dev's tickets that match `text`.
async fn search(dev: &Session, text: &str) -> Vec<i64> {
    ids(dev.tickets(&search_for(text)).await)
}

#[tokio::test]
async fn search_finds_prefixes_of_every_word_in_any_case() {
    let app = spawn_app().await;
    let (dev, wal, vacuum) = two_tickets(&app).await;

    assert_eq!(search(&dev, "repl").await, [wal.id], "a prefix");
    assert_eq!(
        search(&dev, "REPLIC OVERF").await,
        [wal.id],
        "any case, every word"
    );
    assert_eq!(
        search(&dev, "slot wal").await,
        [wal.id],
        "words across subject and description"
    );
    assert_eq!(
        search(&dev, "repl vacuum").await,
        Vec::<i64>::new(),
        "all words must match"
    );
    assert_eq!(search(&dev, "zurich").await, [wal.id], "diacritics folded");
    assert_eq!(search(&dev, "auto").await, [vacuum.id]);
    assert_eq!(
        search(&dev, "  autovacuum   events  ").await,
        [vacuum.id],
        "extra spaces"
    );
}

/// Search syntax a user might type, by accident or not.
const HOSTILE: [&str; 24] = [
    "\"",
    "\"repl",
    "repl\"",
    "*",
    "repl*",
    "-",
    "-wal",
    ")",
    "(",
    "NEAR(",
    "NEAR(repl wal)",
    "repl OR vacuum",
    "repl AND",
    "NOT",
    "subject:repl",
    "^repl",
    "{a b}",
    "\"\"\"",
    "'",
    "repl;--",
    "a\u{0}b",
    "\u{1F600}",
    "%",
    "+",
];

#[tokio::test]
async fn search_syntax_typed_by_a_user_is_never_an_error() {
    let app = spawn_app().await;
    let (dev, _, _) = two_tickets(&app).await;

    // FTS5 syntax typed by a user is just text: no 500, no syntax error.
    for hostile in HOSTILE {
        let response = dev.get_tickets(&search_for(hostile)).await;
        assert_eq!(response.status(), StatusCode::OK, "{hostile:?}");
        response.json::<TicketList>().await.unwrap();
    }
}

#[tokio::test]
async fn search_syntax_typed_by_a_user_is_searched_as_words() {
    let app = spawn_app().await;
    let (dev, wal, vacuum) = two_tickets(&app).await;
    let all = ids(dev.tickets(&TicketListQuery::default()).await);
    assert!(all.len() > 2, "demo tickets too");

    assert_eq!(
        search(&dev, "\"repl").await,
        [wal.id],
        "a stray quote is ignored"
    );
    assert_eq!(search(&dev, "-wal").await, [wal.id], "a minus is not NOT");
    assert_eq!(
        search(&dev, "NEAR(repl").await,
        Vec::<i64>::new(),
        "NEAR is a word like any other"
    );
    assert_eq!(
        search(&dev, "repl OR vacuum").await,
        Vec::<i64>::new(),
        "OR is a word, so nothing has all three"
    );
    assert_eq!(search(&dev, "(parenth").await, [vacuum.id]);
    assert_eq!(
        search(&dev, "a-hyph").await,
        [vacuum.id],
        "a hyphenated word is a phrase"
    );
    assert_eq!(
        search(&dev, "*").await,
        all,
        "nothing searchable left: no filter"
    );
    assert_eq!(search(&dev, "\"\"\"").await, all);
}

#[tokio::test]
async fn a_search_of_more_than_500_characters_is_malformed() {
    let app = spawn_app().await;
    let (dev, _, _) = two_tickets(&app).await;

    let response = dev.get_tickets(&search_for(&"x".repeat(501))).await;

    expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
}

#[test]
fn every_word_becomes_a_quoted_prefix_term() {
    use support_server::store::ticket_list::fts_query;
    assert_eq!(
        fts_query("repl wal").as_deref(),
        Some("\"repl\"* AND \"wal\"*")
    );
    assert_eq!(fts_query("a\"b").as_deref(), Some("\"a\"\"b\"*"));
    assert_eq!(
        fts_query("NEAR( -x").as_deref(),
        Some("\"NEAR(\"* AND \"-x\"*")
    );
    assert_eq!(fts_query(" * - ) \" "), None);
    // Control characters separate words (two-letter words since one-letter ones are left out).
    assert_eq!(
        fts_query("ab\u{0}cd\tef").as_deref(),
        Some("\"ab\"* AND \"cd\"* AND \"ef\"*")
    );
    assert_eq!(
        fts_query("a\u{0}b\tc"),
        None,
        "one-letter words narrow nothing"
    );
    assert_eq!(fts_query("x wal").as_deref(), Some("\"wal\"*"));
    assert_eq!(fts_query(""), None);
}

#[tokio::test]
async fn one_letter_words_are_left_out_of_a_search() {
    let app = spawn_app().await;
    let (dev, wal, _) = two_tickets(&app).await;
    let all = ids(dev.tickets(&TicketListQuery::default()).await);

    // "x" is a prefix of no word of the tickets: counted, it would match nothing.
    assert_eq!(search(&dev, "x repl").await, [wal.id]);
    assert_eq!(
        search(&dev, "a b c").await,
        all,
        "nothing but one-letter words: no filter"
    );
}

#[tokio::test]
async fn a_search_of_more_than_20_words_is_malformed_and_says_so() {
    let app = spawn_app().await;
    let (dev, wal, _) = two_tickets(&app).await;

    // Twenty words are searched; one-letter words do not count towards the limit.
    let twenty = vec!["repl"; 20].join(" ");
    assert_eq!(search(&dev, &format!("{twenty} a b c")).await, [wal.id]);

    let response = dev
        .get_tickets(&search_for(&format!("{twenty} slot")))
        .await;
    let body = expect_error(
        response,
        StatusCode::BAD_REQUEST,
        ErrorCode::MalformedRequest,
    )
    .await;
    assert!(
        body.message.contains(
            "the search text can have at most 20 words of 2 or more characters; this has 21."
        ),
        "{}",
        body.message
    );
}
