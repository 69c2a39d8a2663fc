-- Access for a real organisation: one-time links (sign-in, password reset, invitation), the
-- rate limits on asking for them, and programme invitations.
-- Kept column-for-column in step with ../sqlite.

-- A link sent by mail. Only the token's hash is kept; a link works once, until it expires,
-- and only while it is the newest of its kind for that person (older ones are deleted when a
-- new one is sent).
CREATE TABLE access_links (
    token_hash TEXT PRIMARY KEY,
    email_key TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('sign_in', 'reset', 'invitation')),
    -- The programme an invitation is to.
    programme_id BIGINT REFERENCES programmes(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX access_links_by_person ON access_links (email_key, purpose);
CREATE INDEX access_links_by_expiry ON access_links (expires_at);

-- One row per request that a rate limit counts (by email, by client address).
CREATE TABLE rate_events (
    bucket TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_events_by_bucket ON rate_events (bucket, at);
CREATE INDEX rate_events_by_time ON rate_events (at);

-- Who was invited to which programme, when last, and whether they followed the link.
CREATE TABLE invitations (
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    email_key TEXT NOT NULL,
    invited_by TEXT NOT NULL,
    first_sent_at BIGINT NOT NULL,
    last_sent_at BIGINT NOT NULL,
    signed_in_at BIGINT,
    PRIMARY KEY (programme_id, email_key)
);
