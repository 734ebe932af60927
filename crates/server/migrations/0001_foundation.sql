-- Foundation schema: organizations and what they own, users and sessions, the support tier catalogue,
-- upgrade requests and the ticket product catalogue. Timestamps are RFC 3339 UTC text unless a column
-- is compared numerically (session expiry), where Unix seconds keep comparisons index-friendly.

CREATE TABLE support_tiers (
    key                 TEXT PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    rank                INTEGER NOT NULL UNIQUE CHECK (rank >= 0),
    summary             TEXT NOT NULL,
    low_unit            TEXT NOT NULL CHECK (low_unit IN ('business_days', 'minutes')),
    low_value           INTEGER NOT NULL CHECK (low_value > 0),
    high_unit           TEXT NOT NULL CHECK (high_unit IN ('business_days', 'minutes')),
    high_value          INTEGER NOT NULL CHECK (high_value > 0),
    critical_unit       TEXT NOT NULL CHECK (critical_unit IN ('business_days', 'minutes')),
    critical_value      INTEGER NOT NULL CHECK (critical_value > 0),
    hours               TEXT NOT NULL,
    phone               TEXT NOT NULL,
    account_team        TEXT NOT NULL,
    -- NULL price columns mean "included"; both are set or neither.
    price_basis_points  INTEGER CHECK (price_basis_points > 0),
    price_minimum_usd   INTEGER CHECK (price_minimum_usd >= 0),
    CHECK ((price_basis_points IS NULL) = (price_minimum_usd IS NULL))
);

-- The catalogue is product data, not demo data: every installation starts with it and operators edit it.
INSERT INTO support_tiers VALUES
  ('basic', 'Basic', 0, 'Included with every paid plan: help on business days.',
   'business_days', 1, 'business_days', 1, 'business_days', 1,
   'Business days', 'No', 'No', NULL, NULL),
  ('essential', 'Essential', 1, 'Faster answers around the working week.',
   'minutes', 720, 'minutes', 240, 'minutes', 60,
   '24/5', 'No', 'No', 450, 500),
  ('advanced', 'Advanced', 2, 'Around-the-clock support, phone for critical cases and an account manager.',
   'minutes', 720, 'minutes', 60, 'minutes', 30,
   '24/7', 'Critical only', 'Account manager', 700, 2500),
  ('premium', 'Premium', 3, 'Our fastest response times and a dedicated team.',
   'minutes', 720, 'minutes', 60, 'minutes', 15,
   '24/7', 'Yes', 'Designated account manager and technical account manager', 1000, 10000);

CREATE TABLE organizations (
    id                       INTEGER PRIMARY KEY,
    name                     TEXT NOT NULL,
    plan_kind                TEXT NOT NULL CHECK (plan_kind IN ('free', 'paid')),
    -- NULL exactly when the organization runs only free services.
    support_tier             TEXT REFERENCES support_tiers (key),
    account_team_email       TEXT,
    monthly_spend_usd_cents  INTEGER NOT NULL DEFAULT 0 CHECK (monthly_spend_usd_cents >= 0),
    created_at               TEXT NOT NULL,
    CHECK ((plan_kind = 'free') = (support_tier IS NULL))
);

CREATE TABLE organizational_units (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE projects (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    unit_id          INTEGER REFERENCES organizational_units (id) ON DELETE SET NULL,
    -- Project names are global in the console, like the customer-facing project ID.
    name             TEXT NOT NULL UNIQUE
);
CREATE INDEX projects_by_organization ON projects (organization_id);

CREATE TABLE services (
    id          INTEGER PRIMARY KEY,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT 'paid' CHECK (plan IN ('free', 'paid')),
    UNIQUE (project_id, name)
);

CREATE TABLE billing_groups (
    id               INTEGER PRIMARY KEY,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    payment_method   TEXT NOT NULL,
    UNIQUE (organization_id, name)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    created_at     TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id          INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id  INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (user_id, organization_id)
);
CREATE INDEX memberships_by_organization ON memberships (organization_id, role);

CREATE TABLE sessions (
    -- SHA-256 of the cookie value: a leaked database does not leak usable sessions.
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE upgrade_requests (
    id                INTEGER PRIMARY KEY,
    organization_id   INTEGER NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    tier              TEXT NOT NULL REFERENCES support_tiers (key),
    start_month       TEXT NOT NULL CHECK (start_month GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]'),
    billing_group_id  INTEGER NOT NULL REFERENCES billing_groups (id),
    requested_by      INTEGER NOT NULL REFERENCES users (id),
    requested_at      TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('pending', 'active', 'rejected', 'cancelled')),
    reason            TEXT,
    decided_at        TEXT
);
-- One pending request per organization, enforced by the database, not just by a check-then-insert.
CREATE UNIQUE INDEX one_pending_upgrade ON upgrade_requests (organization_id) WHERE status = 'pending';

CREATE TABLE products (
    key       TEXT PRIMARY KEY,
    name      TEXT NOT NULL UNIQUE,
    position  INTEGER NOT NULL
);

CREATE TABLE product_reasons (
    product_key  TEXT NOT NULL REFERENCES products (key) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,
    position     INTEGER NOT NULL,
    PRIMARY KEY (product_key, key)
);

INSERT INTO products (key, name, position) VALUES
  ('postgresql', 'PostgreSQL', 1),
  ('kafka', 'Apache Kafka', 2),
  ('opensearch', 'OpenSearch', 3),
  ('billing', 'Billing', 4),
  ('account', 'Account and access', 5),
  ('networking', 'Networking', 6),
  ('other', 'Other', 7);

INSERT INTO product_reasons (product_key, key, label, position) VALUES
  ('postgresql', 'connectivity', 'Cannot connect', 1),
  ('postgresql', 'performance', 'Slow queries or high load', 2),
  ('postgresql', 'backup', 'Backup and restore', 3),
  ('postgresql', 'upgrade', 'Version upgrade or maintenance', 4),
  ('postgresql', 'extensions', 'Extensions and configuration', 5),
  ('kafka', 'connectivity', 'Cannot connect', 1),
  ('kafka', 'lag', 'Consumer lag or throughput', 2),
  ('kafka', 'connect', 'Kafka Connect and connectors', 3),
  ('kafka', 'schema', 'Schema Registry', 4),
  ('opensearch', 'connectivity', 'Cannot connect', 1),
  ('opensearch', 'cluster_health', 'Cluster health is yellow or red', 2),
  ('opensearch', 'search', 'Search or indexing problems', 3),
  ('opensearch', 'dashboards', 'OpenSearch Dashboards', 4),
  ('billing', 'invoice', 'Question about an invoice', 1),
  ('billing', 'payment', 'Payment method or failed payment', 2),
  ('billing', 'credits', 'Credits and commitments', 3),
  ('account', 'sign_in', 'Cannot sign in', 1),
  ('account', 'permissions', 'Roles and permissions', 2),
  ('account', 'sso', 'Single sign-on (SAML)', 3),
  ('account', 'mfa', 'Two-factor authentication', 4),
  ('networking', 'vpc', 'VPC peering', 1),
  ('networking', 'privatelink', 'Private link', 2),
  ('networking', 'ip_filter', 'IP filtering and firewall', 3),
  ('networking', 'dns', 'DNS and certificates', 4),
  ('other', 'feature_request', 'Feature request', 1),
  ('other', 'question', 'General question', 2),
  ('other', 'feedback', 'Feedback', 3);
