//! The operator's tier file (`--tiers`): the illustrative example gives the catalogue the demo always
//! had, an edited file changes what the API serves (organizations keep their tiers), and a broken
//! file or one that drops a tier in use stops the start with an error naming the file, tier and field.

use std::path::PathBuf;

use api::{PriceRule, ResponseTime};
use support_server::AppState;

use crate::helpers::{spawn_app, spawn_app_with, test_config};

fn example_path() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/tiers.example.toml"
    ))
}

fn example() -> String {
    std::fs::read_to_string(example_path()).unwrap()
}

#[tokio::test]
async fn the_example_file_serves_the_catalogue_the_demo_always_had() {
    let without = spawn_app().await;
    let with = spawn_app_with(|config| config.tiers = Some(example_path())).await;

    let before = without.sign_in("admin@acme.example").await.tiers().await;
    let after = with.sign_in("admin@acme.example").await.tiers().await;

    assert_eq!(after, before);
    assert_eq!(after.len(), 4);
}

#[tokio::test]
async fn an_edited_file_changes_the_catalogue_and_organizations_keep_their_tiers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiers.toml");
    let edited = example()
        .replace("name = \"Essential\"", "name = \"Essential Plus\"")
        .replace("high = \"4 h\"", "high = \"2 h\"")
        + "\n[[tiers]]\nkey = \"enterprise\"\nname = \"Enterprise\"\nsummary = \"Custom terms.\"\n\
           hours = \"24/7\"\nphone = \"Yes\"\naccount_team = \"Dedicated team\"\n\
           price = { kind = \"percent_of_spend\", percent = 12.5, minimum_usd = 20000 }\n\
           response_times = { low = \"4 h\", high = \"30 min\", critical = \"10 min\" }\n";
    std::fs::write(&path, edited).unwrap();
    let app = spawn_app_with(|config| config.tiers = Some(path)).await;
    let admin = app.sign_in("admin@globex.example").await;

    let tiers = admin.tiers().await;

    let names: Vec<&str> = tiers.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Basic",
            "Essential Plus",
            "Advanced",
            "Premium",
            "Enterprise"
        ]
    );
    assert_eq!(tiers[1].response_times.high, ResponseTime::Minutes(120));
    assert_eq!(tiers[4].rank, 4);
    assert_eq!(
        tiers[4].price,
        PriceRule::PercentOfSpend {
            basis_points: 1250,
            minimum_usd: 20000
        }
    );
    // Globex is on Advanced in the demo data, and still is.
    let status = admin.support_status().await;
    assert_eq!(
        status.current_tier.map(|t| t.key).as_deref(),
        Some("advanced")
    );
}

#[tokio::test]
async fn a_broken_file_stops_the_start_naming_the_file_the_tier_and_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiers.toml");
    std::fs::write(
        &path,
        example().replace("critical = \"30 min\"", "critical = \"soon\""),
    )
    .unwrap();
    let mut config = test_config(dir.path());
    config.tiers = Some(path.clone());

    let error = AppState::new(config)
        .await
        .err()
        .expect("refused")
        .to_string();

    assert!(error.contains(&path.display().to_string()), "{error}");
    assert!(error.contains("tier \"advanced\""), "{error}");
    assert!(error.contains("field response_times.critical"), "{error}");
}

#[tokio::test]
async fn a_file_that_drops_a_tier_in_use_stops_the_start() {
    let dir = tempfile::tempdir().unwrap();
    // Advanced without its table: the demo's Globex uses it.
    let text = example();
    let start = text.find("[[tiers]]\nkey = \"advanced\"").unwrap();
    let end = text.find("[[tiers]]\nkey = \"premium\"").unwrap();
    let path = dir.path().join("tiers.toml");
    std::fs::write(&path, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let mut config = test_config(dir.path());
    config.tiers = Some(path);

    let error = format!("{:#}", AppState::new(config).await.err().expect("refused"));

    assert!(error.contains("leaves out advanced"), "{error}");
}

#[tokio::test]
async fn the_expected_first_response_skips_the_files_public_holidays() {
    // Every day of the next three weeks is a public holiday: Basic's "1 business day" (Acme's tier)
    // lands after them, where without the file it is at most three days away.
    let today = time::OffsetDateTime::now_utc().date();
    let holidays: Vec<String> = (1..=21)
        .map(|n| format!("\"{}\"", today + time::Duration::days(n)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiers.toml");
    let text = example().replace(
        "holidays = [\"2026-12-25\", \"2026-12-26\", \"2027-01-01\"]",
        &format!("holidays = [{}]", holidays.join(", ")),
    );
    std::fs::write(&path, text).unwrap();
    let with = spawn_app_with(|config| config.tiers = Some(path)).await;
    let without = spawn_app().await;

    let mut gaps = Vec::new();
    for app in [&with, &without] {
        let dev = app.sign_in("dev@acme.example").await;
        let ticket = dev
            .create_ticket(&api::NewTicket {
                subject: "Slow queries".into(),
                severity: Some(api::Severity::Low),
                product: "postgresql".into(),
                reason: "performance".into(),
                description: "Since Monday.".into(),
                ..api::NewTicket::default()
            })
            .await;
        assert_eq!(ticket.first_response_target, ResponseTime::BusinessDays(1));
        gaps.push(ticket.first_response_due_at.unix_seconds() - ticket.created_at.unix_seconds());
    }

    let day = 24 * 60 * 60;
    assert!(gaps[0] > 21 * day, "with the holidays: {} s", gaps[0]);
    assert!(gaps[1] <= 3 * day, "without them: {} s", gaps[1]);
}

#[tokio::test]
async fn the_demo_tickets_are_due_by_the_same_rule_as_real_ones() {
    // Every day from a month ago to three weeks ahead is a public holiday: the demo's Basic tickets
    // (Acme, "1 business day", created up to 12 days ago) are due after them all, as a real ticket
    // would be; the old around-the-clock UTC rule put them at most three days after creation.
    let today = time::OffsetDateTime::now_utc().date();
    let holidays: Vec<String> = (-30..=21)
        .map(|n| format!("\"{}\"", today + time::Duration::days(n)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tiers.toml");
    let text = example().replace(
        "holidays = [\"2026-12-25\", \"2026-12-26\", \"2027-01-01\"]",
        &format!("holidays = [{}]", holidays.join(", ")),
    );
    std::fs::write(&path, text).unwrap();
    let app = spawn_app_with(|config| config.tiers = Some(path)).await;
    let dev = app.sign_in("dev@acme.example").await;

    let list = dev.tickets(&api::TicketListQuery::default()).await;
    assert!(!list.tickets.is_empty(), "the demo has Acme tickets");
    let after_holidays = (today + time::Duration::days(22)).midnight().assume_utc();
    for summary in &list.tickets {
        let ticket = dev.ticket(summary.id).await;
        assert_eq!(ticket.first_response_target, ResponseTime::BusinessDays(1));
        assert!(
            ticket.first_response_due_at.unix_seconds() >= after_holidays.unix_timestamp(),
            "{:?} is due at {:?}, before the holidays end",
            ticket.subject,
            ticket.first_response_due_at
        );
    }
}
