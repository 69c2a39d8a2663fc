-- Foundation schema for SQLite. Kept column-for-column in step with ../postgres: the queries
-- are shared, only the id and type spellings differ.
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'participant')),
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE login_failures (
    throttle_key TEXT NOT NULL,
    failed_at BIGINT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (throttle_key, failed_at);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    job_level BIGINT NOT NULL CHECK (job_level BETWEEN 1 AND 20),
    manager_key TEXT REFERENCES people(email_key) DEFERRABLE INITIALLY DEFERRED,
    department TEXT,
    location TEXT,
    time_zone TEXT NOT NULL,
    birth_year BIGINT,
    gender TEXT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX people_by_manager ON people (manager_key);

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL,
    objectives TEXT NOT NULL,
    learning_expectations TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    virtual_every_weeks BIGINT,
    in_person_every_months BIGINT,
    matching_settings TEXT NOT NULL,
    phase TEXT NOT NULL,
    cloned_from BIGINT REFERENCES programmes(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE enrolments (
    id INTEGER PRIMARY KEY,
    programme_id BIGINT NOT NULL REFERENCES programmes(id) ON DELETE CASCADE,
    person_key TEXT NOT NULL REFERENCES people(email_key),
    role TEXT NOT NULL CHECK (role IN ('mentor', 'mentee')),
    offers TEXT NOT NULL,
    interests TEXT NOT NULL,
    availability TEXT NOT NULL,
    channel TEXT NOT NULL,
    preferred_time TEXT NOT NULL,
    openness DOUBLE PRECISION,
    conscientiousness DOUBLE PRECISION,
    extraversion DOUBLE PRECISION,
    agreeableness DOUBLE PRECISION,
    neuroticism DOUBLE PRECISION,
    statement TEXT NOT NULL,
    consented_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (programme_id, person_key)
);
CREATE INDEX enrolments_by_person ON enrolments (person_key);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL
);
