//! The organisation directory: import, export and browse.

use upward_store::{ImportCounts, PeoplePage};

use crate::import::{export_people, parse_people};
use crate::policy::{Admin, Manager};
use crate::{App, AppError, AppResult};

pub const PEOPLE_PAGE_SIZE: i64 = 50;

impl App {
    /// Imports the directory from CSV: every row is checked first; one bad row imports nothing.
    pub async fn import_people(&self, admin: &Admin, csv: &[u8]) -> AppResult<ImportCounts> {
        let stored = self.store.reporting_lines().await?;
        let people =
            parse_people(csv, &stored, Self::current_year()).map_err(AppError::ImportRejected)?;
        let counts = self.store.upsert_people(&people).await?;
        let detail = format!("{} added, {} updated", counts.added, counts.updated);
        self.audit(admin.user(), "people.import", "directory", &detail)
            .await?;
        Ok(counts)
    }

    /// The whole directory as CSV, including the sensitive columns: admins only.
    pub async fn export_people(&self, _admin: &Admin) -> AppResult<Vec<u8>> {
        let people = self.store.all_people().await?;
        let mut csv = Vec::new();
        export_people(&people, &mut csv).map_err(|e| AppError::Internal(e.into()))?;
        Ok(csv)
    }

    /// One page (from 1) of the directory, filtered by a search text.
    pub async fn people_page(
        &self,
        _manager: &Manager,
        search: &str,
        page: i64,
    ) -> AppResult<PeoplePage> {
        let offset = (page.clamp(1, 1_000_000) - 1) * PEOPLE_PAGE_SIZE;
        Ok(self
            .store
            .people_page(search, offset, PEOPLE_PAGE_SIZE)
            .await?)
    }
}
