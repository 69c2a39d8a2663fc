-- A programme's page offers the manager accounts not yet running it as co-managers, by address.
-- Without this index that read walked every account (every person who has signed in) to find
-- the few managers; with it, it reads the managers' entries only.
CREATE INDEX users_by_role ON users (role, email_key);
