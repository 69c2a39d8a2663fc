-- A bulk change (a directory import, an enrolment import, a publication) counts once, at its end,
-- instead of row by row (decision 035). PostgreSQL keeps every version of a row that a
-- transaction updates until it commits, and each update steps over the earlier ones, so one
-- counter row updated once per imported row made an import quadratic: 100,000 people took 106 s,
-- and 3.9 s with the trigger off. A transaction that names a table in `upward.recounting`
-- (set_config(…, true): for that transaction only) gets no counting from that table's trigger,
-- and calls the table's recount function before it commits. SQLite updates in place and keeps
-- its row triggers.

CREATE FUNCTION recounting(counted TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT COALESCE(current_setting('upward.recounting', true) = counted, false)
$$;

CREATE OR REPLACE FUNCTION count_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF recounting(TG_TABLE_NAME) THEN
        RETURN NULL;
    END IF;
    UPDATE row_counts SET n = n + CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END WHERE name = 'people';
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION count_enrolment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF recounting(TG_TABLE_NAME) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.withdrawn_at IS NULL THEN
        UPDATE programmes
           SET mentors_enrolled = mentors_enrolled - (OLD.role = 'mentor')::int,
               mentees_enrolled = mentees_enrolled - (OLD.role = 'mentee')::int
         WHERE id = OLD.programme_id;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.withdrawn_at IS NULL THEN
        UPDATE programmes
           SET mentors_enrolled = mentors_enrolled + (NEW.role = 'mentor')::int,
               mentees_enrolled = mentees_enrolled + (NEW.role = 'mentee')::int
         WHERE id = NEW.programme_id;
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION count_pairing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF recounting(TG_TABLE_NAME) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.programme_id = NEW.programme_id AND OLD.state = NEW.state THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE pairing_counts SET n = n - 1
         WHERE programme_id = OLD.programme_id AND state = OLD.state;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO pairing_counts (programme_id, state, n) VALUES (NEW.programme_id, NEW.state, 1)
            ON CONFLICT (programme_id, state) DO UPDATE SET n = pairing_counts.n + 1;
    END IF;
    RETURN NULL;
END
$$;

-- Each recount turns counting back on for the rest of its transaction, then locks the counter
-- rows it will write and only then counts, in a later statement and so a later snapshot: a
-- concurrent change either committed before the lock (and is counted, its own count overwritten)
-- or waits for the lock and counts on top of the recount.

CREATE FUNCTION recount_people() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('upward.recounting', '', true);
    PERFORM 1 FROM row_counts WHERE name = 'people' FOR NO KEY UPDATE;
    UPDATE row_counts SET n = (SELECT COUNT(*) FROM people) WHERE name = 'people';
END
$$;

CREATE FUNCTION recount_enrolments(programme BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('upward.recounting', '', true);
    PERFORM 1 FROM programmes WHERE id = programme FOR NO KEY UPDATE;
    UPDATE programmes SET
        mentors_enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = programme
                              AND e.role = 'mentor' AND e.withdrawn_at IS NULL),
        mentees_enrolled = (SELECT COUNT(*) FROM enrolments e WHERE e.programme_id = programme
                              AND e.role = 'mentee' AND e.withdrawn_at IS NULL)
     WHERE id = programme;
END
$$;

-- A state's row is made (at 0) before the lock, so that a concurrent first pairing in that state
-- waits for it rather than having its count overwritten.
CREATE FUNCTION recount_pairings(programme BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('upward.recounting', '', true);
    INSERT INTO pairing_counts (programme_id, state, n)
        SELECT DISTINCT programme, state, 0 FROM pairings WHERE programme_id = programme
        ON CONFLICT (programme_id, state) DO NOTHING;
    PERFORM 1 FROM pairing_counts WHERE programme_id = programme FOR NO KEY UPDATE;
    UPDATE pairing_counts c
       SET n = (SELECT COUNT(*) FROM pairings p WHERE p.programme_id = programme AND p.state = c.state)
     WHERE c.programme_id = programme;
END
$$;
