//! The edge check on everything people type: no control or invisible character gets past it
//! in a query string, a form or a JSON body (CSV files are checked cell by cell by the
//! importers, which name line and column). Such characters break storage (PostgreSQL refuses
//! NUL) and let two texts look the same while differing, so they are refused with a 422 that
//! names the field, before any handler runs. Bodies too large to check answer 413.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use upward_app::AppError;

use crate::error::{ApiError, PageError};

/// The largest form or JSON body read: far above any real form (imports are files, sent as
/// multipart or CSV, and not read here).
const MAX_BODY_BYTES: usize = 1024 * 1024;

pub async fn refuse_invisible(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if let Some(query) = request.uri().query()
        && let Some((field, problem)) = first_problem_in_pairs(query.as_bytes())
    {
        return refusal(&path, &field, &problem);
    }
    let kind = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let form = kind.starts_with("application/x-www-form-urlencoded");
    let json = kind.starts_with("application/json") || kind.starts_with("application/scim+json");
    if !form && !json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY_BYTES).await else {
        return too_large(&path);
    };
    let problem = if form {
        first_problem_in_pairs(&bytes)
    } else {
        // Malformed JSON is left to the handler, which says what is wrong with it.
        serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|value| first_problem_in_json(&value, "body"))
    };
    if let Some((field, problem)) = problem {
        return refusal(&path, &field, &problem);
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn first_problem_in_pairs(bytes: &[u8]) -> Option<(String, String)> {
    form_urlencoded::parse(bytes).find_map(|(name, value)| {
        upward_domain::text::visible(&name)
            .and_then(|()| upward_domain::text::visible(&value))
            .err()
            .map(|e| (name.into_owned(), e.0))
    })
}

/// The first string (or key) with a bad character, named by its path in the document.
fn first_problem_in_json(value: &Value, path: &str) -> Option<(String, String)> {
    match value {
        Value::String(text) => upward_domain::text::visible(text)
            .err()
            .map(|e| (path.to_owned(), e.0)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(k, item)| first_problem_in_json(item, &format!("{path}[{k}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let here = format!("{path}.{key}");
            upward_domain::text::visible(key)
                .err()
                .map(|e| (here.clone(), e.0))
                .or_else(|| first_problem_in_json(item, &here))
        }),
        _ => None,
    }
}

fn refusal(path: &str, field: &str, problem: &str) -> Response {
    let field = field.trim_start_matches("body.");
    let message = format!("the field '{field}' {problem}");
    if path.starts_with("/scim/") {
        return crate::routes::scim::ScimError::invalid_value(message).into_response();
    }
    let error = AppError::invalid("input", message);
    if path.starts_with("/api/") {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}

fn too_large(path: &str) -> Response {
    let error = AppError::TooLarge(format!(
        "the request is larger than {} KB",
        MAX_BODY_BYTES / 1024
    ));
    if path.starts_with("/api/") || path.starts_with("/scim/") {
        ApiError(error).into_response()
    } else {
        PageError(error).into_response()
    }
}
