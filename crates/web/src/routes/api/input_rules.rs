//! What the API refuses before any use case runs, said in its OpenAPI document so that a
//! client (and schemathesis, in CI) can tell a valid request from one the server will refuse:
//! no invisible or control characters in any text (the edge check of `clean_input`), email
//! addresses in the ASCII form the directory keeps, and no field a request does not have
//! (`ApiJson` refuses unknown fields). Applied to the generated document as JSON because the
//! rules cut across every schema, where utoipa's attributes would repeat them on every field.

use serde_json::{Map, Value, json};

/// Text without the characters `upward_domain::text::is_invisible` refuses (tab, line feed
/// and carriage return are allowed).
const INVISIBLE: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF";

/// An address as `Email::parse` accepts it: printable ASCII, one `@`, a dotted domain that
/// neither starts nor ends with a dot.
const EMAIL: &str = r"^[!-?A-~]+@[!-\-/-?A-~][!-?A-~]*\.[!-?A-~]*[!-\-/-?A-~]$";

pub struct InputRules;

impl utoipa::Modify for InputRules {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut document = serde_json::to_value(&*openapi).expect("the document is JSON");
        merge_compositions(&mut document);
        let sent = components_requests_use(&document);
        if let Some(schemas) = document.pointer_mut("/components/schemas")
            && let Some(schemas) = schemas.as_object_mut()
        {
            for (name, schema) in schemas.iter_mut() {
                if sent.contains(name) {
                    tighten(schema);
                }
            }
        }
        let operations = document.get_mut("paths").and_then(Value::as_object_mut);
        for operation in operations.into_iter().flat_map(|p| p.values_mut()) {
            for method in operation
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                for part in ["parameters", "requestBody"] {
                    if let Some(input) = method.get_mut(part) {
                        tighten(input);
                    }
                }
            }
        }
        *openapi = serde_json::from_value(document).expect("the tightened document");
    }
}

/// A struct that flattens another (`#[serde(flatten)]`, an `allOf` in the document) becomes
/// one object with the properties of both, so it can be closed to unknown fields as the
/// server is (a closed part of an `allOf` would refuse the other part's properties).
fn merge_compositions(document: &mut Value) {
    let Some(Value::Object(schemas)) = document.pointer("/components/schemas").cloned() else {
        return;
    };
    for (name, schema) in &schemas {
        let Some(Value::Array(parts)) = schema.get("allOf") else {
            continue;
        };
        let mut merged = json!({"type": "object", "properties": {}, "required": []});
        for part in parts {
            let part = match part.get("$ref").and_then(Value::as_str) {
                Some(reference) => &schemas[reference.rsplit('/').next().unwrap_or("")],
                None => part,
            };
            if let Some(Value::Object(properties)) = part.get("properties") {
                merged["properties"]
                    .as_object_mut()
                    .expect("an object")
                    .extend(properties.clone());
            }
            if let Some(Value::Array(required)) = part.get("required") {
                merged["required"]
                    .as_array_mut()
                    .expect("an array")
                    .extend(required.iter().cloned());
            }
        }
        if let Some(description) = schema.get("description") {
            merged["description"] = description.clone();
        }
        document["components"]["schemas"][name] = merged;
    }
}

/// The components a request body or parameter reaches, directly or through other components:
/// the rules are about what a client sends (an error answer may quote what it refused).
fn components_requests_use(document: &Value) -> std::collections::BTreeSet<String> {
    let mut found = std::collections::BTreeSet::new();
    let mut waiting = Vec::new();
    for operation in document["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for method in operation.as_object().into_iter().flat_map(|o| o.values()) {
            for part in ["parameters", "requestBody"] {
                collect_refs(&method[part], &mut waiting);
            }
        }
    }
    while let Some(name) = waiting.pop() {
        if found.insert(name.clone()) {
            collect_refs(&document["components"]["schemas"][&name], &mut waiting);
        }
    }
    found
}

fn collect_refs(value: &Value, names: &mut Vec<String>) {
    match value {
        Value::Object(object) => {
            if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
                names.push(reference.rsplit('/').next().unwrap_or("").to_owned());
            }
            object.values().for_each(|v| collect_refs(v, names));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, names)),
        _ => {}
    }
}

/// Adds the rules to every schema below `value`.
fn tighten(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if is_string_schema(object) {
                add_visible_text(object);
            }
            if object.contains_key("properties") {
                object
                    .entry("additionalProperties")
                    .or_insert(Value::Bool(false));
            }
            if let Some(Value::Object(properties)) = object.get_mut("properties")
                && let Some(Value::Object(email)) = properties.get_mut("email")
                && is_string_schema(email)
            {
                email.insert("pattern".into(), json!(EMAIL));
                email.insert("maxLength".into(), json!(254));
            }
            for (key, child) in object.iter_mut() {
                match (key.as_str(), child) {
                    // A map from names to schemas, not a schema itself.
                    ("properties", Value::Object(properties)) => {
                        properties.values_mut().for_each(tighten)
                    }
                    // Values, not schemas.
                    ("example" | "examples" | "default" | "enum" | "const", _) => {}
                    (_, child) => tighten(child),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tighten),
        _ => {}
    }
}

fn is_string_schema(object: &Map<String, Value>) -> bool {
    match object.get("type") {
        Some(Value::String(kind)) => kind == "string",
        Some(Value::Array(kinds)) => kinds.iter().any(|k| k == "string"),
        _ => false,
    }
}

/// Text that is free (no format, choice or pattern of its own) may hold anything visible; a
/// pattern that only asks for a non-blank value becomes "non-blank and visible".
fn add_visible_text(object: &mut Map<String, Value>) {
    if ["enum", "format", "const"]
        .iter()
        .any(|key| object.contains_key(*key))
    {
        return;
    }
    let pattern = match object.get("pattern").and_then(Value::as_str) {
        None => format!("^[^{INVISIBLE}]*$"),
        Some(r"\S") => format!(r"^[^{INVISIBLE}]*[^\s{INVISIBLE}][^{INVISIBLE}]*$"),
        Some(_) => return,
    };
    object.insert("pattern".into(), Value::String(pattern));
}
