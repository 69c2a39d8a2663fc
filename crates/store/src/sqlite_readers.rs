//! SQLite reads run on the caller's own thread, through rusqlite over the same SQLite library
//! sqlx links, and come back as sqlx's `AnyRow`s so every store method reads them as before.
//!
//! sqlx's SQLite driver hands each query to a worker thread per connection and each row back
//! over a channel: two or more thread switches per query, which on a busy server cost more
//! than the index lookup itself (36 % of a participant page's samples were on those workers,
//! and a fifth of all time was spent switching threads; decision 032). A SQLite read of a
//! local file does no I/O wait worth yielding for, so here it simply runs where it is asked.
//! The price: a long read (an export) holds its runtime thread for as long as it runs, as
//! any CPU-bound step would.
//!
//! Building `AnyRow`s and reading `AnyArguments` uses sqlx-core's hidden, semver-exempt fields
//! (the ones its own drivers fill in); `sqlx-core` is therefore pinned to the version sqlx
//! uses, and a change there fails to compile rather than misreading a row.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags, Statement};
use sqlx::Execute;
use sqlx::any::{AnyRow, AnyTypeInfo, AnyTypeInfoKind, AnyValue};
use sqlx_core::any::{AnyArguments, AnyColumn, AnyValueKind};
use sqlx_core::ext::ustr::UStr;
use tracing::Level;

use crate::StoreResult;
use crate::sql::{AnyQuery, SQLITE_SETTINGS};

/// A read slower than this is logged as a warning (sqlx's default threshold).
const SLOW_STATEMENT: Duration = Duration::from_secs(1);

/// Enough for every distinct read the store makes to stay prepared.
const PREPARED_STATEMENTS: usize = 256;

/// Reader connections to one SQLite database, opened when first needed and kept idle between
/// reads. There is no limit: each is in use only while a read runs on some thread, so there are
/// never more than the threads that read at once.
pub(crate) struct SqliteReaders {
    file: Option<PathBuf>,
    idle: Mutex<Vec<Connection>>,
    closed: AtomicBool,
}

impl SqliteReaders {
    /// Readers of the database at a `sqlite:` URL, parsed as sqlx parses it. `sqlite::memory:`
    /// gives each reader its own empty database, as it does in sqlx.
    pub(crate) fn new(url: &str) -> StoreResult<Self> {
        let file = if url.contains(":memory:") {
            None
        } else {
            let options: sqlx::sqlite::SqliteConnectOptions =
                url.parse().map_err(crate::sql::map_error)?;
            Some(options.get_filename().to_owned())
        };
        Ok(Self {
            file,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
        })
    }

    /// Runs a read and passes each of its first `limit` rows to `read`.
    pub(crate) fn read<T>(
        &self,
        query: AnyQuery<'_>,
        limit: usize,
        read: impl FnMut(&AnyRow) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        let connection = self.lend()?;
        let rows = run(&connection, query, limit, read);
        // A local connection cannot be left broken by a failed read: it is kept either way.
        if !self.closed.load(Ordering::Acquire) {
            self.idle.lock().expect("never poisoned").push(connection);
        }
        rows
    }

    fn lend(&self) -> StoreResult<Connection> {
        if self.closed.load(Ordering::Acquire) {
            return Err(sqlx::Error::PoolClosed.into());
        }
        if let Some(connection) = self.idle.lock().expect("never poisoned").pop() {
            return Ok(connection);
        }
        self.open().map_err(driver_error)
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let connection = match &self.file {
            None => Connection::open_in_memory()?,
            Some(file) => Connection::open_with_flags(
                file,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?,
        };
        connection.execute_batch(SQLITE_SETTINGS)?;
        // What the `one` and `all` helpers are given must only read; this makes sure of it.
        connection.execute_batch("PRAGMA query_only = ON")?;
        connection.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
        Ok(connection)
    }

    /// Closes the idle connections; any read after this fails as the pool's would.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.idle.lock().expect("never poisoned").clear();
    }
}

fn run<T>(
    connection: &Connection,
    mut query: AnyQuery<'_>,
    limit: usize,
    mut read: impl FnMut(&AnyRow) -> StoreResult<T>,
) -> StoreResult<Vec<T>> {
    let started = Instant::now();
    let arguments = query
        .take_arguments()
        .map_err(sqlx::Error::Encode)?
        .unwrap_or_default();
    let sql = query.sql();
    let mut statement = connection
        .prepare_cached(sql.as_str())
        .map_err(driver_error)?;
    bind(&mut statement, &arguments)?;
    let columns: Vec<AnyColumn> = statement
        .column_names()
        .into_iter()
        .enumerate()
        .map(|(ordinal, name)| AnyColumn {
            ordinal,
            name: UStr::new(name),
            type_info: AnyTypeInfo {
                kind: AnyTypeInfoKind::Null,
            },
        })
        .collect();
    let column_names: Arc<sqlx_core::HashMap<UStr, usize>> = Arc::new(
        columns
            .iter()
            .map(|column| (column.name.clone(), column.ordinal))
            .collect(),
    );
    let mut rows = statement.raw_query();
    let mut read_rows = Vec::new();
    while read_rows.len() < limit {
        let Some(row) = rows.next().map_err(driver_error)? else {
            break;
        };
        let mut values = Vec::with_capacity(columns.len());
        for index in 0..columns.len() {
            values.push(AnyValue {
                kind: any_value(row.get_ref(index).map_err(driver_error)?)?,
            });
        }
        let row = AnyRow {
            column_names: Arc::clone(&column_names),
            columns: columns.clone(),
            values,
        };
        read_rows.push(read(&row)?);
    }
    log_statement(sql.as_str(), read_rows.len(), started.elapsed());
    Ok(read_rows)
}

/// Logs the read as sqlx logs its statements (target `sqlx::query`, the SQL in
/// `db.statement`): at debug level, or as a warning past a second, as sqlx does by default.
/// The query-plan test and anyone tracing queries see these reads as they saw sqlx's.
fn log_statement(sql: &str, rows_returned: usize, elapsed: Duration) {
    if elapsed >= SLOW_STATEMENT {
        tracing::event!(target: "sqlx::query", Level::WARN, db.statement = sql, rows_returned, ?elapsed,
            "slow statement: execution time exceeded alert threshold");
    } else {
        tracing::event!(target: "sqlx::query", Level::DEBUG, db.statement = sql, rows_returned, ?elapsed);
    }
}

/// Binds `$n` (and `?n`) to the n-th argument and each bare `?` to the next, as sqlx does.
fn bind(statement: &mut Statement<'_>, arguments: &AnyArguments) -> StoreResult<()> {
    let values = &arguments.values.0;
    let mut next_bare = 0;
    for index in 1..=statement.parameter_count() {
        let argument = match statement.parameter_name(index) {
            None => {
                next_bare += 1;
                next_bare - 1
            }
            Some(name) => name[1..]
                .parse::<usize>()
                .ok()
                .and_then(|number| number.checked_sub(1))
                .ok_or_else(|| {
                    sqlx::Error::Protocol(format!("parameter {name} is not numbered from $1"))
                })?,
        };
        let value = values.get(argument).ok_or_else(|| {
            sqlx::Error::Protocol(format!(
                "the query has parameter ${} but {} values were bound",
                argument + 1,
                values.len()
            ))
        })?;
        statement
            .raw_bind_parameter(index, sqlite_value(value)?)
            .map_err(driver_error)?;
    }
    Ok(())
}

fn sqlite_value(value: &AnyValueKind) -> StoreResult<ToSqlOutput<'_>> {
    let value = match value {
        AnyValueKind::Null(_) => ValueRef::Null,
        AnyValueKind::Bool(value) => ValueRef::Integer(i64::from(*value)),
        AnyValueKind::SmallInt(value) => ValueRef::Integer(i64::from(*value)),
        AnyValueKind::Integer(value) => ValueRef::Integer(i64::from(*value)),
        AnyValueKind::BigInt(value) => ValueRef::Integer(*value),
        AnyValueKind::Real(value) => ValueRef::Real(f64::from(*value)),
        AnyValueKind::Double(value) => ValueRef::Real(*value),
        AnyValueKind::Text(value) => ValueRef::Text(value.as_bytes()),
        AnyValueKind::TextSlice(value) => ValueRef::Text(value.as_bytes()),
        AnyValueKind::Blob(value) => ValueRef::Blob(value),
        other => {
            return Err(sqlx::Error::Protocol(format!("cannot bind {other:?} to SQLite")).into());
        }
    };
    Ok(ToSqlOutput::Borrowed(value))
}

/// A value as sqlx's SQLite driver gives it to `Any`: by its storage class.
fn any_value(value: ValueRef<'_>) -> StoreResult<AnyValueKind> {
    Ok(match value {
        ValueRef::Null => AnyValueKind::Null(AnyTypeInfoKind::Null),
        ValueRef::Integer(value) => AnyValueKind::BigInt(value),
        ValueRef::Real(value) => AnyValueKind::Double(value),
        ValueRef::Text(text) => AnyValueKind::Text(Arc::new(
            String::from_utf8(text.to_vec()).map_err(|error| sqlx::Error::Decode(error.into()))?,
        )),
        ValueRef::Blob(bytes) => AnyValueKind::Blob(Arc::new(bytes.to_vec())),
    })
}

fn driver_error(error: rusqlite::Error) -> crate::StoreError {
    sqlx::Error::AnyDriverError(error.into()).into()
}

#[cfg(test)]
mod tests {
    use sqlx::Row;

    use super::*;

    fn readers() -> SqliteReaders {
        SqliteReaders::new("sqlite::memory:").unwrap()
    }

    #[test]
    fn numbered_parameters_bind_by_number_and_bare_ones_in_order() {
        let rows = readers()
            .read(
                sqlx::query("SELECT $2 AS second, $1 AS first, $2 || $1 AS both")
                    .bind("a")
                    .bind("b"),
                usize::MAX,
                |row| {
                    Ok((
                        row.try_get::<String, _>("second")?,
                        row.try_get::<String, _>("first")?,
                        row.try_get::<String, _>("both")?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(rows, [("b".into(), "a".into(), "ba".into())]);

        let bare = readers()
            .read(
                sqlx::query("SELECT ? + 10 AS n, ? AS m")
                    .bind(1_i64)
                    .bind(2_i32),
                usize::MAX,
                |row| Ok((row.try_get::<i64, _>("n")?, row.try_get::<i64, _>(1)?)),
            )
            .unwrap();
        assert_eq!(bare, [(11, 2)]);
    }

    #[test]
    fn values_come_back_as_sqlx_s_sqlite_driver_gives_them() {
        let rows = readers()
            .read(
                sqlx::query(
                    "SELECT $1 AS yes, 2.5 AS real, NULL AS absent, x'00ff' AS bytes, $2 AS text",
                )
                .bind(true)
                .bind(Some("café".to_owned())),
                usize::MAX,
                |row| {
                    Ok((
                        row.try_get::<i64, _>("yes")?,
                        row.try_get::<f64, _>("real")?,
                        row.try_get::<Option<String>, _>("absent")?,
                        row.try_get::<Vec<u8>, _>("bytes")?,
                        row.try_get::<String, _>("text")?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(rows, [(1, 2.5, None, vec![0, 255], "café".to_owned())]);
    }

    #[test]
    fn a_read_stops_at_its_limit_and_reads_every_row_without_one() {
        let sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5) \
                   SELECT i FROM n";
        let readers = readers();
        let count = |limit| {
            readers
                .read(sqlx::query(sql), limit, |row| {
                    Ok(row.try_get::<i64, _>("i")?)
                })
                .unwrap()
        };
        assert_eq!(count(1), [1]);
        assert_eq!(count(usize::MAX), [1, 2, 3, 4, 5]);
    }

    #[test]
    fn mistakes_are_errors_and_the_connection_is_kept_for_the_next_read() {
        let readers = readers();
        let one = |query| readers.read(query, 1, |row| Ok(row.try_get::<i64, _>(0)?));
        assert!(one(sqlx::query("SELECT * FROM no_such_table")).is_err());
        assert!(
            one(sqlx::query("SELECT $2").bind(1_i64)).is_err(),
            "$2 unbound"
        );
        assert!(one(sqlx::query("SELECT 'text'")).is_err(), "not an integer");
        assert!(
            one(sqlx::query("SELECT CAST(x'ff' AS TEXT)")).is_err(),
            "not UTF-8"
        );
        assert!(
            one(sqlx::query("CREATE TABLE t (x INTEGER)")).is_err(),
            "readers only read"
        );
        assert_eq!(readers.idle.lock().unwrap().len(), 1, "kept");
        assert_eq!(one(sqlx::query("SELECT 42")).unwrap(), [42]);
    }

    /// A read stopped at its limit must not keep its snapshot: an idle reader holding one would
    /// stop every checkpoint from emptying the write-ahead log.
    #[test]
    fn a_read_stopped_early_leaves_no_snapshot_behind() {
        let directory = tempfile::tempdir().unwrap();
        let file = directory.path().join("t.db");
        let writer = Connection::open(&file).unwrap();
        writer
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); \
                 INSERT INTO t VALUES (1), (2), (3);",
            )
            .unwrap();
        let readers = SqliteReaders::new(&format!("sqlite://{}", file.display())).unwrap();
        let first = readers
            .read(sqlx::query("SELECT x FROM t ORDER BY x"), 1, |row| {
                Ok(row.try_get::<i64, _>("x")?)
            })
            .unwrap();
        assert_eq!(first, [1]);
        assert_eq!(readers.idle.lock().unwrap().len(), 1, "the reader is idle");
        writer.execute_batch("INSERT INTO t VALUES (4)").unwrap();
        let busy: i64 = writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
            .unwrap();
        assert_eq!(busy, 0, "the log was emptied: no reader held on to it");
    }

    #[test]
    fn once_closed_nothing_is_read() {
        let readers = readers();
        readers
            .read(sqlx::query("SELECT 1"), 1, |_| Ok(()))
            .unwrap();
        readers.close();
        assert!(readers.idle.lock().unwrap().is_empty());
        let error = readers
            .read(sqlx::query("SELECT 1"), 1, |_| Ok(()))
            .unwrap_err();
        assert!(error.is_unavailable(), "{error}");
    }
}
