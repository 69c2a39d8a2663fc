//! Kept counts through bulk changes: on PostgreSQL a bulk change pauses one table's count trigger
//! and recounts once, at its end, in the same transaction (migration 0022, decision 035).

use sqlx::{Any, Transaction};

use crate::sql::{Backend, SqlStore, map_error};
use crate::{ProgrammeId, StoreResult};

/// The counts a bulk change would otherwise update once per row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Counted {
    /// How many people the directory holds.
    People,
    /// How many mentors and mentees a programme has enrolled.
    Enrolments(ProgrammeId),
    /// How many pairings a programme has in each state.
    Pairings(ProgrammeId),
}

impl Counted {
    fn table(self) -> &'static str {
        match self {
            Counted::People => "people",
            Counted::Enrolments(_) => "enrolments",
            Counted::Pairings(_) => "pairings",
        }
    }
}

/// Counts paused for the rest of a transaction, until `recount` sets them right.
#[must_use = "the kept counts are wrong until `recount` runs in the same transaction"]
pub(crate) struct CountsDue(Option<Counted>);

impl SqlStore {
    /// Pauses `counted`'s trigger for the rest of `tx`. On SQLite, which updates a counter row in
    /// place, the trigger keeps counting and this does nothing.
    pub(crate) async fn count_at_end(
        &self,
        tx: &mut Transaction<'_, Any>,
        counted: Counted,
    ) -> StoreResult<CountsDue> {
        if self.backend != Backend::Postgres {
            return Ok(CountsDue(None));
        }
        sqlx::query("SELECT set_config('upward.recounting', $1, true)")
            .bind(counted.table())
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
        Ok(CountsDue(Some(counted)))
    }
}

impl CountsDue {
    /// Counts what was paused, from the rows as `tx` now sees them, and turns counting back on
    /// for the rest of `tx`.
    pub(crate) async fn recount(self, tx: &mut Transaction<'_, Any>) -> StoreResult<()> {
        let query = match self.0 {
            None => return Ok(()),
            Some(Counted::People) => sqlx::query("SELECT recount_people()"),
            Some(Counted::Enrolments(programme)) => {
                sqlx::query("SELECT recount_enrolments($1)").bind(programme.0)
            }
            Some(Counted::Pairings(programme)) => {
                sqlx::query("SELECT recount_pairings($1)").bind(programme.0)
            }
        };
        query.execute(&mut **tx).await.map_err(map_error)?;
        Ok(())
    }
}
