//! The one mapping from use-case errors to HTTP responses: user mistakes become 4xx with a
//! message they can act on (JSON for the API, a page for people); internal errors are logged
//! with their cause chain and shown as a bare 500.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;
use upward_app::AppError;
use upward_app::import::ImportProblem;
use upward_domain::FieldProblem;

pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Invalid(_) | AppError::ImportRejected(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::TooManyAttempts { .. } | AppError::TooManyRequests { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message a user sees: the error itself, except for internal errors, whose details stay
/// in the log.
fn public_message(error: &AppError) -> String {
    match error {
        AppError::Internal(cause) => {
            tracing::error!(error = ?cause, "internal error");
            "Something went wrong on our side. It has been logged; please try again.".into()
        }
        AppError::NotFound(what) => {
            format!("{} was not found (or you cannot see it)", capitalise(what))
        }
        other => capitalise(&other.to_string()),
    }
}

pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// An error answered as JSON: `{"error": "...", "problems": [...], "import_problems": [...]}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<FieldProblem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub import_problems: Vec<ImportProblem>,
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let body = ErrorBody {
            error: public_message(&self.0),
            problems: match &self.0 {
                AppError::Invalid(problems) => problems.clone(),
                _ => Vec::new(),
            },
            import_problems: match &self.0 {
                AppError::ImportRejected(problems) => problems.clone(),
                _ => Vec::new(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                "Bearer".parse().expect("a valid header"),
            );
        }
        response
    }
}

/// An error answered as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(error: E) -> Self {
        Self(error.into())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: crate::routes::pages::Layout,
    content: ErrorContent,
}

/// What an error page says. It travels with the response so that [`frame_error_pages`] can
/// draw it again inside the signed-in layout (the handler that failed may not have known who
/// was signed in).
#[derive(Debug, Clone)]
pub struct ErrorContent {
    status: u16,
    title: &'static str,
    message: String,
    import_problems: Vec<ImportProblem>,
    /// Where to go from here, in a sentence.
    next_step: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let content = ErrorContent {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            message: public_message(&self.0),
            next_step: next_step(&self.0),
            import_problems: match self.0 {
                AppError::ImportRejected(problems) => problems,
                _ => Vec::new(),
            },
        };
        error_page(content, crate::routes::pages::Layout::bare("Error"))
    }
}

/// What someone who met the error can do about it.
fn next_step(error: &AppError) -> &'static str {
    match error {
        AppError::Unauthenticated => "Sign in, then try again.",
        AppError::Forbidden(_) => "If you think you should have access, ask your Upward admin.",
        AppError::NotFound(_) => "Check the address, or start again from the home page.",
        AppError::Invalid(_) | AppError::ImportRejected(_) => {
            "Go back, correct what is named above and send it again: nothing was saved."
        }
        AppError::Conflict(_) => "Reload the page to see the current state, then try again.",
        AppError::TooManyAttempts { .. } | AppError::TooManyRequests { .. } => {
            "Wait a few minutes, then try again."
        }
        AppError::TooLarge(_) => "Send less at once: files go through an import.",
        AppError::Unavailable(_) => "Try again in a moment.",
        AppError::Internal(_) => "Try again in a moment; if it keeps happening, tell your admin.",
    }
}

fn error_page(content: ErrorContent, mut layout: crate::routes::pages::Layout) -> Response {
    let status = StatusCode::from_u16(content.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    layout.title = format!("{} {}", content.status, content.title);
    let mut response = (
        status,
        render(&ErrorPage {
            layout,
            content: content.clone(),
        }),
    )
        .into_response();
    response.extensions_mut().insert(content);
    response
}

/// Draws error pages inside the layout of whoever is signed in, so an error keeps the
/// navigation and the way back.
pub async fn frame_error_pages(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let session = axum_extra::extract::CookieJar::from_headers(request.headers())
        .get(crate::auth::SESSION_COOKIE)
        .map(|cookie| cookie.value().to_owned());
    let csrf = request
        .extensions()
        .get::<crate::csrf::CsrfToken>()
        .cloned();
    let response = next.run(request).await;
    let (Some(content), Some(session)) = (response.extensions().get::<ErrorContent>(), session)
    else {
        return response;
    };
    match state.app.session_user(&session).await {
        Ok(Some(user)) => {
            let csrf = csrf.unwrap_or(crate::csrf::CsrfToken(String::new()));
            let layout = crate::routes::pages::Layout::new("Error", &user, &csrf, "");
            error_page(content.clone(), layout)
        }
        _ => response,
    }
}

/// Any address no page answers.
pub async fn page_not_found() -> PageError {
    PageError(AppError::NotFound("this page".into()))
}

/// Renders a template; a template that fails to render is a bug, reported as a 500.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "a template failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal error").into_response()
        }
    }
}
