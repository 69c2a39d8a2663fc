//! SCIM 2.0 (RFC 7643, RFC 7644) under `/scim/v2`, so an identity provider or HR system keeps
//! the directory current: Users, and the discovery documents that describe them. Requests
//! carry a bearer token an admin made (`upward scim-token create`, or the Provisioning page).

mod discovery;
mod resource;
mod users;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use upward_app::AppError;
use upward_app::provisioning::ScimClient;

use crate::AppState;
use crate::routes::table::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(discovery::routes())
        .merge(users::routes())
        .fallback(|| async { ScimError::new(404, None, "no such SCIM endpoint") })
}

pub const CONTENT_TYPE: &str = "application/scim+json";

/// A SCIM answer: the JSON with SCIM's media type.
pub struct Scim(pub StatusCode, pub Value);

impl IntoResponse for Scim {
    fn into_response(self) -> Response {
        let mut response = (self.0, self.1.to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
        response
    }
}

/// An error in SCIM's own format (RFC 7644 §3.12).
#[derive(Debug)]
pub struct ScimError {
    status: u16,
    scim_type: Option<&'static str>,
    detail: String,
}

impl ScimError {
    pub fn new(status: u16, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        Self {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidValue"), detail)
    }

    pub fn invalid_syntax(detail: impl Into<String>) -> Self {
        Self::new(400, Some("invalidSyntax"), detail)
    }
}

impl From<AppError> for ScimError {
    fn from(error: AppError) -> Self {
        let detail = crate::error::capitalise(&error.to_string());
        match error {
            AppError::Unauthenticated => {
                Self::new(401, None, "a live SCIM bearer token is required")
            }
            AppError::Forbidden(_) => Self::new(403, None, detail),
            AppError::NotFound(_) => Self::new(404, None, detail),
            AppError::Invalid(_) | AppError::ImportRejected(_) => Self::invalid_value(detail),
            AppError::Conflict(_) => Self::new(409, Some("uniqueness"), detail),
            AppError::TooManyAttempts { .. } | AppError::TooManyRequests { .. } => {
                Self::new(429, None, detail)
            }
            AppError::TooLarge(_) => Self::new(413, None, detail),
            AppError::Unavailable(_) => Self::new(503, None, detail),
            AppError::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error on SCIM");
                Self::new(
                    500,
                    None,
                    "something went wrong on Upward's side; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(scim_type) = self.scim_type {
            body["scimType"] = json!(scim_type);
        }
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = Scim(status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"Upward SCIM\""),
            );
        }
        response
    }
}

/// The identity provider, proven by its bearer token.
pub struct ScimCaller(pub ScimClient);

impl FromRequestParts<AppState> for ScimCaller {
    type Rejection = ScimError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .ok_or(AppError::Unauthenticated)?;
        Ok(Self(state.app.scim_client(token.trim()).await?))
    }
}

/// Reads a JSON body whatever its declared type (`application/scim+json` or `application/json`).
pub fn json_body(body: &[u8]) -> Result<Value, ScimError> {
    serde_json::from_slice(body)
        .map_err(|e| ScimError::invalid_syntax(format!("the body is not JSON: {e}")))
}
