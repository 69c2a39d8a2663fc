//! The SQL store: one implementation over sqlx's `Any` driver, so SQLite and PostgreSQL share
//! every query (`$n` placeholders, `ON CONFLICT`, `RETURNING` mean the same in both). Only the
//! migrations and the connection set-up differ per engine. See docs/decisions/001.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row, Transaction};

use crate::readers::{IDLE_BEFORE_TEST, Readers};
use crate::sqlite_readers::SqliteReaders;
use crate::{Mail, NewAuditEntry, Store, StoreError, StoreResult};

/// Which engine a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::Invalid {
                what: format!(
                    "unsupported database URL '{url}': use sqlite://FILE or postgres://…"
                ),
            })
        }
    }

    /// The engine behind a connection, for helpers given only a transaction.
    pub(crate) fn of(connection: &AnyConnection) -> Self {
        if connection.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// `(…), (…)` placeholders for a multi-row INSERT of `rows` rows of `columns` values.
    ///
    /// The one place the dialects' placeholders differ on purpose: SQLite resolves each named
    /// parameter (`$n`) by a linear scan, so binding thousands of them is quadratic (140 ms per
    /// 1,000-row statement, measured); its anonymous `?` binds in order at no cost.
    pub(crate) fn values_placeholders(self, rows: usize, columns: usize) -> String {
        let mut sql = String::with_capacity(rows * columns * 6);
        for row in 0..rows {
            sql.push_str(if row == 0 { "(" } else { ", (" });
            for column in 0..columns {
                if column > 0 {
                    sql.push_str(", ");
                }
                match self {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => sql.push_str(&format!("${}", row * columns + column + 1)),
                }
            }
            sql.push(')');
        }
        sql
    }
}

#[derive(Clone)]
pub struct SqlStore {
    /// The few reads that call sqlx directly (most go through `readers`), and on PostgreSQL
    /// the writes.
    pub(crate) pool: AnyPool,
    /// Writes. On SQLite a pool of one connection, so that writers queue in the order they came
    /// (the pool's wait is first come, first served) instead of polling SQLite's lock, which
    /// lets an unlucky writer wait for seconds under steady load; SQLite runs one writer at a
    /// time anyway. On PostgreSQL the same pool as `pool`.
    pub(crate) writer: AnyPool,
    /// What the `one` and `all` helpers read through.
    readers: Arc<ReadPath>,
    pub(crate) backend: Backend,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .finish()
    }
}

impl SqlStore {
    /// Opens the database (creating a SQLite file if needed) and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let store = Self::open(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Opens the database without migrating it.
    pub async fn open(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let store = match backend {
            Backend::Sqlite => {
                let url = sqlite_url_creating_file(url);
                // The writer first: it is the connection that may create the file.
                let writer = sqlite_pool(&url, 1, SQLITE_WRITER_SETTINGS).await?;
                let pool = sqlite_pool(&url, 2, "").await?;
                Self {
                    pool,
                    writer,
                    readers: Arc::new(ReadPath::Inline(SqliteReaders::new(&url)?)),
                    backend,
                }
            }
            // A server that has gone away must not hold every request for long: after a few
            // seconds without a connection the request fails (503), and the pool reconnects
            // by itself once the server is back.
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .acquire_timeout(Duration::from_secs(5))
                    .max_connections(8)
                    // Testing every connection before each query cost a round trip per query
                    // (decision 024). Under load connections come back within milliseconds,
                    // and one the server closes meanwhile fails its query as "unavailable"
                    // like any other during an outage; one that sat idle for a second is tested
                    // first, so a restart while the store was quiet fails no request.
                    .test_before_acquire(false)
                    .before_acquire(|connection, meta| {
                        Box::pin(async move {
                            if meta.idle_for >= IDLE_BEFORE_TEST {
                                sqlx::Connection::ping(connection).await?;
                            }
                            Ok(true)
                        })
                    })
                    .connect(url)
                    .await?;
                Self {
                    writer: pool.clone(),
                    pool,
                    readers: Arc::new(ReadPath::Lent(Readers::new(url, 8))),
                    backend,
                }
            }
        };
        Ok(store)
    }

    /// Writes a consistent copy of a SQLite database to `path` while it is in use (SQLite's
    /// `VACUUM INTO`, which reads one snapshot); PostgreSQL has its own tools (`pg_dump`).
    pub async fn backup_to(&self, path: &std::path::Path) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Invalid {
                what: "upward backup copies SQLite databases; back PostgreSQL up with pg_dump (see the README)".into(),
            });
        }
        if path.exists() {
            return Err(StoreError::conflict(format!(
                "{} already exists: choose a new file, so no backup is overwritten",
                path.display()
            )));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.display().to_string())
            .execute(&self.pool)
            .await
            .map_err(map_error)?;
        Ok(())
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        let result = match self.backend {
            Backend::Sqlite => {
                sqlx::migrate!("./migrations/sqlite")
                    .run(&self.writer)
                    .await
            }
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.writer)
                    .await
            }
        };
        result.map_err(|error| StoreError::Other(sqlx::Error::Migrate(Box::new(error))))
    }

    pub async fn close(&self) {
        match &*self.readers {
            ReadPath::Inline(readers) => readers.close(),
            ReadPath::Lent(readers) => readers.close().await,
        }
        self.pool.close().await;
        self.writer.close().await;
    }
}

/// What every SQLite connection is set to when it opens (see `sqlite_pool`).
pub(crate) const SQLITE_SETTINGS: &str = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;";

/// The writer leaves checkpoints to [`Store::checkpoint`], which the server runs every two
/// seconds off the writer's path: SQLite's own checkpoint after a commit that takes the log past
/// 1,000 pages copies those pages inside that commit, and those commits made the slowest
/// hundredth of enrolment saves at 100,000 people (p99 13.8–19.5 ms against 8.1–9.6 ms
/// without, three runs each, decision 033). It stays, at 65,536 pages (256 MB), as a backstop: four times the longest log
/// the load benchmarks' sustained writes have reached between two of the server's checkpoints.
const SQLITE_WRITER_SETTINGS: &str = "PRAGMA wal_autocheckpoint = 65536;";

/// SQLite connections. WAL lets readers proceed during a write. The busy timeout makes a
/// writer from another process (`upward import` beside a server) wait instead of failing. The
/// write-ahead log is cut back to 64 MB after each checkpoint that empties it (see
/// [`Store::checkpoint`] for how it is emptied under steady reads).
async fn sqlite_pool(
    url: &str,
    connections: u32,
    own_settings: &'static str,
) -> StoreResult<AnyPool> {
    let pool = AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(30))
        .max_connections(connections)
        // A connection to a local file cannot have gone away; testing it before each query
        // cost a round trip to its thread, as much again as many queries themselves.
        .test_before_acquire(false)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_SETTINGS).await?;
                if !own_settings.is_empty() {
                    conn.execute(own_settings).await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await?;
    Ok(pool)
}

/// sqlx opens an existing SQLite file only; Upward's default `sqlite://upward.db` should just work.
fn sqlite_url_creating_file(url: &str) -> String {
    if url.contains("mode=") || url.contains(":memory:") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// How the `one` and `all` helpers reach the database.
enum ReadPath {
    /// SQLite: on the caller's thread (the `sqlite_readers` module).
    Inline(SqliteReaders),
    /// PostgreSQL: over connections lent without sqlx's ping after each query (the `readers`
    /// module).
    Lent(Readers),
}

/// A query of the shared SQL, before it runs.
pub(crate) type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>;

/// The helpers every store method runs its SQL through. Reads go to the readers' pool; a
/// statement that changes rows must use `run` or a `write_` helper, which take the writer's
/// turn (`tests::reads_and_writes_take_their_own_helpers` holds every call site to that).
impl SqlStore {
    /// Runs a read that returns at most one row, and reads that row.
    pub(crate) async fn one<T>(
        &self,
        query: AnyQuery<'_>,
        read: impl FnOnce(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        match &*self.readers {
            ReadPath::Inline(readers) => {
                let mut read = Some(read);
                let first = readers.read(query, 1, |row| read.take().expect("one row")(row))?;
                Ok(first.into_iter().next())
            }
            ReadPath::Lent(readers) => {
                let mut lent = readers.lend().await?;
                let row = fetch_optional(&mut *lent, query, read).await?;
                lent.ended_well();
                Ok(row)
            }
        }
    }

    /// Runs a read and reads every row it returns.
    pub(crate) async fn all<T>(
        &self,
        query: AnyQuery<'_>,
        read: impl FnMut(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        match &*self.readers {
            ReadPath::Inline(readers) => readers.read(query, usize::MAX, read),
            ReadPath::Lent(readers) => {
                let mut lent = readers.lend().await?;
                let rows = fetch_all(&mut *lent, query, read).await?;
                lent.ended_well();
                Ok(rows)
            }
        }
    }

    /// A count kept by triggers (`row_counts`, migration 0019), such as `people` or
    /// `users:manager`, read instead of counting a table that grows with the organisation.
    pub(crate) async fn kept_count(&self, name: &str) -> StoreResult<i64> {
        let query = sqlx::query(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM row_counts WHERE name LIKE $1",
        )
        .bind(name.to_owned());
        Ok(self
            .one(query, |row| Ok(row.try_get("n")?))
            .await?
            .unwrap_or(0))
    }

    /// Runs a statement and returns how many rows it changed.
    pub(crate) async fn run(&self, query: AnyQuery<'_>) -> StoreResult<u64> {
        let done = query.execute(&self.writer).await.map_err(map_error)?;
        Ok(done.rows_affected())
    }

    /// Runs a change that returns at most one row (`… RETURNING`), and reads that row.
    pub(crate) async fn write_one<T>(
        &self,
        query: AnyQuery<'_>,
        read: impl FnOnce(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Option<T>> {
        fetch_optional(&self.writer, query, read).await
    }

    /// Runs a change and reads every row it returns (`… RETURNING`).
    pub(crate) async fn write_all<T>(
        &self,
        query: AnyQuery<'_>,
        read: impl FnMut(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        fetch_all(&self.writer, query, read).await
    }

    /// After a bulk change (an import, a publication), has PostgreSQL vacuum `tables` and
    /// sample them again, as autovacuum would a while later. Until it got round to them:
    /// - a table never sampled was planned with default guesses (one row in 200 matching an
    ///   equality), and a person's pairings were read by scanning every pairing twice: 87 % of the
    ///   machine's time on the home page at 100,000 people went to PostgreSQL (decision 034);
    /// - the pairings API ran at 337–374 requests/s instead of 430–450 until the tables were
    ///   vacuumed, likely because fresh rows are not yet marked visible to all, which index-only
    ///   scans need, and carry no hint bits (decision 034, "Later").
    ///
    /// The change is already committed, so a failure here is logged, not returned. SQLite keeps
    /// no statistics unless asked, and without them it takes an equality on an indexed column
    /// to match few rows, which is the plan every lookup here wants.
    pub(crate) async fn vacuum_and_sample(&self, tables: &str) {
        if self.backend != Backend::Postgres {
            return;
        }
        let vacuum = sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {tables}"));
        if let Err(error) = self.writer.execute(vacuum).await {
            tracing::warn!(%error, tables, "could not vacuum and sample after a bulk change");
        }
    }
}

async fn fetch_optional<'c, T>(
    executor: impl Executor<'c, Database = Any>,
    query: AnyQuery<'_>,
    read: impl FnOnce(&AnyRow) -> StoreResult<T>,
) -> StoreResult<Option<T>> {
    let row = query.fetch_optional(executor).await.map_err(map_error)?;
    row.as_ref().map(read).transpose()
}

async fn fetch_all<'c, T>(
    executor: impl Executor<'c, Database = Any>,
    query: AnyQuery<'_>,
    read: impl FnMut(&AnyRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let rows = query.fetch_all(executor).await.map_err(map_error)?;
    rows.iter().map(read).collect()
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> StoreResult<()> {
        self.one(sqlx::query("SELECT 1"), |_| Ok(())).await?;
        Ok(())
    }

    /// SQLite's own checkpoints after commits copy the log into the database but cannot start
    /// the log again from its beginning while readers keep arriving, so under steady load it
    /// grows without end (500 MB in 20 s was measured). Each round, a PASSIVE checkpoint (it
    /// waits for nobody) copies what it can and says how long the log is; past
    /// [`LONG_LOG_PAGES`], a TRUNCATE checkpoint waits for the readers of older snapshots and
    /// empties it. That one runs on the writer connection, so writes wait behind it: its wait
    /// for readers is capped at 250 ms, and one that could not finish is tried again next round.
    async fn checkpoint(&self) -> StoreResult<()> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let log_pages: i64 = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&self.pool)
            .await
            .map_err(map_error)?
            .try_get(1)?;
        if log_pages < LONG_LOG_PAGES {
            return Ok(());
        }
        let mut connection = self.writer.acquire().await.map_err(map_error)?;
        connection
            .execute("PRAGMA busy_timeout = 250")
            .await
            .map_err(map_error)?;
        let checkpoint = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").await;
        connection
            .execute("PRAGMA busy_timeout = 10000")
            .await
            .map_err(map_error)?;
        checkpoint.map_err(map_error)?;
        Ok(())
    }
}

/// A write-ahead log longer than this (16 MB of 4 KB pages) is emptied at the next round.
const LONG_LOG_PAGES: i64 = 4096;

/// Translates constraint violations into domain-level conflicts; everything else stays `Other`.
pub(crate) fn map_error(error: sqlx::Error) -> StoreError {
    match &error {
        sqlx::Error::RowNotFound => StoreError::not_found("the record"),
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::conflict("a record with the same key already exists")
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Invalid {
            what: "a referenced record does not exist".into(),
        },
        sqlx::Error::Database(db) if db.is_check_violation() => StoreError::Invalid {
            what: "a value is outside its allowed range".into(),
        },
        _ => StoreError::Other(error),
    }
}

/// `$first, $first+1, …` for `count` values in an `IN (…)` list.
pub(crate) fn numbered_placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn to_epoch(at: Timestamp) -> i64 {
    at.as_second()
}

pub(crate) fn from_epoch(seconds: i64) -> Timestamp {
    Timestamp::from_second(seconds).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(crate) fn now_epoch() -> i64 {
    Timestamp::now().as_second()
}

/// Reads a text column into a domain type; a failure means the database holds something the
/// application never wrote, which is an internal error, not a user mistake.
pub(crate) fn parse_column<T: FromStr>(row: &AnyRow, column: &str) -> StoreResult<T>
where
    T::Err: std::fmt::Display,
{
    let text: String = row.try_get(column)?;
    text.parse::<T>()
        .map_err(|error| corrupt(column, &text, error))
}

pub(crate) fn corrupt(column: &str, value: &str, error: impl std::fmt::Display) -> StoreError {
    StoreError::Other(sqlx::Error::Decode(
        format!("column {column} holds '{value}', which does not parse: {error}").into(),
    ))
}

/// Mails per INSERT: 4 values each.
const MAILS_PER_STATEMENT: usize = 250;

/// Writes mail to the outbox inside the caller's transaction, so it goes out only if the
/// change it announces is committed.
pub(crate) async fn queue_mail(tx: &mut Transaction<'_, Any>, mail: &[Mail]) -> StoreResult<()> {
    // A publication queues two mails per pair: one statement each was most of its round trips.
    let backend = Backend::of(tx);
    let now = now_epoch();
    for chunk in mail.chunks(MAILS_PER_STATEMENT) {
        let values = backend.values_placeholders(chunk.len(), 4);
        let sql =
            format!("INSERT INTO outbox (recipient, subject, body, created_at) VALUES {values}");
        // Safe: the SQL text holds only placeholders; every value is bound.
        let query = chunk
            .iter()
            .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |query, message| {
                query
                    .bind(message.recipient.clone())
                    .bind(message.subject.clone())
                    .bind(message.body.clone())
                    .bind(now)
            });
        query.execute(&mut **tx).await.map_err(map_error)?;
    }
    Ok(())
}

/// Records a change in the audit trail inside the caller's transaction.
pub(crate) async fn audit(
    tx: &mut Transaction<'_, Any>,
    entry: &NewAuditEntry<'_>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, subject, detail, programme_id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now_epoch())
    .bind(entry.actor.to_owned())
    .bind(entry.action.to_owned())
    .bind(entry.subject.to_owned())
    .bind(entry.detail.to_owned())
    .bind(entry.programme.map(|id| id.0))
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Backend;

    /// On SQLite, a change made through a read helper would run on a reader connection and
    /// poll for the write lock instead of queueing behind the writer, and a read through a
    /// write helper would wait its turn behind every write. Every call's statement is found in
    /// the source (the literal in the call, or in the `let` it names) and its first word checked.
    #[test]
    fn reads_and_writes_take_their_own_helpers() {
        let call = regex::Regex::new(r"self\s*\.(one|all|write_one|write_all)\(").unwrap();
        let mut checked = 0;
        for file in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src")).unwrap() {
            let path = file.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for found in call.captures_iter(&source) {
                let helper = &found[1];
                let at = found.get(0).unwrap().end();
                let verb = statement_verb(&source, at);
                let reads = verb == "SELECT";
                assert_eq!(
                    reads,
                    matches!(helper, "one" | "all"),
                    "{} at byte {at}: `{helper}` runs a {verb} statement",
                    path.display()
                );
                checked += 1;
            }
        }
        assert!(checked >= 45, "the calls were found: {checked}");
    }

    /// The first word of the statement a helper call at `at` runs.
    fn statement_verb(source: &str, at: usize) -> String {
        let argument = &source[at..at + argument_length(&source[at..])];
        // A string in the statement's text (format!'s arguments come after it).
        if let Some(literal) = first_literal(argument) {
            return verb_of(literal);
        }
        // `sqlx::query(sql)…` or a query built above: the `let` that names it.
        let named = regex::Regex::new(r"sqlx::query\(([a-z_]+)")
            .unwrap()
            .captures(argument)
            .or_else(|| {
                regex::Regex::new(r"^\s*([a-z_]+)")
                    .unwrap()
                    .captures(argument)
            })
            .unwrap_or_else(|| panic!("no statement in `{argument}`"));
        let name = &named[1];
        let binding = regex::Regex::new(&format!(r"let (mut )?{name} = ")).unwrap();
        let definition = binding
            .find_iter(&source[..at])
            .last()
            .unwrap_or_else(|| panic!("no `let {name}` before byte {at}"));
        match first_literal(&source[definition.start()..at]) {
            Some(literal) => verb_of(literal),
            None => statement_verb(source, definition.end()),
        }
    }

    /// The length of a call's first argument, or of a `let`'s value (to a comma, a semicolon or
    /// the closing parenthesis).
    fn argument_length(text: &str) -> usize {
        let mut depth = 1;
        for (i, c) in text.char_indices() {
            match c {
                '(' => depth += 1,
                ',' | ';' if depth == 1 => return i,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        text.len()
    }

    fn first_literal(text: &str) -> Option<&str> {
        let start = text.find('"')? + 1;
        Some(&text[start..])
    }

    /// `SELECT …` → SELECT; `{PAIRING_SELECT} …` → the first word of that constant (or of the
    /// string a local of that name is given, or of the text the macro it is made by makes).
    fn verb_of(literal: &str) -> String {
        let literal = literal.trim_start();
        if let Some(constant) = literal.strip_prefix('{') {
            let name = &constant[..constant.find('}').unwrap()];
            let sources = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))
                .unwrap()
                .map(|f| std::fs::read_to_string(f.unwrap().path()).unwrap())
                .collect::<String>();
            let definition = regex::Regex::new(&format!(
                r#"(const {name}: &str|let {name}) =\s*(format!\(|([a-z_]+)!\()?"?"#
            ))
            .unwrap()
            .captures(&sources)
            .unwrap_or_else(|| panic!("no constant {name}"));
            let value = match definition.get(3) {
                // `concat!("SELECT …", …)`: its first piece.
                Some(maker) if maker.as_str() == "concat" => {
                    first_literal(&sources[definition.get(0).unwrap().end()..])
                        .expect("a literal in the concat!")
                }
                Some(maker) => {
                    let rules = format!("macro_rules! {} ", maker.as_str());
                    let body = &sources[sources.find(&rules).expect("the macro") + rules.len()..];
                    first_literal(body).expect("a literal in the macro")
                }
                None => &sources[definition.get(0).unwrap().end()..],
            };
            return verb_of(value);
        }
        literal
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap()
            .to_uppercase()
    }

    #[test]
    fn placeholders_follow_each_dialect() {
        assert_eq!(Backend::Sqlite.values_placeholders(2, 2), "(?, ?), (?, ?)");
        assert_eq!(
            Backend::Postgres.values_placeholders(2, 2),
            "($1, $2), ($3, $4)"
        );
    }
}
