//! `/scim/v2/Users`: list (with `userName eq` filter and paging), create, read, replace,
//! patch and delete (which deactivates).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use upward_app::provisioning::MAX_SCIM_PAGE;
use upward_domain::PersonId;

use super::resource::{self, Operation};
use super::{Scim, ScimCaller, ScimError, json_body};
use crate::AppState;
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/Users", Audience::Provisioning, list)
        .post("/Users", Audience::Provisioning, create)
        .post("/Users/.search", Audience::Provisioning, search)
        // A search at the root covers every resource type; Users is the only one.
        .post("/.search", Audience::Provisioning, search)
        .get("/Users/{id}", Audience::Provisioning, show)
        .put("/Users/{id}", Audience::Provisioning, replace)
        .patch("/Users/{id}", Audience::Provisioning, patch)
        .delete("/Users/{id}", Audience::Provisioning, delete)
}

fn person_id(id: &str) -> Result<PersonId, ScimError> {
    id.parse()
        .map(PersonId)
        .map_err(|_| ScimError::new(404, None, format!("no user has the id '{id}'")))
}

/// `userName eq "value"`, the one filter identity providers send; anything else is refused.
fn user_name_filter(filter: &str) -> Result<String, ScimError> {
    let mut words = filter.trim().splitn(3, char::is_whitespace);
    match (words.next(), words.next(), words.next()) {
        (Some(attribute), Some(op), Some(value))
            if attribute.eq_ignore_ascii_case("userName") && op.eq_ignore_ascii_case("eq") =>
        {
            let value = value.trim();
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .ok_or_else(|| {
                    ScimError::new(
                        400,
                        Some("invalidFilter"),
                        "quote the value: userName eq \"…\"",
                    )
                })?;
            Ok(unquoted.replace("\\\"", "\""))
        }
        _ => Err(ScimError::new(
            400,
            Some("invalidFilter"),
            format!("Upward filters users by userName eq \"…\" only, not '{filter}'"),
        )),
    }
}

fn number(query: &HashMap<String, String>, name: &str, default: i64) -> Result<i64, ScimError> {
    match query.get(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse()
            .map_err(|_| ScimError::invalid_value(format!("{name} must be a whole number"))),
    }
}

/// Which users, which page, and which attributes of each: from the query string of a GET or
/// the body of a POST to `/.search`.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListQuery {
    filter: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
    #[serde(default)]
    attributes: Vec<String>,
    #[serde(default)]
    excluded_attributes: Vec<String>,
}

fn names(query: &HashMap<String, String>, key: &str) -> Vec<String> {
    query
        .get(key)
        .map(|list| {
            list.split(',')
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn list_query(query: &HashMap<String, String>) -> Result<ListQuery, ScimError> {
    Ok(ListQuery {
        filter: query.get("filter").cloned(),
        start_index: Some(number(query, "startIndex", 1)?),
        count: Some(number(query, "count", 100)?),
        attributes: names(query, "attributes"),
        excluded_attributes: names(query, "excludedAttributes"),
    })
}

async fn list(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Scim, ScimError> {
    answer_list(&state, &client, list_query(&query)?).await
}

async fn search(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    body: Bytes,
) -> Result<Scim, ScimError> {
    let query: ListQuery = serde_json::from_value(json_body(&body)?)
        .map_err(|e| ScimError::invalid_syntax(format!("not a SearchRequest: {e}")))?;
    answer_list(&state, &client, query).await
}

async fn answer_list(
    state: &AppState,
    client: &upward_app::provisioning::ScimClient,
    query: ListQuery,
) -> Result<Scim, ScimError> {
    let user_name = query.filter.as_deref().map(user_name_filter).transpose()?;
    // startIndex counts from 1 (RFC 7644 §3.4.2.4); smaller values mean 1.
    let start = query.start_index.unwrap_or(1).max(1);
    let count = query.count.unwrap_or(100).clamp(0, MAX_SCIM_PAGE);
    let (users, total) = state
        .app
        .scim_users(client, user_name.as_deref(), start - 1, count)
        .await?;
    let base = state.app.settings.base_url();
    let resources: Vec<Value> = users
        .iter()
        .map(|u| {
            let mut drawn = resource::draw(u, &base);
            resource::select(&mut drawn, &query.attributes, &query.excluded_attributes);
            drawn
        })
        .collect();
    Ok(Scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        }),
    ))
}

async fn create(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    body: Bytes,
) -> Result<Scim, ScimError> {
    let user = resource::read(&json_body(&body)?)?;
    let created = state.app.scim_create(&client, user).await?;
    Ok(Scim(
        StatusCode::CREATED,
        resource::draw(&created, &state.app.settings.base_url()),
    ))
}

async fn show(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Scim, ScimError> {
    let user = state.app.scim_user(&client, person_id(&id)?).await?;
    let mut drawn = resource::draw(&user, &state.app.settings.base_url());
    resource::select(
        &mut drawn,
        &names(&query, "attributes"),
        &names(&query, "excludedAttributes"),
    );
    Ok(Scim(StatusCode::OK, drawn))
}

async fn replace(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Scim, ScimError> {
    replace_with(&state, &client, person_id(&id)?, &json_body(&body)?).await
}

/// Stores `resource` as the whole of the user and answers it as stored (PUT, and PATCH once
/// its operations are applied).
async fn replace_with(
    state: &AppState,
    client: &upward_app::provisioning::ScimClient,
    id: PersonId,
    resource: &Value,
) -> Result<Scim, ScimError> {
    let user = resource::read(resource)?;
    let replaced = state.app.scim_replace(client, id, user).await?;
    Ok(Scim(
        StatusCode::OK,
        resource::draw(&replaced, &state.app.settings.base_url()),
    ))
}

#[derive(serde::Deserialize)]
struct PatchRequest {
    #[serde(rename = "Operations", alias = "operations")]
    operations: Vec<Operation>,
}

async fn patch(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Scim, ScimError> {
    let id = person_id(&id)?;
    let request: PatchRequest = serde_json::from_value(json_body(&body)?)
        .map_err(|e| ScimError::invalid_syntax(format!("not a PatchOp: {e}")))?;
    let current = state.app.scim_user(&client, id).await?;
    let mut drawn = resource::draw(&current, &state.app.settings.base_url());
    resource::patch(&mut drawn, &request.operations)?;
    replace_with(&state, &client, id, &drawn).await
}

async fn delete(
    State(state): State<AppState>,
    ScimCaller(client): ScimCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ScimError> {
    state.app.scim_delete(&client, person_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
