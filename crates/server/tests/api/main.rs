//! The server's integration tests, in one binary (one link instead of one per file): each test starts
//! the real app on a free port with a fresh database (an SQLite file, or with
//! `SUPPORT_TEST_DATABASE_URL` a PostgreSQL database) and talks to it through the typed client in
//! `helpers`, one module per resource.

mod attachments;
mod auth;
mod authorization_matrix;
mod bad_input;
mod bench_data;
mod conversation;
mod cross_instance;
mod helpers;
mod http;
mod instances;
mod limits;
mod logs;
mod mail;
mod openapi;
mod outbox;
mod purge;
mod security_headers;
mod sign_in_flood;
mod support;
mod ticket_list;
mod tickets;
mod tiers;
mod timeouts;
mod token;
mod upgrades;
