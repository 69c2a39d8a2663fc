//! The errors a use case can end in, named by what the caller should do about them.

use upward_domain::{FieldProblem, PhaseError};
use upward_store::StoreError;

use crate::import::ImportProblem;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("please log in")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{}", describe_problems(.0))]
    Invalid(Vec<FieldProblem>),
    #[error("the file was not imported: {} problem(s), starting with: {}", .0.len(), .0.first().map(ToString::to_string).unwrap_or_default())]
    ImportRejected(Vec<ImportProblem>),
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached just now; the request can be tried again.
    #[error("{0}")]
    Unavailable(String),
    /// The request is larger than Upward reads.
    #[error("{0}")]
    TooLarge(String),
    #[error(
        "too many failed log-in attempts; try again in {}",
        wait_words(retry_after_seconds)
    )]
    TooManyAttempts { retry_after_seconds: i64 },
    #[error("too many requests; try again in {retry_after_minutes} minutes")]
    TooManyRequests { retry_after_minutes: i64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

/// A wait in words: `40 seconds`, `15 minutes`.
fn wait_words(seconds: &i64) -> String {
    match *seconds {
        s if s < 60 => format!("{s} second{}", if s == 1 { "" } else { "s" }),
        s => {
            let minutes = (s + 59) / 60;
            format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
        }
    }
}

fn describe_problems(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    pub fn invalid(field: &'static str, problem: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldProblem {
            field,
            problem: problem.into(),
        }])
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { what } => AppError::NotFound(what),
            StoreError::Conflict { what } => AppError::Conflict(what),
            StoreError::Invalid { what } => AppError::invalid("data", what),
            error if error.is_unavailable() => AppError::Unavailable(
                "the database cannot be reached just now; try again in a moment".into(),
            ),
            StoreError::Other(error) => {
                AppError::Internal(anyhow::Error::new(error).context("storage failed"))
            }
        }
    }
}

impl From<PhaseError> for AppError {
    fn from(error: PhaseError) -> Self {
        AppError::Conflict(error.to_string())
    }
}
