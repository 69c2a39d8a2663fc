//! Cross-site request forgery protection for every page form: the double-submit pattern
//! (docs/decisions/002). A random token lives in a `SameSite=Strict`, `HttpOnly` cookie; each
//! form repeats it in a hidden `csrf` field (file uploads too: it is found among the multipart
//! fields), and a POST whose two copies differ is refused before any handler runs. The token is
//! never put in a URL, where it would end up in the address bar, history and logs. Once
//! someone is signed in, the form token is bound to their session ([`form_token`]): a token
//! seen for one session is worthless in another.

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};

use crate::AppState;

pub const CSRF_COOKIE: &str = "upward_csrf";
/// Form bodies larger than this are refused (uploads go through multipart, not this path).
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The token for the forms of the page being rendered.
#[derive(Clone)]
pub struct CsrfToken(pub String);

impl FromRequestParts<AppState> for CsrfToken {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .unwrap_or(CsrfToken(String::new())))
    }
}

/// The token a form must carry: the cookie's own before signing in; once signed in, one bound
/// to the session, derived from both (so the cookie alone, or a token from another session,
/// does not pass).
pub fn form_token(cookie_token: &str, session: Option<&str>) -> String {
    match session {
        Some(session) => upward_app::auth::token_hash(&format!("csrf:{cookie_token}:{session}")),
        None => cookie_token.to_owned(),
    }
}

pub async fn protect(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let jar = CookieJar::from_headers(request.headers());
    let existing = jar
        .get(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32);
    let session = jar
        .get(crate::auth::SESSION_COOKIE)
        .map(|c| c.value().to_owned());
    if request.method() == Method::POST {
        let expected = existing
            .as_deref()
            .map(|token| form_token(token, session.as_deref()));
        return match verified(request, expected.as_deref()).await {
            Ok(mut request) => {
                // A rejected form is rendered again and needs the same token.
                request
                    .extensions_mut()
                    .insert(CsrfToken(expected.unwrap_or_default()));
                next.run(request).await
            }
            Err(response) => response,
        };
    }
    let token = existing.clone().unwrap_or_else(upward_app::auth::new_token);
    let mut request = request;
    request
        .extensions_mut()
        .insert(CsrfToken(form_token(&token, session.as_deref())));
    let mut response = next.run(request).await;
    if existing.is_none() {
        let cookie = Cookie::build((CSRF_COOKIE, token))
            .path("/")
            .http_only(true)
            .secure(state.app.settings.secure_cookies)
            .same_site(SameSite::Strict)
            .build();
        if let Ok(value) = cookie.to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

async fn verified(request: Request, cookie_token: Option<&str>) -> Result<Request, Response> {
    let refuse = || {
        (StatusCode::FORBIDDEN, "This form has expired or did not come from Upward. Go back, reload the page and try again.")
            .into_response()
    };
    let Some(expected) = cookie_token else {
        return Err(refuse());
    };
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let boundary = multer::parse_boundary(&content_type).ok();
    if boundary.is_none() && !content_type.starts_with("application/x-www-form-urlencoded") {
        return Err(refuse());
    }
    let limit = if boundary.is_some() {
        crate::routes::pages::MAX_UPLOAD_BYTES
    } else {
        MAX_FORM_BYTES
    };
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response())?;
    let given = match boundary {
        Some(boundary) => multipart_field(bytes.clone(), boundary, "csrf").await,
        None => field(&bytes, "csrf"),
    };
    match given {
        Some(given) if given == expected => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(refuse()),
    }
}

/// The text of a multipart form's field, read from the buffered body (the handler reads the
/// same bytes again).
async fn multipart_field(body: axum::body::Bytes, boundary: String, name: &str) -> Option<String> {
    let stream = futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
    let mut fields = multer::Multipart::new(stream, boundary);
    while let Ok(Some(field)) = fields.next_field().await {
        if field.name() == Some(name) {
            return field.text().await.ok();
        }
    }
    None
}

fn field(encoded: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(encoded)
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_token_is_found_among_other_fields() {
        assert_eq!(
            super::field(b"name=a&csrf=xyz%2B1&b=2", "csrf").as_deref(),
            Some("xyz+1")
        );
        assert_eq!(super::field(b"name=a", "csrf"), None);
    }
}
