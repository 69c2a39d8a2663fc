//! Reading HTML forms: values kept as typed so a rejected form is shown again unchanged, with
//! each problem under its field.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::http::StatusCode;
use upward_app::import::ImportProblem;
use upward_app::{AppError, AppResult};
use upward_domain::FieldProblem;
use upward_store::ImportCounts;

#[derive(Debug, Default, Clone)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: HashMap<String, String>,
}

impl FormState {
    pub fn new(values: HashMap<String, String>) -> Self {
        Self {
            values,
            errors: HashMap::new(),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.value(name).is_empty()
    }

    /// `selected` when the field holds `option`, for `<option>` elements.
    pub fn selected(&self, name: &str, option: &str) -> &'static str {
        if self.value(name) == option {
            "selected"
        } else {
            ""
        }
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors.get(name).map(String::as_str)
    }

    /// `true` for `aria-invalid` on fields with a problem.
    pub fn invalid(&self, name: &str) -> &'static str {
        if self.errors.contains_key(name) {
            "true"
        } else {
            "false"
        }
    }

    /// The id of a field's error message, which its input names in `aria-describedby`.
    pub fn error_id(&self, name: &str) -> String {
        format!("{name}-error")
    }

    /// ` aria-describedby="…"` tying an input to its error message, when it has one, so screen
    /// readers read the problem with the field.
    pub fn describedby(&self, name: &str) -> String {
        if self.errors.contains_key(name) {
            format!(" aria-describedby=\"{}\"", self.error_id(name))
        } else {
            String::new()
        }
    }

    pub fn add_error(&mut self, field: &str, problem: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_insert_with(|| problem.into());
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// Takes the field problems of a use-case error into the form, or hands other errors back.
    pub fn absorb(&mut self, error: AppError) -> Result<(), AppError> {
        match error {
            AppError::Invalid(problems) => {
                for FieldProblem { field, problem } in problems {
                    self.add_error(field, problem);
                }
                Ok(())
            }
            other => Err(other),
        }
    }
}

/// An uploaded file from a multipart form, by field name.
pub async fn uploaded_file(mut multipart: Multipart, field: &str) -> Result<Vec<u8>, AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        AppError::invalid("file", format!("the upload could not be read: {e}"))
    };
    while let Some(part) = multipart.next_field().await.map_err(unreadable)? {
        if part.name() == Some(field) {
            let bytes = part.bytes().await.map_err(unreadable)?;
            if bytes.is_empty() {
                return Err(AppError::invalid("file", "choose a CSV file to upload"));
            }
            return Ok(bytes.to_vec());
        }
    }
    Err(AppError::invalid("file", "choose a CSV file to upload"))
}

/// What an upload page shows after an import: the counts, or why nothing was imported.
#[derive(Debug, Default)]
pub struct ImportOutcome {
    pub imported: Option<ImportCounts>,
    pub upload_error: Option<String>,
    pub problems: Vec<ImportProblem>,
}

impl ImportOutcome {
    /// Turns an import's result into what the page shows and its status; errors that are not
    /// about the file are handed back.
    pub fn of(result: AppResult<ImportCounts>) -> Result<(StatusCode, Self), AppError> {
        let mut outcome = Self::default();
        match result {
            Ok(counts) => {
                outcome.imported = Some(counts);
                return Ok((StatusCode::OK, outcome));
            }
            Err(AppError::ImportRejected(problems)) => outcome.problems = problems,
            Err(AppError::Invalid(problems)) => {
                outcome.upload_error = problems.into_iter().next().map(|p| p.problem)
            }
            Err(other) => return Err(other),
        }
        Ok((StatusCode::UNPROCESSABLE_ENTITY, outcome))
    }
}

/// One page of a long list: where it is, and the addresses of its neighbours (the list's own
/// filters kept in `base`, which ends in `?` or `&`).
pub struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    base: String,
}

impl Pager {
    pub const SIZE: i64 = 50;

    /// Far beyond any real list; keeps the offset arithmetic far from overflowing.
    const MAX_PAGE: i64 = 1_000_000;

    /// The page asked for (`?page=N`, from 1), before the total is known.
    pub fn requested(query: &std::collections::HashMap<String, String>) -> i64 {
        query
            .get("page")
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
            .clamp(1, Self::MAX_PAGE)
    }

    /// The last page of a list of `total`, for a request beyond it.
    pub fn last_page(total: i64) -> i64 {
        ((total + Self::SIZE - 1) / Self::SIZE).max(1)
    }

    pub fn offset(page: i64) -> i64 {
        (page - 1) * Self::SIZE
    }

    pub fn new(page: i64, total: i64, base: String) -> Self {
        let pages = Self::last_page(total);
        Self {
            page: page.min(pages),
            pages,
            total,
            base,
        }
    }

    pub fn link(&self, page: i64) -> String {
        format!("{}page={page}", self.base)
    }
}
