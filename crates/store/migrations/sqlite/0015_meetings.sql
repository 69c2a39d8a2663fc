-- After the match: engagement thresholds per programme, when each pairing became active, the
-- schedule each pair accepts, its meetings, and each person's private calendar feed.
-- Kept column-for-column in step with ../postgres: only the id spelling differs.

-- The programme's engagement thresholds (JSON; '{}' means the documented defaults).
ALTER TABLE programmes ADD COLUMN engagement_settings TEXT NOT NULL DEFAULT '{}';

-- When both confirmed: the clock for "no first meeting booked" starts here. Pairings already
-- active take their last change, which was that confirmation.
ALTER TABLE pairings ADD COLUMN active_since BIGINT;
UPDATE pairings SET active_since = updated_at WHERE state = 'active';

-- The series a pair is agreeing on: frozen when the first of them accepts (so both accept the
-- same meetings), settled when the second does, which is when its meetings are created.
CREATE TABLE schedules (
    pairing_id BIGINT PRIMARY KEY REFERENCES pairings(id) ON DELETE CASCADE,
    -- JSON: the proposal as the domain serialises it (meetings with their costs, times, skipped weeks).
    series TEXT NOT NULL,
    mentor_accepted_at BIGINT,
    mentee_accepted_at BIGINT,
    settled_at BIGINT
);

CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    pairing_id BIGINT NOT NULL REFERENCES pairings(id) ON DELETE CASCADE,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('virtual', 'in_person')),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'cancelled', 'missed')),
    -- iCalendar's SEQUENCE: calendars replace their copy when it grows.
    sequence BIGINT NOT NULL DEFAULT 0,
    cancelled_by TEXT CHECK (cancelled_by IN ('mentor', 'mentee')),
    cancelled_at BIGINT,
    rescheduled BIGINT NOT NULL DEFAULT 0,
    minutes BIGINT,
    -- JSON list of strings.
    topics TEXT NOT NULL DEFAULT '[]',
    -- The pair's own: read only by the routes of the pair's two members.
    notes TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL,
    -- Bumped by every change: a change applies only to the version it read.
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX meetings_by_pairing ON meetings (pairing_id, starts_at);

-- A person's private calendar address. The token is kept as issued so the address can be shown
-- again: it only reads what its owner could read anyway, and revoking it makes a new one.
CREATE TABLE calendar_feeds (
    email_key TEXT PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
