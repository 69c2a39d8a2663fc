-- Matching runs (also the queue of matching work), published pairings and their lifecycle, and
-- the mail outbox.
-- Kept column-for-column in step with ../postgres: only the id spelling differs.

-- One matching run of a programme: queued as a job, then its proposal (pairs and unmatched).
CREATE TABLE matching_runs (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'published')),
    started_by TEXT NOT NULL,
    -- Only the people without a live pairing are matched (a re-match); live pairings stay.
    incremental BIGINT NOT NULL,
    weights TEXT NOT NULL,
    progress DOUBLE PRECISION NOT NULL DEFAULT 0,
    summary TEXT,
    error TEXT,
    created_at BIGINT NOT NULL,
    -- Moved on by every step of the worker that runs it: a run that stops moving lost its worker.
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX matching_runs_by_programme ON matching_runs (programme_id, id);
CREATE INDEX matching_runs_by_status ON matching_runs (status, updated_at);

CREATE TABLE run_pairs (
    run_id BIGINT NOT NULL REFERENCES matching_runs(id) ON DELETE CASCADE,
    mentor_enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    mentee_enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    -- The score is the explanation's: kept once, there.
    explanation TEXT NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('engine', 'pinned', 'manual')),
    PRIMARY KEY (run_id, mentee_enrolment)
);

CREATE TABLE run_unmatched (
    run_id BIGINT NOT NULL REFERENCES matching_runs(id) ON DELETE CASCADE,
    enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    PRIMARY KEY (run_id, enrolment)
);

-- The manager's pins and forbids, which bind every later run of the programme.
CREATE TABLE pair_rules (
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    mentor_enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    mentee_enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    rule TEXT NOT NULL CHECK (rule IN ('pin', 'forbid')),
    PRIMARY KEY (mentor_enrolment, mentee_enrolment)
);

CREATE TABLE pairings (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    run_id BIGINT REFERENCES matching_runs(id) ON DELETE SET NULL,
    mentor_enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    mentee_enrolment BIGINT NOT NULL REFERENCES enrolments(id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    mentor_answer TEXT NOT NULL,
    mentee_answer TEXT NOT NULL,
    ended_by TEXT,
    -- Why a side said no: for the programme manager only.
    reason TEXT,
    explanation TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    answer_due BIGINT NOT NULL,
    reminded_at BIGINT,
    updated_at BIGINT NOT NULL,
    -- Bumped by every change: a change applies only to the version it read.
    version BIGINT NOT NULL DEFAULT 0
);
-- A mentee has at most one live pairing, whatever races.
CREATE UNIQUE INDEX one_live_pairing_per_mentee ON pairings (mentee_enrolment)
    WHERE state IN ('proposed', 'exploring', 'active');
CREATE INDEX pairings_by_mentor ON pairings (mentor_enrolment);
CREATE INDEX pairings_by_programme ON pairings (programme_id, state);

-- A mentor's live pairings, counted where a conditional UPDATE can refuse the one too many.
ALTER TABLE enrolments ADD COLUMN live_pairings BIGINT NOT NULL DEFAULT 0;

-- Mail to send; written in the same transaction as the change it announces.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- A sender takes a message by setting this; another may take it over once it is stale.
    claimed_at BIGINT,
    sent_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent ON outbox (sent_at, id);
