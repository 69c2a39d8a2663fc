-- The agreement each pair signs (its programme's text, versioned) and the pair's learning goals.
-- Kept column-for-column in step with ../postgres: only the id spelling differs.

-- A programme's own agreement texts; without any, it uses Upward's default (version 1), so
-- the first edit is version 2. Old versions stay: a signature names the words it signed.
CREATE TABLE agreement_versions (
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    body TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (programme_id, version)
);

CREATE TABLE agreement_signatures (
    pairing_id BIGINT NOT NULL REFERENCES pairings(id) ON DELETE CASCADE,
    side TEXT NOT NULL CHECK (side IN ('mentor', 'mentee')),
    version BIGINT NOT NULL,
    signed_at BIGINT NOT NULL,
    PRIMARY KEY (pairing_id, side)
);

-- The pair's own: their text reaches only the pair's routes; managers see counts.
CREATE TABLE goals (
    id INTEGER PRIMARY KEY,
    pairing_id BIGINT NOT NULL REFERENCES pairings(id) ON DELETE CASCADE,
    what TEXT NOT NULL,
    why TEXT NOT NULL DEFAULT '',
    by_when TEXT,
    progress BIGINT NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    outcome TEXT CHECK (outcome IN ('achieved', 'partly_achieved', 'not_achieved')),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    -- Bumped by every change: a change applies only to the version it read.
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX goals_by_pairing ON goals (pairing_id, id);
