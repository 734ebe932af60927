//! The affected projects and services of a ticket: several stored and returned in order, each resolved
//! against the organization's own (another organization's read as unknown), at most 20, found by the
//! list's search and named in the emails.

use api::ticket::RESOURCES_MAX;
use api::{AffectedResource, TicketListQuery};

use super::{acme_form_with, project_id, rejected, ticket_count};
use crate::helpers::{fields, spawn_app};

fn ids(resources: &[AffectedResource]) -> Vec<String> {
    resources.iter().map(AffectedResource::id_text).collect()
}

fn entries(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test]
async fn several_projects_and_services_are_stored_and_returned_in_order() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form_with(&app, |f| {
        // A project, a service with its project, a service by its name alone, and one of them again
        // in other words (kept once), in other case.
        f.resources = entries(&[
            "acme-staging",
            "acme-prod/pg-main",
            "kafka-events",
            "ACME-PROD/PG-MAIN",
        ])
    })
    .await;
    let created = dev.create_ticket(&form).await;
    assert_eq!(
        ids(&created.resources),
        [
            "acme-staging",
            "acme-prod/pg-main",
            "acme-prod/kafka-events"
        ]
    );
    assert_eq!(
        created.resources[0].project.id,
        project_id(&app, "acme-staging").await
    );
    assert_eq!(created.resources[0].service, None);
    assert_eq!(
        created.resources[2]
            .service
            .as_ref()
            .map(|s| s.name.as_str()),
        Some("kafka-events")
    );

    let read = dev.ticket(created.id).await;
    assert_eq!(
        read.resources, created.resources,
        "the ticket page reads them back"
    );
}

#[tokio::test]
async fn an_unknown_name_is_refused_naming_the_field_and_the_value() {
    let app = spawn_app().await;
    let body = rejected(&app, |f| {
        f.resources = entries(&["acme-prod", "foo", "bar"]);
    })
    .await;
    assert_eq!(fields(&body), ["resources"]);
    assert_eq!(
        body.fields[0].message,
        "Projects and services: no project or service named \u{201c}foo\u{201d} in your organization."
    );
    assert_eq!(ticket_count(&app).await, 0);
}

#[tokio::test]
async fn another_organizations_project_reads_exactly_like_an_unknown_one() {
    let app = spawn_app().await;
    let message = |body: api::ErrorBody, name: &str| {
        assert_eq!(fields(&body), ["resources"]);
        body.fields[0].message.replace(name, "NAME")
    };
    let foreign = rejected(&app, |f| f.resources = entries(&["globex-prod"])).await;
    let unknown = rejected(&app, |f| f.resources = entries(&["nowhere-prod"])).await;
    assert_eq!(
        message(foreign, "globex-prod"),
        message(unknown, "nowhere-prod")
    );
    // Its service too, by its name alone or with its project.
    for entry in ["pg-orders", "globex-prod/pg-orders"] {
        let body = rejected(&app, |f| f.resources = entries(&[entry])).await;
        assert_eq!(
            body.fields[0].message,
            format!(
                "Projects and services: no project or service named \u{201c}{entry}\u{201d} in your organization."
            )
        );
    }
    assert_eq!(ticket_count(&app).await, 0);
}

#[tokio::test]
async fn at_most_twenty_projects_and_services() {
    let app = spawn_app().await;
    let too_many = rejected(&app, |f| {
        f.resources = vec!["acme-prod".into(); RESOURCES_MAX + 1];
    })
    .await;
    assert_eq!(fields(&too_many), ["resources"]);
    assert_eq!(
        too_many.fields[0].message,
        "Projects and services: list at most 20 projects and services; this has 21."
    );
    assert_eq!(ticket_count(&app).await, 0);

    let dev = app.sign_in("dev@acme.example").await;
    let twenty = acme_form_with(&app, |f| {
        f.resources = vec!["acme-prod".into(); RESOURCES_MAX];
    })
    .await;
    assert_eq!(
        ids(&dev.create_ticket(&twenty).await.resources),
        ["acme-prod"]
    );
}

#[tokio::test]
async fn the_lists_search_finds_a_ticket_by_a_project_or_service() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = |resources: &[&str]| {
        let resources = entries(resources);
        acme_form_with(&app, move |f| {
            f.subject = "Slow dashboards".into();
            f.description = "Since Monday.".into();
            f.resources = resources;
        })
    };
    let staging = dev
        .create_ticket(&form(&["acme-staging/pg-staging"]).await)
        .await;
    let kafka = dev
        .create_ticket(&form(&["acme-prod/kafka-events"]).await)
        .await;
    let none = dev.create_ticket(&form(&[]).await).await;
    let search = |q: &str| TicketListQuery {
        q: Some(q.to_owned()),
        ..TicketListQuery::default()
    };
    let found = |list: api::TicketList| -> Vec<i64> {
        let mut ids: Vec<i64> = list
            .tickets
            .iter()
            .map(|t| t.id)
            .filter(|id| [staging.id, kafka.id, none.id].contains(id))
            .collect();
        ids.sort_unstable();
        ids
    };
    assert_eq!(
        found(dev.tickets(&search("acme-staging")).await),
        [staging.id]
    );
    assert_eq!(found(dev.tickets(&search("pg-stag")).await), [staging.id]);
    assert_eq!(
        found(
            dev.tickets(&search("acme-prod/kafka-events dashboards"))
                .await
        ),
        [kafka.id]
    );
    assert!(found(dev.tickets(&search("globex")).await).is_empty());
}

#[tokio::test]
async fn the_emails_list_every_project_and_service() {
    let app = spawn_app().await;
    let dev = app.sign_in("dev@acme.example").await;
    let form = acme_form_with(&app, |f| {
        f.resources = entries(&["acme-prod", "acme-staging/pg-staging"]);
    })
    .await;
    dev.create_ticket(&form).await;
    let emails = app.outbox().await;
    assert!(!emails.is_empty());
    for (recipient, _, body) in &emails {
        assert!(
            body.contains("Projects and services: acme-prod, acme-staging/pg-staging\n"),
            "{recipient}: {body}"
        );
    }
}

/// A database from before migration 0009, with tickets naming one project and service the old way,
/// reads them as their affected projects and services once migrated, and its search finds them.
#[tokio::test]
async fn old_tickets_single_project_and_service_read_as_before_after_the_migration() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("migrations");
    std::fs::create_dir(&old).unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() < "0009" {
            std::fs::copy(&path, old.join(name)).unwrap();
        }
    }
    let db = dir.path().join("support.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(old.as_path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    for statement in [
        "INSERT INTO organizations (id, name, plan_kind, support_tier, created_at)
         VALUES (1, 'Acme', 'paid', (SELECT key FROM support_tiers ORDER BY rank LIMIT 1), 'T')",
        "INSERT INTO users (id, email, name, password_hash, created_at) VALUES (1, 'd@a.example', 'D', 'x', 'T')",
        "INSERT INTO projects (id, organization_id, name) VALUES (1, 1, 'acme-prod')",
        "INSERT INTO services (id, project_id, name) VALUES (10, 1, 'pg-main')",
        "INSERT INTO tickets (id, organization_id, submitter_id, subject, severity, product_key, reason_key,
                              project_id, service_id, description, first_response_target_unit,
                              first_response_target_value, first_response_due_at, created_at, updated_at)
         VALUES (1, 1, 1, 'Old with a service', 'low', 'account', 'mfa', 1, 10, 'd', 'minutes', 30,
                 '2026-01-01T00:30:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                (2, 1, 1, 'Old with a project', 'low', 'account', 'mfa', 1, NULL, 'd', 'minutes', 30,
                 '2026-01-01T00:30:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
                (3, 1, 1, 'Old with neither', 'low', 'account', 'mfa', NULL, NULL, 'd', 'minutes', 30,
                 '2026-01-01T00:30:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
    ] {
        sqlx::query(statement).execute(&pool).await.unwrap();
    }
    pool.close().await;

    let store = support_server::store::Store::open(&db).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let mut read = Vec::new();
    for id in 1..=3 {
        read.push(ids(&tx.ticket(id).await.unwrap().unwrap().ticket.resources));
    }
    assert_eq!(
        read,
        [
            vec!["acme-prod/pg-main".to_owned()],
            vec!["acme-prod".to_owned()],
            vec![]
        ]
    );
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH '\"pg-main\"*' ORDER BY rowid",
    )
    .fetch_all(
        &sqlx::SqlitePool::connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(&db))
            .await
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(found, [1]);
}
