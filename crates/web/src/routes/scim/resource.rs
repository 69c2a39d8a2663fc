//! The SCIM User resource on the wire (RFC 7643): reading what an identity provider sends into
//! a [`ProvisionedUser`], drawing a stored person as a resource, and PATCH (RFC 7644 §3.5.2)
//! applied to that drawing. Written here because no maintained Rust crate implements SCIM
//! PATCH paths; the subset is the one identity providers send (attribute, sub-attribute, one
//! `eq` value filter, extension URN prefixes).

use serde_json::{Map, Value, json};
use upward_app::provisioning::ProvisionedUser;
use upward_domain::{Email, JobLevel, TimeZoneName};
use upward_store::ScimUser;

use super::ScimError;

pub const CORE: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const UPWARD: &str = "urn:upward:params:scim:schemas:extension:upward:2.0:User";
pub const EXTENSIONS: [&str; 2] = [ENTERPRISE, UPWARD];

/// The time zone of someone provisioned without one; they can set their own on their profile.
pub const DEFAULT_TIME_ZONE: &str = "UTC";

/// Reads a resource as sent (POST, PUT, or the result of a PATCH).
pub fn read(resource: &Value) -> Result<ProvisionedUser, ScimError> {
    let object = resource
        .as_object()
        .ok_or_else(|| ScimError::invalid_syntax("the body must be a JSON object"))?;
    let user_name =
        text(object, "userName").ok_or_else(|| ScimError::invalid_value("userName is required"))?;
    let email = email_of(object, &user_name)?;
    let name = display_name(object).unwrap_or_else(|| user_name.clone());
    let enterprise = extension(object, ENTERPRISE);
    let upward = extension(object, UPWARD);
    let job_level = match upward.and_then(|u| field(u, "jobLevel")) {
        Some(level) => {
            let number = match level {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            number.and_then(|n| JobLevel::new(n).ok()).ok_or_else(|| {
                ScimError::invalid_value(format!(
                    "{UPWARD}:jobLevel must be a whole number from 1 to 20"
                ))
            })?
        }
        None => {
            return Err(ScimError::invalid_value(format!(
                "{UPWARD}:jobLevel (1 to 20) is required: Upward matches mentors and mentees by level"
            )));
        }
    };
    let zone = upward
        .and_then(|u| text(u, "timeZone"))
        .or_else(|| text(object, "timezone"))
        .unwrap_or_else(|| DEFAULT_TIME_ZONE.to_owned());
    let time_zone = TimeZoneName::parse(&zone).map_err(|e| ScimError::invalid_value(e.0))?;
    let manager = enterprise
        .and_then(|e| field(e, "manager"))
        .and_then(|m| match m {
            Value::String(id) => Some(id.clone()),
            Value::Object(reference) => text(reference, "value"),
            _ => None,
        });
    Ok(ProvisionedUser {
        user_name,
        email,
        name: name.chars().take(200).collect(),
        job_level,
        time_zone,
        department: enterprise.and_then(|e| text(e, "department")).map(capped),
        location: upward.and_then(|u| text(u, "location")).map(capped),
        manager,
        active: active_of(object.get("active"))?,
        attributes: Value::Object(stored_attributes(object)).to_string(),
    })
}

fn capped(value: String) -> String {
    value.chars().take(200).collect()
}

/// What is kept of a resource as sent: everything but what the server assigns.
fn stored_attributes(object: &Map<String, Value>) -> Map<String, Value> {
    object
        .iter()
        .filter(|(key, _)| !["id", "meta", "schemas"].contains(&key.to_ascii_lowercase().as_str()))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

fn email_of(object: &Map<String, Value>, user_name: &str) -> Result<Email, ScimError> {
    let emails = field(object, "emails").and_then(Value::as_array);
    let listed = emails.and_then(|list| {
        let value = |e: &Value| e.as_object().and_then(|e| text(e, "value"));
        list.iter()
            .find(|e| e.get("primary").and_then(Value::as_bool) == Some(true))
            .and_then(value)
            .or_else(|| list.iter().find_map(value))
    });
    let address = listed.unwrap_or_else(|| user_name.to_owned());
    Email::parse(&address).map_err(|_| {
        ScimError::invalid_value("a user needs an email address: in emails, or as the userName")
    })
}

fn display_name(object: &Map<String, Value>) -> Option<String> {
    text(object, "displayName").or_else(|| {
        let name = field(object, "name")?.as_object()?;
        text(name, "formatted").or_else(|| {
            let parts: Vec<String> = ["givenName", "familyName"]
                .iter()
                .filter_map(|part| text(name, part))
                .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        })
    })
}

/// `active` as a boolean, or as the string some identity providers send ("False").
fn active_of(value: Option<&Value>) -> Result<bool, ScimError> {
    match value {
        None | Some(Value::Null) => Ok(true),
        Some(Value::Bool(active)) => Ok(*active),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("true") => Ok(true),
        Some(Value::String(text)) if text.eq_ignore_ascii_case("false") => Ok(false),
        Some(_) => Err(ScimError::invalid_value("active must be true or false")),
    }
}

/// An attribute by name, ignoring case as RFC 7643 §2.1 asks.
fn field<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| value)
}

fn text(object: &Map<String, Value>, name: &str) -> Option<String> {
    field(object, name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn extension<'a>(object: &'a Map<String, Value>, urn: &str) -> Option<&'a Map<String, Value>> {
    field(object, urn).and_then(Value::as_object)
}

/// The person as a resource: what the identity provider last wrote, with the values Upward
/// keeps (which a directory import may since have changed) written over it.
pub fn draw(user: &ScimUser, base_url: &str) -> Value {
    let person = &user.person;
    let mut object = user
        .attributes
        .as_deref()
        .and_then(|json| serde_json::from_str::<Map<String, Value>>(json).ok())
        .unwrap_or_else(|| drawn_from_directory(user));
    object.insert("userName".into(), json!(user.user_name));
    // Someone whose identity provider never said (or removed) `active` is active; say so only
    // when it was said, or when they are not.
    if object.contains_key("active") || !user.active {
        object.insert("active".into(), json!(user.active));
    }
    object.insert("id".into(), json!(user.id.0.to_string()));
    if let Some(Value::Object(enterprise)) = object.get_mut(ENTERPRISE)
        && enterprise.contains_key("department")
    {
        enterprise.insert("department".into(), json!(person.department));
    }
    if let Some(Value::Object(upward)) = object.get_mut(UPWARD) {
        upward.insert("jobLevel".into(), json!(person.job_level.get().to_string()));
        if upward.contains_key("timeZone") {
            upward.insert("timeZone".into(), json!(person.time_zone.as_str()));
        }
        if upward.contains_key("location") {
            upward.insert("location".into(), json!(person.location));
        }
    }
    let mut schemas = vec![json!(CORE)];
    schemas.extend(
        EXTENSIONS
            .iter()
            .filter(|urn| object.contains_key(**urn))
            .map(|urn| json!(urn)),
    );
    object.insert("schemas".into(), Value::Array(schemas));
    let location = format!("{base_url}/scim/v2/Users/{}", user.id.0);
    object.insert(
        "meta".into(),
        json!({
            "resourceType": "User",
            "location": location,
            "lastModified": user.updated_at.to_string(),
        }),
    );
    Value::Object(object)
}

/// A person the identity provider did not create (imported from a file) as a resource.
fn drawn_from_directory(user: &ScimUser) -> Map<String, Value> {
    let person = &user.person;
    let mut upward = json!({
        "jobLevel": person.job_level.get().to_string(),
        "timeZone": person.time_zone.as_str(),
    });
    if let Some(location) = &person.location {
        upward["location"] = json!(location);
    }
    let mut object = json!({
        "displayName": person.name,
        "active": user.active,
        "name": {"formatted": person.name},
        "emails": [{"value": person.email.as_str(), "type": "work", "primary": true}],
        UPWARD: upward,
    });
    if let Some(department) = &person.department {
        object[ENTERPRISE] = json!({"department": department});
    }
    match object {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// One PATCH operation (RFC 7644 §3.5.2).
#[derive(Debug, serde::Deserialize)]
pub struct Operation {
    op: String,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    value: Option<Value>,
}

/// Applies the operations, in order, to a resource.
pub fn patch(resource: &mut Value, operations: &[Operation]) -> Result<(), ScimError> {
    for operation in operations {
        let op = operation.op.to_ascii_lowercase();
        match (op.as_str(), operation.path.as_deref()) {
            ("add" | "replace", None) => {
                let Some(Value::Object(values)) = &operation.value else {
                    return Err(ScimError::invalid_value(
                        "an operation without a path needs an object value",
                    ));
                };
                for (key, value) in values {
                    let path = Path::parse(key)?;
                    path.write(resource, value.clone(), op == "add")?;
                }
            }
            ("add" | "replace", Some(path)) => {
                let value = operation
                    .value
                    .clone()
                    .ok_or_else(|| ScimError::invalid_value("add and replace need a value"))?;
                Path::parse(path)?.write(resource, value, op == "add")?;
            }
            ("remove", Some(path)) => Path::parse(path)?.remove(resource)?,
            ("remove", None) => {
                return Err(ScimError::new(400, Some("noTarget"), "remove needs a path"));
            }
            _ => {
                return Err(ScimError::invalid_syntax(format!(
                    "unknown operation '{}': use add, replace or remove",
                    operation.op
                )));
            }
        }
    }
    Ok(())
}

/// A PATCH path: an optional extension, an attribute, an optional `[sub eq "value"]` filter
/// and an optional sub-attribute.
#[derive(Debug)]
struct Path {
    extension: Option<&'static str>,
    attribute: String,
    filter: Option<(String, String)>,
    sub_attribute: Option<String>,
}

impl Path {
    fn parse(text: &str) -> Result<Self, ScimError> {
        let bad = || {
            ScimError::new(
                400,
                Some("invalidPath"),
                format!("'{text}' is not a path Upward understands"),
            )
        };
        let mut rest = text.trim();
        let mut extension = None;
        for urn in EXTENSIONS.iter().chain([&CORE]) {
            if rest.len() > urn.len()
                && rest[..urn.len()].eq_ignore_ascii_case(urn)
                && rest.as_bytes()[urn.len()] == b':'
            {
                extension = (*urn != CORE).then_some(*urn);
                rest = &rest[urn.len() + 1..];
                break;
            }
            if rest.eq_ignore_ascii_case(urn) && *urn != CORE {
                // The whole extension: its value is an object of attributes.
                return Ok(Self {
                    extension: None,
                    attribute: (*urn).to_owned(),
                    filter: None,
                    sub_attribute: None,
                });
            }
        }
        let (head, sub_attribute) = match rest.find(']') {
            Some(end) => {
                let after = rest[end + 1..].strip_prefix('.');
                (&rest[..=end], after.map(str::to_owned))
            }
            None => match rest.split_once('.') {
                Some((attribute, sub)) => (attribute, Some(sub.to_owned())),
                None => (rest, None),
            },
        };
        let (attribute, filter) = match head.split_once('[') {
            Some((attribute, filter)) => {
                let filter = filter.strip_suffix(']').ok_or_else(bad)?;
                let mut words = filter.splitn(3, ' ');
                let (Some(sub), Some(op), Some(value)) = (words.next(), words.next(), words.next())
                else {
                    return Err(bad());
                };
                if !op.eq_ignore_ascii_case("eq") {
                    return Err(bad());
                }
                let value = value.trim().trim_matches('"').to_owned();
                (attribute, Some((sub.to_owned(), value)))
            }
            None => (head, None),
        };
        if attribute.is_empty()
            || attribute
                .contains(|c: char| !(c.is_alphanumeric() || c == '$' || c == '_' || c == '-'))
        {
            return Err(bad());
        }
        Ok(Self {
            extension,
            attribute: attribute.to_owned(),
            filter,
            sub_attribute,
        })
    }

    /// The object holding the attribute (the resource, or its extension, made if missing).
    fn container<'a>(
        &self,
        resource: &'a mut Value,
        create: bool,
    ) -> Option<&'a mut Map<String, Value>> {
        let root = resource.as_object_mut()?;
        match self.extension {
            None => Some(root),
            Some(urn) => {
                if !root.contains_key(urn) {
                    if !create {
                        return None;
                    }
                    root.insert(urn.to_owned(), json!({}));
                }
                root.get_mut(urn)?.as_object_mut()
            }
        }
    }

    fn write(&self, resource: &mut Value, value: Value, add: bool) -> Result<(), ScimError> {
        let container = self
            .container(resource, true)
            .ok_or_else(|| ScimError::invalid_syntax("the resource is not an object"))?;
        let key = key_in(container, &self.attribute);
        match (&self.filter, &self.sub_attribute) {
            (None, None) => {
                match (container.get_mut(&key), value) {
                    // Adding to a multi-valued attribute appends (RFC 7644 §3.5.2.1).
                    (Some(Value::Array(existing)), Value::Array(more)) if add => {
                        existing.extend(more)
                    }
                    (Some(Value::Object(existing)), Value::Object(more)) if add => {
                        existing.extend(more);
                    }
                    (_, value) => {
                        container.insert(key, value);
                    }
                }
                Ok(())
            }
            (None, Some(sub)) => {
                let target = container.entry(key).or_insert_with(|| json!({}));
                match target {
                    Value::Object(object) => {
                        let sub_key = key_in(object, sub);
                        object.insert(sub_key, value);
                        Ok(())
                    }
                    Value::Array(items) => {
                        for item in items.iter_mut().filter_map(Value::as_object_mut) {
                            let sub_key = key_in(item, sub);
                            item.insert(sub_key, value.clone());
                        }
                        Ok(())
                    }
                    _ => Err(ScimError::invalid_value(format!(
                        "{} has no sub-attributes",
                        self.attribute
                    ))),
                }
            }
            (Some((field, wanted)), sub) => {
                let items = container.entry(key).or_insert_with(|| json!([]));
                let Value::Array(items) = items else {
                    return Err(ScimError::invalid_value(format!(
                        "{} is not multi-valued",
                        self.attribute
                    )));
                };
                let matches = |item: &Value| {
                    item.as_object()
                        .and_then(|o| text(o, field))
                        .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
                };
                if !items.iter().any(matches) {
                    // Entra sends `emails[type eq "work"].value` for a value not there yet.
                    items.push(json!({ field.as_str(): wanted }));
                }
                for item in items.iter_mut().filter(|i| matches(i)) {
                    let object = item.as_object_mut().expect("matched an object");
                    match sub {
                        Some(sub) => {
                            let sub_key = key_in(object, sub);
                            object.insert(sub_key, value.clone());
                        }
                        None => {
                            if let Value::Object(values) = &value {
                                object.extend(values.clone());
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn remove(&self, resource: &mut Value) -> Result<(), ScimError> {
        let Some(container) = self.container(resource, false) else {
            return Ok(());
        };
        let key = key_in(container, &self.attribute);
        match (&self.filter, &self.sub_attribute) {
            (None, None) => {
                container.remove(&key);
            }
            (None, Some(sub)) => match container.get_mut(&key) {
                Some(Value::Object(object)) => {
                    let sub_key = key_in(object, sub);
                    object.remove(&sub_key);
                }
                Some(Value::Array(items)) => {
                    for item in items.iter_mut().filter_map(Value::as_object_mut) {
                        let sub_key = key_in(item, sub);
                        item.remove(&sub_key);
                    }
                }
                _ => {}
            },
            (Some((field, wanted)), sub) => {
                if let Some(Value::Array(items)) = container.get_mut(&key) {
                    let matches = |item: &Value| {
                        item.as_object()
                            .and_then(|o| text(o, field))
                            .is_some_and(|v| v.eq_ignore_ascii_case(wanted))
                    };
                    match sub {
                        None => items.retain(|item| !matches(item)),
                        Some(sub) => {
                            for item in items.iter_mut().filter(|i| matches(i)) {
                                if let Some(object) = item.as_object_mut() {
                                    let sub_key = key_in(object, sub);
                                    object.remove(&sub_key);
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// The key as the object spells it (attribute names ignore case), or as given if absent.
fn key_in(object: &Map<String, Value>, name: &str) -> String {
    object
        .keys()
        .find(|key| key.eq_ignore_ascii_case(name))
        .cloned()
        .unwrap_or_else(|| name.to_owned())
}

/// Keeps only the `attributes` asked for, or drops the `excludedAttributes` (RFC 7644
/// §3.4.2.5); `id` and `schemas` always stay. Names may carry a sub-attribute or an extension.
pub fn select(resource: &mut Value, attributes: &[String], excluded: &[String]) {
    let Some(object) = resource.as_object_mut() else {
        return;
    };
    let always = ["id", "schemas"];
    if !attributes.is_empty() {
        let wanted = |key: &str, sub: Option<&str>| {
            attributes.iter().any(|name| {
                let (top, rest) = split_name(name);
                top.eq_ignore_ascii_case(key)
                    && match (rest, sub) {
                        (None, _) => true,
                        (Some(rest), Some(sub)) => rest.eq_ignore_ascii_case(sub),
                        (Some(_), None) => true,
                    }
            })
        };
        object.retain(|key, _| always.contains(&key.as_str()) || wanted(key, None));
        for (key, value) in object.iter_mut() {
            let narrowed = attributes.iter().any(|name| {
                let (top, rest) = split_name(name);
                top.eq_ignore_ascii_case(key) && rest.is_some()
            });
            if narrowed && let Value::Object(inner) = value {
                inner.retain(|sub, _| wanted(key, Some(sub)));
            }
        }
    }
    for name in excluded {
        let (top, rest) = split_name(name);
        if always.iter().any(|a| a.eq_ignore_ascii_case(top)) {
            continue;
        }
        let key = key_in(object, top);
        match rest {
            None => {
                object.remove(&key);
            }
            Some(sub) => {
                if let Some(Value::Object(inner)) = object.get_mut(&key) {
                    let sub_key = key_in(inner, sub);
                    inner.remove(&sub_key);
                }
            }
        }
    }
}

/// `name.sub` or `urn:…:User:attribute` as (top-level key, sub-attribute).
fn split_name(name: &str) -> (&str, Option<&str>) {
    let name = name.trim();
    for urn in EXTENSIONS {
        if name.len() > urn.len() && name[..urn.len()].eq_ignore_ascii_case(urn) {
            return (
                urn,
                Some(name[urn.len() + 1..].split('.').next().unwrap_or("")),
            );
        }
    }
    let name = name
        .strip_prefix(CORE)
        .and_then(|rest| rest.strip_prefix(':'))
        .unwrap_or(name);
    match name.split_once('.') {
        Some((top, sub)) => (top, Some(sub)),
        None => (name, None),
    }
}
