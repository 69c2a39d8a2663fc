//! The JSON API, version 1: bearer-token authentication, the same use cases as the pages, and
//! an OpenAPI document generated from these handlers at `/api/v1/openapi.json`.

mod access;
mod agreements;
mod directory;
mod goals;
mod input_rules;
mod matching;
mod meetings;
mod programme_managers;
mod programmes;
mod schedule;

use axum::Json;
use axum::extract::{FromRequest, Request, State};
use serde::{Deserialize, Serialize};
use upward_app::AppError;
use upward_domain::User;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};
use input_rules::InputRules;

pub fn routes() -> Routes {
    Routes::new()
        .get("/openapi.json", Audience::Anyone, openapi)
        .post("/auth/token", Audience::Anyone, issue_token)
        .get("/auth/tokens", Audience::SignedIn, my_tokens)
        .delete("/auth/tokens/{id}", Audience::Owner, revoke_token)
        .get("/me", Audience::SignedIn, me)
        .get("/me/data", Audience::SignedIn, my_data)
        .merge(access::routes())
        .merge(programmes::routes())
        .merge(programme_managers::routes())
        .merge(directory::routes())
        .merge(matching::routes())
        .merge(schedule::routes())
        .merge(meetings::routes())
        .merge(agreements::routes())
        .merge(goals::routes())
        .fallback(not_found)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Upward API", version = "1", description = "Reverse mentoring programmes: accounts, directory, programmes, enrolment, matching runs and pairings."),
    paths(
        issue_token, my_tokens, revoke_token, me, my_data, access::sign_in_link, access::password_reset, access::invite,
        access::invitation_counts,
        programmes::list, programmes::create, programmes::show, programmes::update, programmes::change_phase,
        programmes::clone, programmes::enrolments, programmes::import_enrolments, programmes::my_enrolment,
        programmes::enrol, programmes::withdraw, programmes::enrolment,
        programme_managers::list, programme_managers::add, programme_managers::remove,
        directory::people, directory::import_people, directory::export_people, directory::erase_person, directory::accounts,
        directory::create_account, directory::set_role, directory::audit,
        matching::start, matching::runs, matching::run, matching::publish, matching::pair_by_hand, matching::pairings,
        matching::set_rule, matching::my_pairings, matching::my_pairing, matching::act,
        schedule::proposal, schedule::change, meetings::accept, meetings::meetings, meetings::record, meetings::outcome, meetings::move_meeting,
        meetings::pairing_calendar, meetings::meeting_calendar, meetings::feed, meetings::revoke_feed, meetings::feed_calendar,
        agreements::programme_agreement, agreements::edit, agreements::pairing_agreement, agreements::sign,
        goals::goals, goals::add, goals::update, goals::remove, goals::figures,
    ),
    modifiers(&BearerAuth, &StandardErrors, &InputRules),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The errors every operation can answer, documented once for all of them: no or a dead
/// token (401, on the operations that need one), a role that may not (403), something that
/// does not exist or is not the caller's (404), a body or parameter that does not parse or
/// breaks a rule (422), a body too large (413), too many requests (429), and a database that
/// cannot be reached just now (503). Each answers the JSON `ErrorBody`.
struct StandardErrors;

impl utoipa::Modify for StandardErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let error = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let public = operation
                    .security
                    .as_ref()
                    .is_some_and(|s| s.iter().all(|r| r == &Default::default()));
                let mut standard = vec![
                    ("403", "Your role may not do this"),
                    ("404", "Not found, or not yours to see"),
                    ("413", "The body is too large"),
                    ("422", "A parameter or the body is not valid"),
                    ("429", "Too many requests; try again later"),
                    ("503", "The database cannot be reached just now"),
                ];
                if !public {
                    standard.push(("401", "No valid bearer token"));
                }
                for (status, description) in standard {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(description).into());
                }
            }
        }
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("this API route".into()))
}

/// The `?page=` of a paged list, from 1 (the default) to 1,000,000.
fn page_number(page: Option<i64>) -> Result<i64, ApiError> {
    let page = page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(AppError::invalid("page", "pages are numbered from 1 to 1,000,000").into());
    }
    Ok(page)
}

/// A list's filters as `&name=value…` for the `Link` header (empty values left out).
fn filter_query<'a>(filters: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let encoded = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(filters.into_iter().filter(|(_, value)| !value.is_empty()))
        .finish();
    if encoded.is_empty() {
        encoded
    } else {
        format!("&{encoded}")
    }
}

/// A page of a list as the API answers it: the items as a JSON array, with `X-Total-Count` (how
/// many match) and an RFC 8288 `Link` to the `next` and `prev` pages (`query` carries the
/// list's filters, as `&name=value…`).
fn paged(
    items: &impl Serialize,
    page: i64,
    per_page: i64,
    total: i64,
    path: &str,
    query: &str,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let link = |page: i64, rel: &str| format!("<{path}?page={page}{query}>; rel=\"{rel}\"");
    let mut links = Vec::new();
    if page * per_page < total {
        links.push(link(page + 1, "next"));
    }
    if page > 1 {
        links.push(link(page - 1, "prev"));
    }
    // Written into a plain Vec rather than through axum's `Json`, whose BytesMut writer took a
    // call for each of the thousands of small pieces serde_json writes a page in.
    let mut response = match serde_json::to_vec(items) {
        Ok(body) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response(),
        Err(error) => return ApiError(AppError::Internal(error.into())).into_response(),
    };
    let headers = response.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(total));
    if !links.is_empty() {
        headers.insert(
            header::LINK,
            HeaderValue::from_str(&links.join(", ")).expect("a plain header value"),
        );
    }
    response
}

/// A path parameter whose rejection (an id that is not a number, say) answers the API's own
/// JSON error: 404, since no such thing can exist.
pub struct ApiPath<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<AppState>
    for ApiPath<T>
{
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError(AppError::NotFound(format!(
                "this address ({})",
                rejection.body_text()
            )))),
        }
    }
}

/// A query string whose rejection (a number too large, say) answers the API's JSON error
/// (422, naming what did not parse) instead of axum's plain text.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> axum::extract::FromRequestParts<AppState>
    for ApiQuery<T>
{
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError(AppError::invalid("query", rejection.body_text()))),
        }
    }
}

/// JSON input whose rejections (malformed JSON, a wrong type, a value that does not parse)
/// become the API's own error body with the reason. A field the request does not have is
/// refused too, naming it: a misspelt optional field would otherwise be dropped without a word,
/// and the OpenAPI document promises `additionalProperties: false`.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let invalid = |problem: String| ApiError(AppError::invalid("body", problem));
        let Json(mut value) = Json::<serde_json::Value>::from_request(request, state)
            .await
            .map_err(|rejection| invalid(rejection.body_text()))?;
        whole_numbers_as_integers(&mut value);
        let mut unknown = None;
        let mut note_unknown = |path: serde_ignored::Path| {
            unknown.get_or_insert_with(|| path.to_string());
        };
        // The path names the field a value is wrong in ("name: invalid type…").
        let parsed = serde_path_to_error::deserialize(serde_ignored::Deserializer::new(
            value,
            &mut note_unknown,
        ))
        .map_err(|error| invalid(error.to_string()))?;
        match unknown {
            Some(field) => Err(invalid(format!(
                "'{field}' is not a field of this request (see /api/v1/openapi.json)"
            ))),
            None => Ok(Self(parsed)),
        }
    }
}

/// JSON Schema counts `25.0` as the integer 25, and the OpenAPI document promises integers in
/// those terms; serde would refuse it for an integer field. So every number without a
/// fractional part (within the range of i64) is read as that integer; a float field reads an
/// integer as well as before.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float.abs() < 9.0e15
            {
                *value = serde_json::Value::from(float as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(fields) => {
            fields.values_mut().for_each(whole_numbers_as_integers);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::whole_numbers_as_integers;
    use serde_json::json;

    #[test]
    fn whole_numbers_written_as_floats_read_as_integers_and_others_stay() {
        let mut value =
            json!({"progress": 25.0, "list": [3.0, 2.5], "weight": 1.5, "n": 7, "big": 1e300});
        whole_numbers_as_integers(&mut value);
        assert_eq!(
            value,
            json!({"progress": 25, "list": [3, 2.5], "weight": 1.5, "n": 7, "big": 1e300})
        );
        assert!(value["progress"].is_u64() || value["progress"].is_i64());
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
    /// A name to recognise the token by, such as "reporting script".
    #[serde(default)]
    label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    user: User,
}

/// Exchange an email and password for a bearer token (rate-limited like the log-in page).
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn issue_token(
    State(state): State<AppState>,
    crate::auth::ClientAddress(client): crate::auth::ClientAddress,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (user, token) = state
        .app
        .issue_api_token(&request.email, &request.password, &request.label, &client)
        .await?;
    Ok(Json(TokenResponse { token, user }))
}

/// The caller's API tokens: id, label, when made and when they expire (never the tokens).
#[utoipa::path(get, path = "/api/v1/auth/tokens", responses((status = 200, body = Vec<upward_store::ApiToken>), (status = 401, body = ErrorBody)))]
async fn my_tokens(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<upward_store::ApiToken>>, ApiError> {
    Ok(Json(state.app.my_api_tokens(&user).await?))
}

/// Revoke one of the caller's API tokens (the one in use included).
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    state.app.revoke_my_api_token(&user, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Everything Upward holds about the caller (their right of access), as JSON.
#[utoipa::path(get, path = "/api/v1/me/data", responses((status = 200, body = upward_app::personal_data::MyData)))]
async fn my_data(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<upward_app::personal_data::MyData>, ApiError> {
    Ok(Json(state.app.my_data(&user).await?))
}

/// The account the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(user): ApiUser) -> Json<User> {
    Json(user)
}
