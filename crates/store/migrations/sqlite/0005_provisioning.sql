-- Provisioning from an identity provider (SCIM 2.0), deactivation, and what participants keep
-- current themselves. Kept column-for-column in step with the other engine's folder.

-- A deactivated person cannot sign in and is never matched again; their history stays.
ALTER TABLE people ADD COLUMN active BIGINT NOT NULL DEFAULT 1;
ALTER TABLE people ADD COLUMN deactivated_at BIGINT;
-- Deleted over SCIM: deactivated, and no longer shown to the identity provider.
ALTER TABLE people ADD COLUMN scim_deleted BIGINT NOT NULL DEFAULT 0;
-- The SCIM resource as the identity provider last wrote it (JSON), and its userName.
ALTER TABLE people ADD COLUMN scim_user_name TEXT;
ALTER TABLE people ADD COLUMN scim_attributes TEXT;
-- A manager named by SCIM id before that user was provisioned: linked when they arrive.
ALTER TABLE people ADD COLUMN scim_manager_id TEXT;
CREATE INDEX people_by_user_name ON people (LOWER(COALESCE(scim_user_name, email)));
CREATE INDEX people_by_scim_manager ON people (scim_manager_id);

-- The participant's own settings: preferred time of day, and when they last changed their
-- time zone or location (the directory's next update wins, and the page says so).
ALTER TABLE people ADD COLUMN preferred_time TEXT;
ALTER TABLE people ADD COLUMN self_edited_at BIGINT;

-- Bearer tokens for an identity provider's SCIM client; only the hash is kept.
CREATE TABLE scim_tokens (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
