//! Signing in without a password: asking for a sign-in or reset link, and the pages the mailed
//! links open (sign-in, invitation, new password). Opening a link shows a page; only its
//! button (a POST) uses the link, because mail scanners open every link they see.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use upward_app::access::LinkView;
use upward_app::auth::MIN_PASSWORD_CHARS;
use upward_app::{AppError, AppResult};
use upward_domain::{LinkPurpose, User};

use super::Layout;
use super::forms::FormState;
use crate::AppState;
use crate::auth::{ClientAddress, session_cookie};
use crate::csrf::CsrfToken;
use crate::error::{PageError, capitalise, render, status_of};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/sign-in-link", Audience::Anyone, sign_in_link_form)
        .post("/sign-in-link", Audience::Anyone, ask_sign_in_link)
        .get("/forgot-password", Audience::Anyone, reset_form)
        .post("/forgot-password", Audience::Anyone, ask_reset)
        .get("/sign-in/{token}", Audience::Anyone, sign_in_page)
        .post("/sign-in/{token}", Audience::Anyone, sign_in)
        .get("/invitation/{token}", Audience::Anyone, invitation_page)
        .post("/invitation/{token}", Audience::Anyone, accept_invitation)
        .get(
            "/reset-password/{token}",
            Audience::Anyone,
            new_password_page,
        )
        .post("/reset-password/{token}", Audience::Anyone, set_password)
}

/// What differs between asking for a sign-in link and asking for a reset link.
struct Request {
    purpose: LinkPurpose,
    action: &'static str,
    heading: &'static str,
    explanation: &'static str,
    button: &'static str,
}

const SIGN_IN: Request = Request {
    purpose: LinkPurpose::SignIn,
    action: "/sign-in-link",
    heading: "Sign in with a link by email",
    explanation: "No password needed: enter your work email and we send you a link that signs you in.",
    button: "Email me a sign-in link",
};

const RESET: Request = Request {
    purpose: LinkPurpose::Reset,
    action: "/forgot-password",
    heading: "Forgot your password?",
    explanation: "Enter your work email and we send you a link to choose a new password.",
    button: "Email me a reset link",
};

#[derive(Template)]
#[template(path = "link_request.html")]
struct RequestPage {
    layout: Layout,
    form: FormState,
    message: Option<String>,
    heading: &'static str,
    explanation: &'static str,
    action: &'static str,
    button: &'static str,
}

fn request_page(
    request: &Request,
    csrf: CsrfToken,
    form: FormState,
    message: Option<String>,
) -> Response {
    render(&RequestPage {
        layout: Layout {
            csrf: csrf.0,
            ..Layout::bare(request.heading)
        },
        form,
        message,
        heading: request.heading,
        explanation: request.explanation,
        action: request.action,
        button: request.button,
    })
}

async fn sign_in_link_form(csrf: CsrfToken) -> Response {
    request_page(&SIGN_IN, csrf, FormState::default(), None)
}

async fn reset_form(csrf: CsrfToken) -> Response {
    request_page(&RESET, csrf, FormState::default(), None)
}

async fn ask_sign_in_link(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    csrf: CsrfToken,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    ask(&state, &SIGN_IN, &client, csrf, values).await
}

async fn ask_reset(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    csrf: CsrfToken,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    ask(&state, &RESET, &client, csrf, values).await
}

#[derive(Template)]
#[template(path = "link_sent.html")]
struct SentPage {
    layout: Layout,
    email: String,
    within: String,
    again: &'static str,
}

async fn ask(
    state: &AppState,
    request: &Request,
    client: &str,
    csrf: CsrfToken,
    values: HashMap<String, String>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let email = form.value("email").trim().to_owned();
    match state
        .app
        .request_link(request.purpose, &email, client)
        .await
    {
        Ok(()) => Ok(render(&SentPage {
            layout: Layout::bare("Check your mail"),
            email,
            within: state.app.link_lifetime_words(request.purpose),
            again: request.action,
        })),
        Err(error @ AppError::TooManyRequests { .. }) => {
            let status = status_of(&error);
            let message = Some(format!("{}.", capitalise(&error.to_string())));
            Ok((status, request_page(request, csrf, form, message)).into_response())
        }
        Err(error) => {
            form.absorb(error)?;
            let page = request_page(request, csrf, form, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template)]
#[template(path = "link_use.html")]
struct UsePage {
    layout: Layout,
    view: LinkView,
    action: String,
    button: &'static str,
}

#[derive(Template)]
#[template(path = "link_dead.html")]
struct DeadPage {
    layout: Layout,
    again: &'static str,
    again_label: &'static str,
}

/// The answer to a link that does not work: 410, and a way to get a new one.
fn dead_link(purpose: LinkPurpose) -> Response {
    let (again, again_label) = match purpose {
        LinkPurpose::Reset => ("/forgot-password", "Email me a new reset link"),
        _ => ("/sign-in-link", "Email me a new sign-in link"),
    };
    let page = DeadPage {
        layout: Layout::bare("This link no longer works"),
        again,
        again_label,
    };
    (StatusCode::GONE, render(&page)).into_response()
}

/// The page a sign-in or invitation link opens: a button, or why the link no longer works.
async fn link_page(
    state: &AppState,
    csrf: CsrfToken,
    token: &str,
    purpose: LinkPurpose,
) -> Result<Response, PageError> {
    let Some(view) = state.app.link_view(token, purpose).await? else {
        return Ok(dead_link(purpose));
    };
    let (path, title, button) = match purpose {
        LinkPurpose::Invitation => ("invitation", "Your invitation", "Continue to the programme"),
        _ => ("sign-in", "Sign in", "Sign in"),
    };
    Ok(render(&UsePage {
        layout: Layout {
            csrf: csrf.0,
            ..Layout::bare(title)
        },
        view,
        action: format!("/{path}/{token}"),
        button,
    }))
}

async fn sign_in_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    link_page(&state, csrf, &token, LinkPurpose::SignIn).await
}

async fn invitation_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    link_page(&state, csrf, &token, LinkPurpose::Invitation).await
}

async fn sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    use_link(&state, jar, &token, LinkPurpose::SignIn).await
}

async fn accept_invitation(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    use_link(&state, jar, &token, LinkPurpose::Invitation).await
}

/// Uses the link and starts a session: home after a sign-in link, the programme's enrolment
/// form after an invitation.
async fn use_link(
    state: &AppState,
    jar: CookieJar,
    token: &str,
    purpose: LinkPurpose,
) -> Result<Response, PageError> {
    let Some((user, programme)) = state.app.sign_in_with_link(token, purpose).await? else {
        return Ok(dead_link(purpose));
    };
    let next = match programme {
        Some(id) => format!("/programmes/{}/enrol", id.0),
        None => "/".to_owned(),
    };
    // Under single sign-on only, an invitation leads to the organisation's sign-in instead.
    if state.app.refuse_outside_sso(&user).is_err() {
        let to = format!(
            "/sso/start?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        );
        return Ok(Redirect::to(&to).into_response());
    }
    signed_in(state, jar, &user, &next).await
}

async fn signed_in(
    state: &AppState,
    jar: CookieJar,
    user: &User,
    next: &str,
) -> Result<Response, PageError> {
    let token = state.app.start_session(user).await?;
    Ok((jar.add(session_cookie(state, token)), Redirect::to(next)).into_response())
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct NewPasswordPage {
    layout: Layout,
    form: FormState,
    email: String,
    action: String,
    min_chars: usize,
}

fn new_password_form(csrf: CsrfToken, token: &str, email: String, form: FormState) -> Response {
    render(&NewPasswordPage {
        layout: Layout {
            csrf: csrf.0,
            ..Layout::bare("Choose a new password")
        },
        form,
        email,
        action: format!("/reset-password/{token}"),
        min_chars: MIN_PASSWORD_CHARS,
    })
}

async fn new_password_page(
    State(state): State<AppState>,
    csrf: CsrfToken,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    match state.app.link_view(&token, LinkPurpose::Reset).await? {
        Some(view) => Ok(new_password_form(
            csrf,
            &token,
            view.email,
            FormState::default(),
        )),
        None => Ok(dead_link(LinkPurpose::Reset)),
    }
}

async fn set_password(
    State(state): State<AppState>,
    jar: CookieJar,
    csrf: CsrfToken,
    Path(token): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let outcome: AppResult<Option<User>> =
        if form.value("password") != form.value("repeat_password") {
            Err(AppError::invalid(
                "repeat_password",
                "the two passwords differ",
            ))
        } else {
            state
                .app
                .reset_password_with_link(&token, form.value("password"))
                .await
        };
    match outcome {
        Ok(Some(user)) => signed_in(&state, jar, &user, "/").await,
        Ok(None) => Ok(dead_link(LinkPurpose::Reset)),
        Err(error) => {
            form.absorb(error)?;
            form.values.retain(|key, _| key == "csrf");
            let Some(view) = state.app.link_view(&token, LinkPurpose::Reset).await? else {
                return Ok(dead_link(LinkPurpose::Reset));
            };
            let page = new_password_form(csrf, &token, view.email, form);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}
