//! Command-line and environment configuration. Every flag has an env var so the console's deployment can
//! configure the service without a wrapper script.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::{Parser, Subcommand, ValueEnum};
use lettre::message::Mailbox;

use crate::files::Location;
use crate::store::{Database, DatabaseOptions};

/// The Support section's backend: JSON API under /api/v1 and the built SPA.
#[derive(Debug, Clone, Parser)]
#[command(name = "support-server", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; serving is the default.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default when no subcommand is given).
    Serve,
    /// Create the database and apply migrations, then exit.
    Migrate,
    /// Print the API's OpenAPI 3.1 document (what `GET /api/v1/openapi.json` serves), then exit.
    /// `support-server openapi > docs/openapi.json` updates the committed copy.
    Openapi,
    /// Inbound email: replies to the ticket emails.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Operator actions on support tier upgrade requests.
    Upgrades {
        #[command(subcommand)]
        command: UpgradesCommand,
    },
    /// The support team's side of tickets: list them, reply, change their status.
    Tickets {
        #[command(subcommand)]
        command: TicketsCommand,
    },
    /// Uploaded files: the orphan sweep the server runs hourly, on demand.
    Attachments {
        #[command(subcommand)]
        command: AttachmentsCommand,
    },
    /// Fill an empty database (created and migrated if missing) with generated organizations, users,
    /// tickets, CCs and comments for the load benchmark (`scripts/bench-load.sh`). Refuses a database
    /// that has organizations. Every user's password is the demo password.
    BenchData(BenchDataArgs),
}

/// `support-server bench-data ...`: how much to generate.
#[derive(Debug, Clone, clap::Args)]
pub struct BenchDataArgs {
    /// Organizations, named `Bench 001`, ... with users `admin@org001.bench.example`,
    /// `user01@org001.bench.example`, ...
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=9_999))]
    pub organizations: u32,
    /// Tickets, spread evenly over the organizations and over the past year.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
    pub tickets: u32,
    /// Users per organization: one admin, the others members.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=99))]
    pub users_per_organization: u32,
    /// The same seed generates the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `support-server attachments ...`
#[derive(Debug, Clone, Subcommand)]
pub enum AttachmentsCommand {
    /// Delete uploads that no ticket or comment claimed and files that no row refers to, older than
    /// `--min-age-secs` (the hourly sweep uses a day), then print what was deleted. Run it while the
    /// server is stopped when the age is short: a younger upload may be about to be claimed.
    Sweep {
        /// Only what is at least this old, in seconds.
        #[arg(long, default_value_t = 86_400)]
        min_age_secs: u64,
    },
}

/// `support-server mail ...`
#[derive(Debug, Clone, Subcommand)]
pub enum MailCommand {
    /// Take one raw email (RFC 5322) from standard input, as a mail server's pipe delivery hands it
    /// over: a reply to a ticket email becomes a comment. Exits with sysexits(3) codes: 0 taken or
    /// quietly dropped, 65/67/77 refused (the mail server bounces it), 75 try again later, 78 not
    /// configured.
    Ingest,
}

/// `support-server tickets ...`
#[derive(Debug, Clone, Subcommand)]
pub enum TicketsCommand {
    /// Print one line per ticket, newest first: id, organization, status, subject, separated by tabs.
    List,
    /// Reply as the support team: the customer, the CCs, the followers and the account team get it by
    /// email. The first reply sets the ticket's first response time.
    Reply {
        /// The ticket's id, as `tickets list` prints it.
        id: i64,
        /// The name the customer sees, e.g. "Sam from Support".
        #[arg(long)]
        author: String,
        /// The reply (plain text).
        #[arg(long)]
        body: String,
        /// Also move the ticket to this status.
        #[arg(long, value_enum)]
        status: Option<AgentStatus>,
    },
    /// Move a ticket to another status (the customer and everyone on the ticket are emailed).
    SetStatus {
        /// The ticket's id, as `tickets list` prints it.
        id: i64,
        #[arg(value_enum)]
        status: AgentStatus,
        /// The name the conversation shows for the change.
        #[arg(long, default_value = "Support team")]
        author: String,
    },
}

/// A ticket status, as the support team sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum AgentStatus {
    Open,
    AwaitingCustomer,
    Solved,
    Closed,
}

/// `support-server upgrades ...`
#[derive(Debug, Clone, Subcommand)]
pub enum UpgradesCommand {
    /// Print one line per request, newest first: id, organization, tier, start month, billing group,
    /// requested by, status (and the reason of a rejection), separated by tabs.
    List {
        /// Only requests with this status.
        #[arg(long, value_enum)]
        status: Option<RequestStatus>,
    },
    /// Make a pending request active: the organization has the new tier from its start month.
    Activate {
        /// The request's id, as `upgrades list` prints it.
        id: i64,
    },
    /// Reject a pending request. The reason is shown to the customer on the Support page.
    Reject {
        /// The request's id, as `upgrades list` prints it.
        id: i64,
        /// Why, in a sentence the customer will read.
        #[arg(long)]
        reason: String,
    },
}

/// The stored status of an upgrade request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RequestStatus {
    Pending,
    Active,
    Rejected,
    Cancelled,
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "SUPPORT_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The database: an SQLite file (a path or `sqlite://PATH`, created if missing; by default
    /// `<data-dir>/support.db`) or a PostgreSQL server (`postgres://USER@HOST:PORT/DB`).
    #[arg(long, env = "SUPPORT_DATABASE_URL", global = true, value_parser = Database::parse)]
    pub database: Option<Database>,

    /// PostgreSQL only: the most connections the pool opens (each instance has its own pool). SQLite
    /// keeps 8.
    #[arg(long, env = "SUPPORT_DATABASE_MAX_CONNECTIONS", default_value_t = 10, global = true,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub database_max_connections: u32,

    /// PostgreSQL only: seconds any one statement may run before the server cancels it
    /// (`statement_timeout` on every connection); 0 for no limit.
    #[arg(
        long,
        env = "SUPPORT_STATEMENT_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub statement_timeout_secs: u64,

    /// Directory for the database (by default), attachments and other files.
    #[arg(long, env = "SUPPORT_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,

    /// Where uploaded files are kept: a folder, or an S3-compatible bucket as `s3://bucket/prefix`
    /// (endpoint, region and credentials from AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
    /// AWS_SECRET_ACCESS_KEY; AWS_ALLOW_HTTP=true for a plain-HTTP endpoint). Defaults to
    /// `<data-dir>/attachments`.
    #[arg(long, env = "SUPPORT_ATTACHMENTS", global = true)]
    pub attachments: Option<Location>,

    /// The built SPA (Trunk's `dist/`). Without it only the API is served.
    #[arg(long, env = "SUPPORT_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,

    /// Load the demo organizations and users when the database has no organizations yet.
    #[arg(long, env = "SUPPORT_DEMO")]
    pub demo: bool,

    /// Brand shown in the UI, as in "Go to Aiven Support Center".
    #[arg(long, env = "SUPPORT_BRAND", default_value = "Aiven")]
    pub brand: String,

    /// Service level agreement page.
    #[arg(long, env = "SUPPORT_SLA_URL", default_value = "https://aiven.io/sla")]
    pub sla_url: String,

    /// Community forum for organizations on free services.
    #[arg(
        long,
        env = "SUPPORT_FORUM_URL",
        default_value = "https://aiven.io/community/forum"
    )]
    pub forum_url: String,

    /// Page describing the support tiers.
    #[arg(
        long,
        env = "SUPPORT_SERVICES_URL",
        default_value = "https://aiven.io/support-services"
    )]
    pub support_services_url: String,

    /// Sales contact address.
    #[arg(long, env = "SUPPORT_SALES_EMAIL", default_value = "sales@aiven.io")]
    pub sales_email: String,

    /// The server is reached over https only: send `Strict-Transport-Security` (also for requests
    /// that arrive with `X-Forwarded-Proto: https`). The session cookie is `Secure` either way,
    /// unless `--insecure-cookies`.
    #[arg(long, env = "SUPPORT_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// Plain-http development only: the session cookie without `Secure` (and so without the
    /// `__Host-` prefix, named `support_session`). Browsers accept `Secure` cookies from
    /// http://localhost and http://127.0.0.1, so this is needed only on other plain-http addresses.
    #[arg(
        long,
        env = "SUPPORT_INSECURE_COOKIES",
        conflicts_with = "secure_cookies"
    )]
    pub insecure_cookies: bool,

    /// Who may show the app in a frame: the `frame-ancestors` of its Content-Security-Policy, as
    /// `'none'` (the default), `'self'`, or space-separated origins such as `https://console.example.com`.
    /// `X-Frame-Options` follows it for old browsers (`DENY`, `SAMEORIGIN`, or absent for origins).
    #[arg(long, env = "SUPPORT_FRAME_ANCESTORS", default_value = "'none'")]
    pub frame_ancestors: FrameAncestors,

    /// Session lifetime in hours.
    #[arg(long, env = "SUPPORT_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,

    /// SMTP server that delivers the outbox's emails, as `smtp://host[:port]` (port 25 by default).
    /// Plain SMTP only: TLS and authentication are not supported yet, so use a relay that accepts this
    /// host's mail without them. Without it, emails stay unsent in the outbox table.
    #[arg(long, env = "SUPPORT_SMTP_URL")]
    pub smtp_url: Option<SmtpUrl>,

    /// Sender of the emails: `address` or `Name <address>`.
    #[arg(
        long,
        env = "SUPPORT_MAIL_FROM",
        default_value = "Support <support@example.com>"
    )]
    pub mail_from: Mailbox,

    /// Seconds between two looks for unsent emails in the outbox (with `--smtp-url`).
    #[arg(
        long,
        env = "SUPPORT_OUTBOX_INTERVAL_SECS",
        default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub outbox_interval_secs: u64,

    /// Days a sent email stays in the outbox table before the hourly purge deletes it (unsent rows,
    /// failed ones included, stay). Long enough to answer "did the customer get the email?".
    #[arg(
        long,
        env = "SUPPORT_OUTBOX_RETENTION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..=3650)
    )]
    pub outbox_retention_days: u64,

    /// The support tier catalogue (TOML): tiers, response times, hours, phone, account team, price
    /// rules, the organization's time zone and public holidays. See `docs/tiers.example.toml`
    /// (illustrative figures). Without it the catalogue in the database is used as it is.
    #[arg(long, env = "SUPPORT_TIERS")]
    pub tiers: Option<PathBuf>,

    /// Replies by email: the domain of the reply addresses, `reply+TOKEN@<domain>`, that every email
    /// about a ticket carries in `Reply-To`. Its mail must reach `support-server mail ingest` (pipe
    /// delivery) or `POST /api/v1/inbound-mail`. Without it emails carry no reply address and inbound
    /// mail is refused.
    #[arg(long, env = "SUPPORT_REPLY_DOMAIN", global = true, value_parser = parse_mail_domain)]
    pub reply_domain: Option<String>,

    /// The shared secret an inbound-mail webhook sends as `Authorization: Bearer <secret>` to
    /// `POST /api/v1/inbound-mail`. Without it (or without `--reply-domain`) the endpoint answers 404.
    #[arg(long, env = "SUPPORT_INBOUND_MAIL_SECRET", hide_env_values = true)]
    pub inbound_mail_secret: Option<String>,

    /// Largest inbound email accepted, in bytes (headers, body and attachments as sent).
    #[arg(
        long,
        env = "SUPPORT_INBOUND_MAIL_MAX_BYTES",
        default_value_t = 30 * 1024 * 1024,
        value_parser = clap::value_parser!(u64).range(1024..),
        global = true
    )]
    pub inbound_mail_max_bytes: u64,

    /// Token mode: the console's public key (PEM file) that signs the tokens the embedded app sends
    /// as `Authorization: Bearer`. Token mode is off without it; with it, `--token-algorithm`,
    /// `--token-issuer` and `--token-audience` are required.
    #[arg(long, env = "SUPPORT_TOKEN_PUBLIC_KEY")]
    pub token_public_key: Option<PathBuf>,

    /// The one signature algorithm accepted for console tokens, whatever a token's header says.
    #[arg(long, env = "SUPPORT_TOKEN_ALGORITHM", value_enum)]
    pub token_algorithm: Option<TokenAlgorithm>,

    /// The `iss` claim console tokens must carry (the console's own URL, say).
    #[arg(long, env = "SUPPORT_TOKEN_ISSUER")]
    pub token_issuer: Option<String>,

    /// The `aud` claim console tokens must carry: the name the console gives this service.
    #[arg(long, env = "SUPPORT_TOKEN_AUDIENCE")]
    pub token_audience: Option<String>,

    /// Clock skew allowed between the console and this server when checking `exp` and `nbf`, in
    /// seconds.
    #[arg(long, env = "SUPPORT_TOKEN_LEEWAY_SECS", default_value_t = 60)]
    pub token_leeway_secs: u64,

    /// The longest a console token may be valid, `exp - iat`, in seconds: a leaked token is useful
    /// for this long at most, so the console must mint short-lived ones.
    #[arg(long, env = "SUPPORT_TOKEN_MAX_LIFETIME_SECS", default_value_t = crate::rules::token::DEFAULT_MAX_LIFETIME_SECS)]
    pub token_max_lifetime_secs: u64,

    /// The request header that carries the client's address, set by a proxy in front of this server
    /// (`X-Forwarded-For`, `X-Real-IP`, ...): its last address is the one the proxy saw. Only honoured
    /// when configured, since any client can send the header; without it the socket's address is used.
    /// The sign-in limits per address count by this address.
    #[arg(long, env = "SUPPORT_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<axum::http::HeaderName>,

    /// Sign-in attempts allowed per client address (IPv6: per /64) per minute, whatever the account.
    #[arg(
        long,
        env = "SUPPORT_SIGN_IN_PER_ADDRESS",
        default_value_t = 20,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub sign_in_per_address: u32,

    /// Sign-in attempts allowed per minute over all clients and accounts (shared by every instance
    /// on the same database): the last line against one password tried across many accounts from
    /// many addresses.
    #[arg(
        long,
        env = "SUPPORT_SIGN_IN_GLOBAL",
        default_value_t = 300,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub sign_in_global: u32,

    /// Password checks (Argon2, about 19 MiB and tens of milliseconds of CPU each) run at once; more
    /// sign-ins wait for a free one.
    #[arg(
        long,
        env = "SUPPORT_PASSWORD_CHECKS",
        default_value_t = 4,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub password_checks: u32,

    /// How long a sign-in waits for a free password check before it is answered 503 with
    /// `Retry-After`, in milliseconds.
    #[arg(long, env = "SUPPORT_PASSWORD_CHECK_WAIT_MS", default_value_t = 2000)]
    pub password_check_wait_ms: u64,

    // Abuse limits: each is "at most N in the last hour", counted in the database (shared by every
    // instance on it) and answered 429 with `Retry-After` and a sentence naming the limit. The
    // defaults leave room for a busy honest person (a ticket every two minutes) and stop a script.
    /// Tickets one user may create per hour, over all of their organizations.
    #[arg(
        long,
        env = "SUPPORT_TICKETS_PER_USER_HOUR",
        default_value_t = 30,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub tickets_per_user_hour: u32,

    /// Tickets one organization's members may create per hour together.
    #[arg(
        long,
        env = "SUPPORT_TICKETS_PER_ORG_HOUR",
        default_value_t = 200,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub tickets_per_org_hour: u32,

    /// Comments (and CC additions) one user may add per hour, over all of their organizations.
    #[arg(
        long,
        env = "SUPPORT_COMMENTS_PER_USER_HOUR",
        default_value_t = 120,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub comments_per_user_hour: u32,

    /// Comments (and CC additions) one organization's members may add per hour together.
    #[arg(
        long,
        env = "SUPPORT_COMMENTS_PER_ORG_HOUR",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub comments_per_org_hour: u32,

    /// Files one user may upload per hour, over all of their organizations.
    #[arg(
        long,
        env = "SUPPORT_UPLOADS_PER_USER_HOUR",
        default_value_t = 150,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub uploads_per_user_hour: u32,

    /// Files one organization's members may upload per hour together.
    #[arg(
        long,
        env = "SUPPORT_UPLOADS_PER_ORG_HOUR",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub uploads_per_org_hour: u32,

    /// Emails one user's tickets and comments may send per hour to CC addresses that are not members of the organization, counted per recipient.
    #[arg(
        long,
        env = "SUPPORT_EXTERNAL_EMAILS_PER_USER_HOUR",
        default_value_t = 200,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub external_emails_per_user_hour: u32,

    /// Emails one organization's tickets and comments may send per hour to CC addresses that are not its members, counted per recipient.
    #[arg(
        long,
        env = "SUPPORT_EXTERNAL_EMAILS_PER_ORG_HOUR",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub external_emails_per_org_hour: u32,

    /// The storage quota for an organization's files (attached and still pending uploads), in
    /// megabytes (MiB). An upload that would pass it is refused, naming the file and the quota.
    #[arg(
        long,
        env = "SUPPORT_ATTACHMENT_QUOTA_MB",
        default_value_t = 10_240,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub attachment_quota_mb: u64,

    /// Seconds a client has to send a request's headers (the whole head, from its first byte); a
    /// connection that trickles them is closed.
    #[arg(long, env = "SUPPORT_HEADER_READ_TIMEOUT_SECS", default_value_t = 10,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// Seconds an API request may take, reading its body and answering (uploads and inbound mail:
    /// `--upload-timeout-secs`); then 408 `timeout`. Also bounds how long an `Idempotency-Key`
    /// claim stays unanswered (`rules::idempotency::in_flight_timeout`).
    #[arg(long, env = "SUPPORT_REQUEST_TIMEOUT_SECS", default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Seconds an upload (or an inbound email) may take, body included: generous for a 25 MB file on
    /// a slow line, but finite, so a trickled body cannot hold a connection forever.
    #[arg(long, env = "SUPPORT_UPLOAD_TIMEOUT_SECS", default_value_t = 600,
        value_parser = clap::value_parser!(u64).range(1..))]
    pub upload_timeout_secs: u64,

    /// API requests handled at once, counted once their body has arrived (a client trickling its
    /// body holds no slot); more wait up to a second for a free slot, then get 503 `busy` with
    /// `Retry-After`. Uploads and inbound mail have their own pool, `--max-concurrent-uploads`.
    #[arg(long, env = "SUPPORT_MAX_CONCURRENT_REQUESTS", default_value_t = 256,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_requests: u32,

    /// Uploads and inbound emails handled at once, from their first byte (their bodies are streamed
    /// to disk, not buffered, so they hold a slot while they arrive): a pool apart from
    /// `--max-concurrent-requests`, so slow uploads cannot starve the JSON API. More wait up to a
    /// second, then get 503 `busy` with `Retry-After`.
    #[arg(long, env = "SUPPORT_MAX_CONCURRENT_UPLOADS", default_value_t = 32,
        value_parser = clap::value_parser!(u32).range(1..))]
    pub max_concurrent_uploads: u32,

    /// On Ctrl-C or SIGTERM, seconds running requests get to finish before their connections are
    /// closed: under the 30 s an orchestrator usually waits before it sends SIGKILL.
    #[arg(long, env = "SUPPORT_SHUTDOWN_TIMEOUT_SECS", default_value_t = 25)]
    pub shutdown_timeout_secs: u64,

    /// On SIGTERM (or Ctrl-C), seconds the server keeps serving, new requests included, while
    /// `GET /readyz` answers 503, so the load balancer stops sending it requests before it stops
    /// accepting them; then `--shutdown-timeout-secs` for the requests still running. 0: stop at once.
    #[arg(long, env = "SUPPORT_DRAIN_SECS", default_value_t = 5)]
    pub drain_secs: u64,

    /// Seconds a background job's lease lasts (the outbox's delivery, the sweep of unattached
    /// uploads, the purge). Of several instances on one database, the lease's holder runs the job
    /// and renews it every third of this; when the holder dies, another instance takes over within
    /// this long. Instances' clocks must agree to well under it.
    #[arg(long, env = "SUPPORT_LEASE_SECS", default_value_t = 30,
        value_parser = clap::value_parser!(u64).range(3..=3600))]
    pub lease_secs: u64,

    /// An origin allowed to call the API from another site (CORS), as `https://console.example.com`.
    /// Repeat the flag for several; the env var takes a comma-separated list. None by default: no CORS
    /// headers at all.
    #[arg(
        long = "cors-origin",
        env = "SUPPORT_CORS_ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<CorsOrigin>,
}

/// A signature algorithm for console tokens. Only public-key algorithms: with a shared secret (HS256)
/// this service could mint tokens the console would accept, and a leak here would be a leak there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenAlgorithm {
    /// Ed25519.
    #[value(name = "EdDSA")]
    EdDsa,
    /// ECDSA with P-256 and SHA-256.
    #[value(name = "ES256")]
    Es256,
    /// ECDSA with P-384 and SHA-384.
    #[value(name = "ES384")]
    Es384,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    #[value(name = "RS256")]
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    #[value(name = "RS384")]
    Rs384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    #[value(name = "RS512")]
    Rs512,
    /// RSASSA-PSS with SHA-256.
    #[value(name = "PS256")]
    Ps256,
    /// RSASSA-PSS with SHA-384.
    #[value(name = "PS384")]
    Ps384,
    /// RSASSA-PSS with SHA-512.
    #[value(name = "PS512")]
    Ps512,
}

/// An origin allowed by CORS: `scheme://host[:port]`, exactly as a browser sends it in `Origin`
/// (no path, no trailing slash, not `*`: credentials are allowed, so every origin is named).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsOrigin(String);

impl CorsOrigin {
    /// The origin as the `Origin` header carries it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CorsOrigin {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let shape =
            || format!("{s:?} is not an origin: expected https://host or https://host:port");
        let (scheme, authority) = s.split_once("://").ok_or_else(shape)?;
        // Browsers send the scheme and host lower-cased, and compare origins byte for byte.
        let lower = s.to_ascii_lowercase();
        if !matches!(scheme, "http" | "https")
            || authority.is_empty()
            || authority.contains(['/', '?', '#', '@', '*', ','])
            || authority
                .chars()
                .any(|c| c.is_whitespace() || c.is_control())
            || lower != s
        {
            return Err(shape());
        }
        Ok(Self(s.to_owned()))
    }
}

/// `--reply-domain`: a host name as an address's domain takes it (letters, digits, `-` and `.`),
/// lower-cased.
fn parse_mail_domain(s: &str) -> Result<String, String> {
    let domain = s.trim().trim_end_matches('.').to_ascii_lowercase();
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if domain.len() > 253 || !domain.split('.').all(label_ok) {
        return Err(format!(
            "{s:?} is not a mail domain: expected a host name such as support.example.com"
        ));
    }
    Ok(domain)
}

impl Config {
    /// The session cookie's name: `__Host-` prefixed unless `--insecure-cookies`.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.insecure_cookies {
            api::INSECURE_SESSION_COOKIE
        } else {
            api::SESSION_COOKIE
        }
    }

    /// The database actually used (`--database`, else the SQLite file in the data directory).
    pub fn database(&self) -> Database {
        self.database
            .clone()
            .unwrap_or_else(|| Database::Sqlite(self.data_dir.join("support.db")))
    }

    /// The database and the pool's settings.
    pub fn database_options(&self) -> DatabaseOptions {
        DatabaseOptions {
            database: self.database(),
            max_connections: self.database_max_connections,
            statement_timeout: std::time::Duration::from_secs(self.statement_timeout_secs),
        }
    }

    /// How long sent emails stay in the outbox (`--outbox-retention-days`).
    pub fn outbox_retention(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.outbox_retention_days * 24 * 60 * 60)
    }

    /// Where uploaded files are kept, under random names (`--attachments`, or the folder
    /// `<data-dir>/attachments`).
    pub fn attachments(&self) -> Location {
        self.attachments
            .clone()
            .unwrap_or_else(|| Location::Folder(self.data_dir.join("attachments")))
    }
}

/// The sources of CSP's `frame-ancestors`: `'none'`, or `'self'` and/or host sources
/// (`https://console.example.com`, `https://*.example.com:8443`, `https:`).
///
/// Parsed strictly because it is pasted into a response header: a `;` or `,` would add directives or
/// policies of the operator's (or an attacker's) choosing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameAncestors(Vec<String>);

impl FrameAncestors {
    /// What `X-Frame-Options` says the same for browsers without CSP: `DENY` or `SAMEORIGIN`. There
    /// is none for a list of origins (`ALLOW-FROM` is dead); browsers with CSP follow the policy.
    pub fn x_frame_options(&self) -> Option<&'static str> {
        match self.0.as_slice() {
            [only] if only == "'none'" => Some("DENY"),
            [only] if only == "'self'" => Some("SAMEORIGIN"),
            _ => None,
        }
    }
}

impl FromStr for FrameAncestors {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let sources: Vec<String> = s.split_whitespace().map(str::to_owned).collect();
        if sources.is_empty() {
            return Err(
                "expected 'none', 'self' or origins such as https://console.example.com".into(),
            );
        }
        for source in &sources {
            let keyword = source == "'none'" || source == "'self'";
            // A host source is a scheme, host, port and path made of these characters only; anything
            // else (quotes, `;`, `,`) would change the policy rather than list a frame ancestor.
            let host_source = source.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '/' | '*' | '_')
            });
            if !keyword && !host_source {
                return Err(format!(
                    "{source:?} is not a frame ancestor: use 'none', 'self' or origins such as https://console.example.com"
                ));
            }
        }
        if sources.len() > 1 && sources.iter().any(|s| s == "'none'") {
            return Err("'none' cannot be combined with other frame ancestors".into());
        }
        Ok(Self(sources))
    }
}

impl fmt::Display for FrameAncestors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

/// Where to deliver: `smtp://host[:port]`, plain SMTP (port 25 by default). TLS (`smtps://`, STARTTLS)
/// and authentication are not supported yet, so the server must be a relay that accepts this host's
/// mail without them (typically one on localhost or the private network). The mailer that sends to it
/// is built by `jobs::outbox`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    pub port: u16,
}

impl FromStr for SmtpUrl {
    type Err = String;

    // The messages never repeat the input: it could carry a password.
    fn from_str(s: &str) -> Result<Self, String> {
        const SHAPE: &str = "expected smtp://host or smtp://host:port";
        let rest = match s.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("smtp") => rest,
            Some((scheme, _)) if scheme.eq_ignore_ascii_case("smtps") => {
                return Err("smtps:// (SMTP over TLS) is not supported yet; use smtp://".into());
            }
            _ => return Err(SHAPE.into()),
        };
        let authority = rest.strip_suffix('/').unwrap_or(rest);
        if authority.contains('@') {
            return Err("SMTP authentication (user:password@) is not supported yet".into());
        }
        if authority.contains(['/', '?', '#']) || authority.chars().any(char::is_whitespace) {
            return Err(SHAPE.into());
        }
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            let (host, after) = bracketed.split_once(']').ok_or(SHAPE)?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or(SHAPE)?)),
            }
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            }
        };
        if host.is_empty() || (!authority.starts_with('[') && host.contains(':')) {
            return Err(SHAPE.into());
        }
        let port = match port {
            None => 25,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|&p| p != 0)
                .ok_or("the port must be a number from 1 to 65535")?,
        };
        Ok(Self {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "smtp://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "smtp://{}:{}", self.host, self.port)
        }
    }
}
