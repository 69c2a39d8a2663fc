//! What Upward's SCIM service offers (RFC 7644 §4): the service provider configuration, the
//! one resource type, and the schemas of the attributes Upward reads and keeps.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde_json::{Value, json};
use upward_app::provisioning::MAX_SCIM_PAGE;

use super::resource::{CORE, ENTERPRISE, UPWARD};
use super::{Scim, ScimCaller, ScimError};
use crate::AppState;
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/ServiceProviderConfig",
            Audience::Provisioning,
            service_provider_config,
        )
        .get("/ResourceTypes", Audience::Provisioning, resource_types)
        .get("/ResourceTypes/{id}", Audience::Provisioning, resource_type)
        .get("/Schemas", Audience::Provisioning, schemas)
        .get("/Schemas/{id}", Audience::Provisioning, schema)
}

fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

async fn service_provider_config(State(state): State<AppState>, ScimCaller(_): ScimCaller) -> Scim {
    let base = state.app.settings.base_url();
    Scim(
        StatusCode::OK,
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": format!("{base}/api/v1/openapi.json"),
            "patch": {"supported": true},
            "bulk": {"supported": false, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": true, "maxResults": MAX_SCIM_PAGE},
            "changePassword": {"supported": false},
            "sort": {"supported": false},
            "etag": {"supported": false},
            "authenticationSchemes": [{
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "A token an Upward admin makes with `upward scim-token create --label NAME` or on the Provisioning page",
                "primary": true,
            }],
            "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{base}/scim/v2/ServiceProviderConfig")},
        }),
    )
}

fn user_resource_type(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "User",
        "name": "User",
        "endpoint": "/Users",
        "description": "A person in the organisation's directory",
        "schema": CORE,
        "schemaExtensions": [
            {"schema": ENTERPRISE, "required": false},
            {"schema": UPWARD, "required": true},
        ],
        "meta": {"resourceType": "ResourceType", "location": format!("{base}/scim/v2/ResourceTypes/User")},
    })
}

async fn resource_types(State(state): State<AppState>, ScimCaller(_): ScimCaller) -> Scim {
    let base = state.app.settings.base_url();
    Scim(StatusCode::OK, list(vec![user_resource_type(&base)]))
}

async fn resource_type(
    State(state): State<AppState>,
    ScimCaller(_): ScimCaller,
    Path(id): Path<String>,
) -> Result<Scim, ScimError> {
    if id != "User" {
        return Err(ScimError::new(
            404,
            None,
            format!("no resource type '{id}'"),
        ));
    }
    Ok(Scim(
        StatusCode::OK,
        user_resource_type(&state.app.settings.base_url()),
    ))
}

/// One attribute's definition, with RFC 7643 §7's defaults spelled out.
fn attribute(name: &str, kind: &str, description: &str) -> Value {
    json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": description,
        "required": false,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
    })
}

fn with(mut attribute: Value, extra: Value) -> Value {
    if let (Some(target), Value::Object(extra)) = (attribute.as_object_mut(), extra) {
        target.extend(extra);
    }
    attribute
}

fn user_schema() -> Value {
    json!({
        "id": CORE,
        "name": "User",
        "description": "A person in the organisation's directory",
        "attributes": [
            with(attribute("userName", "string", "The identity provider's unique name for the person; their email if it is one"),
                json!({"required": true, "uniqueness": "server"})),
            with(attribute("name", "complex", "The person's name"), json!({"subAttributes": [
                attribute("formatted", "string", "The full name"),
                attribute("familyName", "string", "The family name"),
                attribute("givenName", "string", "The given name"),
            ]})),
            attribute("displayName", "string", "The name Upward shows; else the formatted name, else given and family names"),
            with(attribute("active", "boolean", "False deactivates: no sign-in, never matched again; history stays"), json!({})),
            with(attribute("emails", "complex", "Email addresses; the primary (else the first) is the person's address in Upward"),
                json!({"multiValued": true, "required": true, "subAttributes": [
                    with(attribute("value", "string", "The address"), json!({"required": true})),
                    with(attribute("type", "string", "work, home or other"), json!({"canonicalValues": ["work", "home", "other"]})),
                    attribute("primary", "boolean", "The address Upward uses"),
                ]})),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{CORE}")},
    })
}

fn enterprise_schema() -> Value {
    json!({
        "id": ENTERPRISE,
        "name": "EnterpriseUser",
        "description": "Where the person sits in the organisation",
        "attributes": [
            attribute("department", "string", "The department"),
            with(attribute("manager", "complex", "Whom the person reports to"), json!({"subAttributes": [
                attribute("value", "string", "The manager's id in this service"),
                with(attribute("$ref", "reference", "The manager's resource"), json!({"referenceTypes": ["User"]})),
                with(attribute("displayName", "string", "The manager's name"), json!({"mutability": "readOnly"})),
            ]})),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{ENTERPRISE}")},
    })
}

/// The IANA time zones suggested in the schema; any IANA name is accepted.
const SUGGESTED_ZONES: [&str; 12] = [
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
];

fn upward_schema() -> Value {
    let levels: Vec<String> = (1..=20).map(|level| level.to_string()).collect();
    json!({
        "id": UPWARD,
        "name": "UpwardUser",
        "description": "What Upward needs to match mentors and mentees",
        "attributes": [
            with(attribute("jobLevel", "string", "Seniority from 1 (most junior) to 20 (most senior), as digits"),
                json!({"required": true, "canonicalValues": levels})),
            with(attribute("timeZone", "string", "An IANA time zone name (UTC if none is sent)"),
                json!({"canonicalValues": SUGGESTED_ZONES})),
            attribute("location", "string", "Where the person works (a site or city)"),
        ],
        "meta": {"resourceType": "Schema", "location": format!("/scim/v2/Schemas/{UPWARD}")},
    })
}

fn all_schemas() -> Vec<Value> {
    let mut schemas = vec![user_schema(), enterprise_schema(), upward_schema()];
    for schema in &mut schemas {
        schema["schemas"] = json!(["urn:ietf:params:scim:schemas:core:2.0:Schema"]);
    }
    schemas
}

async fn schemas(ScimCaller(_): ScimCaller) -> Scim {
    Scim(StatusCode::OK, list(all_schemas()))
}

async fn schema(ScimCaller(_): ScimCaller, Path(id): Path<String>) -> Result<Scim, ScimError> {
    all_schemas()
        .into_iter()
        .find(|schema| schema["id"] == id.as_str())
        .map(|schema| Scim(StatusCode::OK, schema))
        .ok_or_else(|| ScimError::new(404, None, format!("no schema '{id}'")))
}
