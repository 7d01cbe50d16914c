//! The console's action forms, made from the API's own request schemas: each action's form
//! has exactly the fields its JSON body takes (from the OpenAPI document), so the console and
//! the API cannot drift apart. A submitted form becomes that JSON body and goes through the
//! same parser (`http::actions::parse`) and the same service as the API.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};
use utoipa::OpenApi;

use super::text::{field_label, value_label};
use crate::domain::case::ActionName;

/// What kind of input a field is.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Text,
    LongText,
    Integer,
    /// Yes / no (a select, so "not answered" is distinct from "no").
    Bool,
    Date,
    /// Local time (Asia/Ho_Chi_Minh) in the form; sent with its +07:00 offset.
    DateTime,
    Select(Vec<String>),
    /// A list of short texts, one per line.
    Lines,
    /// An agency code (options filled in at rendering).
    Agency,
    /// A category code (options filled in at rendering).
    Category,
    /// A unit of an agency (options filled in at rendering).
    Unit,
    /// A handler or supervisor of the case's agency (options filled in at rendering).
    Caseworker,
    /// A mediator's account on the published list (options filled in at rendering).
    Mediator,
}

/// The options of the selects whose values come from the service's data, not the schema.
#[derive(Debug, Default)]
pub struct Choices {
    pub agencies: Vec<(String, String)>,
    pub categories: Vec<(String, String)>,
    pub units: Vec<(String, String)>,
    /// The people a case of its agency may be given to.
    pub caseworkers: Vec<(String, String)>,
    pub mediators: Vec<(String, String)>,
}

/// One field of an action's body; `path` is dotted for nested records (`record.held_at`).
#[derive(Debug, Clone)]
pub struct Field {
    pub path: String,
    pub input: Input,
    pub required: bool,
    /// Required by its record, which is itself optional: needed once the record is given.
    pub required_in_record: bool,
    /// The heading of the group this field opens (a nested record), if any.
    pub group: Option<String>,
}

/// The fields of every action's body.
pub fn fields(action: ActionName) -> &'static [Field] {
    static FORMS: OnceLock<BTreeMap<&'static str, Vec<Field>>> = OnceLock::new();
    let forms = FORMS.get_or_init(|| {
        let doc = serde_json::to_value(crate::http::openapi::ApiDoc::openapi()).unwrap_or(Value::Null);
        let schemas = doc["components"]["schemas"].clone();
        ActionName::ALL
            .iter()
            .map(|a| {
                let name = crate::http::actions::schema_name(*a);
                let mut out = Vec::new();
                walk(&schemas, &schemas[name], "", true, &mut out);
                (a.as_str(), out)
            })
            .collect()
    });
    forms.get(action.as_str()).map(Vec::as_slice).unwrap_or(&[])
}

/// Follows `$ref`s and unwraps "X or null"; returns the schema and whether null is allowed.
fn resolve<'a>(schemas: &'a Value, s: &'a Value) -> (&'a Value, bool) {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default();
        return resolve(schemas, &schemas[name]);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = s[key].as_array() {
            let nullable = alts.iter().any(|a| a["type"] == "null");
            if let Some(other) = alts.iter().find(|a| a["type"] != "null") {
                let (inner, n) = resolve(schemas, other);
                return (inner, n || nullable);
            }
        }
    }
    let nullable = s["type"].as_array().is_some_and(|t| t.iter().any(|x| x == "null"));
    (s, nullable)
}

fn type_of(s: &Value) -> &str {
    match &s["type"] {
        Value::String(t) => t,
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or(""),
        _ => "",
    }
}

fn walk(schemas: &Value, schema: &Value, prefix: &str, required_here: bool, out: &mut Vec<Field>) {
    let (s, _) = resolve(schemas, schema);
    let Some(props) = s["properties"].as_object() else {
        return;
    };
    let required: Vec<&str> = s["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    // Plain fields first, required before optional; nested records after them.
    let mut plain = Vec::new();
    let mut nested = Vec::new();
    for (name, p) in props {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        let (ps, nullable) = resolve(schemas, p);
        let in_record = required.contains(&name.as_str()) && !nullable;
        let req = required_here && in_record;
        if type_of(ps) == "object" && ps["properties"].is_object() {
            nested.push((path, ps, req));
        } else {
            plain.push(Field {
                input: input_of(name, ps),
                required: req,
                required_in_record: in_record && !req,
                group: None,
                path,
            });
        }
    }
    plain.sort_by_key(|f| !f.required);
    out.extend(plain);
    for (path, ps, req) in nested {
        let start = out.len();
        walk(schemas, ps, &path, req, out);
        if let Some(first) = out.get_mut(start) {
            first.group = Some(path);
        }
    }
}

fn input_of(name: &str, s: &Value) -> Input {
    if let Some(values) = s["enum"].as_array() {
        return Input::Select(values.iter().filter_map(Value::as_str).map(str::to_owned).collect());
    }
    match (type_of(s), s["format"].as_str()) {
        ("string", Some("date")) => Input::Date,
        ("string", Some("date-time")) => Input::DateTime,
        ("integer", _) => Input::Integer,
        ("boolean", _) => Input::Bool,
        ("array", _) => Input::Lines,
        ("string", _) if name == "agency" || name == "to_agency" => Input::Agency,
        ("string", _) if name == "category" => Input::Category,
        ("string", _) if name == "unit" => Input::Unit,
        ("string", _) if name == "assignee_id" => Input::Caseworker,
        ("string", _) if name == "mediator_id" => Input::Mediator,
        ("string", _) if LONG.contains(&name) => Input::LongText,
        _ => Input::Text,
    }
}

/// Fields that hold sentences rather than a word or a code.
const LONG: [&str; 17] = [
    "answer",
    "explanation",
    "reason",
    "content",
    "result",
    "other_terms",
    "failure_reason",
    "advice",
    "findings",
    "requested",
    "info",
    "message",
    "parties",
    "parties_views",
    "subject",
    "violation",
    "plan",
];

/// The JSON body of an action from its submitted form: every field of the action's schema
/// that was filled in, typed as the API takes it; empty optional records are left out. The
/// envelope (`version`, `note`, `public_message`) comes along.
pub fn body_from_form(action: ActionName, form: &BTreeMap<String, String>) -> Value {
    let mut body = Map::new();
    for f in fields(action) {
        let raw = form.get(&f.path).map(|v| v.trim()).unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        let value = match &f.input {
            Input::Integer => raw
                .replace(['.', ' '], "")
                .parse::<i64>()
                .map_or(Value::String(raw.to_owned()), Value::from),
            Input::Bool => match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.to_owned()),
            },
            Input::DateTime if raw.len() == 16 => Value::String(format!("{raw}:00+07:00")),
            Input::Lines => Value::Array(
                raw.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(|l| Value::String(l.to_owned()))
                    .collect(),
            ),
            _ => Value::String(raw.to_owned()),
        };
        insert(&mut body, &f.path, value);
    }
    if let Some(v) = form.get("version") {
        body.insert(
            "version".into(),
            v.trim().parse::<i64>().map_or(Value::Null, Value::from),
        );
    }
    for k in ["note", "public_message"] {
        if let Some(v) = form.get(k).map(|v| v.trim()).filter(|v| !v.is_empty()) {
            body.insert(k.into(), Value::String(v.to_owned()));
        }
    }
    Value::Object(body)
}

fn insert(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                insert(m, rest, value);
            }
        }
    }
}

/// A field as the page shows it.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub id: String,
    pub name: String,
    pub label: String,
    /// text, textarea, number, date, datetime-local, select, lines
    pub widget: &'static str,
    pub required: bool,
    /// Needed once its (optional) group is filled in.
    pub required_in_record: bool,
    pub options: Vec<(String, String)>,
    /// What a select's empty choice says.
    pub blank: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// Opens a group of fields (a nested record) with this heading.
    pub group: Option<String>,
}

/// The fields of `action` for the page, with the values sent before and the error of the
/// field that failed, if any, and the options of the selects filled from data.
pub fn views(
    action: ActionName,
    lists: &Choices,
    sent: &BTreeMap<String, String>,
    error: Option<(&str, &str)>,
) -> Vec<FieldView> {
    fields(action)
        .iter()
        .map(|f| {
            let (widget, options) = match &f.input {
                Input::Text => ("text", vec![]),
                Input::LongText => ("textarea", vec![]),
                Input::Integer => ("number", vec![]),
                Input::Date => ("date", vec![]),
                Input::DateTime => ("datetime-local", vec![]),
                Input::Lines => ("lines", vec![]),
                Input::Bool => (
                    "select",
                    vec![("true".into(), "Có".into()), ("false".into(), "Không".into())],
                ),
                Input::Select(values) => (
                    "select",
                    values.iter().map(|v| (v.clone(), value_label(v).to_owned())).collect(),
                ),
                Input::Agency => ("select", lists.agencies.clone()),
                Input::Category => ("select", lists.categories.clone()),
                Input::Unit => ("select", lists.units.clone()),
                Input::Caseworker => ("select", lists.caseworkers.clone()),
                Input::Mediator => ("select", lists.mediators.clone()),
            };
            // Accept without a name gives the case to whoever accepts it.
            let blank = if f.input == Input::Caseworker && !f.required {
                "— Chính bạn —"
            } else {
                "— Chọn —"
            };
            let leaf = f.path.rsplit('.').next().unwrap_or(&f.path);
            FieldView {
                id: format!("f-{}-{}", action.as_str(), f.path.replace('.', "-")),
                name: f.path.clone(),
                label: field_label(leaf).to_owned(),
                widget,
                required: f.required,
                required_in_record: f.required_in_record,
                options,
                blank,
                value: sent.get(&f.path).cloned().unwrap_or_default(),
                error: error
                    .filter(|(field, _)| field_matches(field, &f.path))
                    .map(|(_, m)| m.to_owned()),
                group: f
                    .group
                    .as_ref()
                    .map(|g| field_label(g.rsplit('.').next().unwrap_or(g)).to_owned()),
            }
        })
        .collect()
}

/// Whether an error's field path (`record.held_at`, `.record.held_at`, `attendees[0]`) is this field.
fn field_matches(error_field: &str, path: &str) -> bool {
    let e = error_field.trim_start_matches('.');
    let e = e.split('[').next().unwrap_or(e);
    e == path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_its_fields_from_the_schema() {
        let route = fields(ActionName::Route);
        assert_eq!(route.len(), 2);
        assert_eq!(route[0].path, "agency");
        assert_eq!(route[0].input, Input::Agency);
        assert!(route[0].required);
        assert_eq!((route[1].path.as_str(), &route[1].input), ("unit", &Input::Unit));
        assert!(!route[1].required);
        let result = fields(ActionName::RecordNegotiationResult);
        let paths: Vec<&str> = result.iter().map(|f| f.path.as_str()).collect();
        assert!(
            paths.contains(&"result") && paths.contains(&"record.held_at"),
            "{paths:?}"
        );
        let held = result.iter().find(|f| f.path == "record.held_at").unwrap();
        assert_eq!(held.input, Input::DateTime);
        assert!(!held.required, "inside an optional record");
        assert!(held.required_in_record, "but required once the record is given");
        assert_eq!(result[0].path, "result", "plain fields before the nested record");
        assert!(matches!(&result[0].input, Input::Select(v) if v.contains(&"settled".to_owned())));
        assert_eq!(held.group, None);
        assert!(result.iter().any(|f| f.group.as_deref() == Some("record")));
        for a in ActionName::ALL {
            for f in fields(*a) {
                assert_ne!(field_label(f.path.rsplit('.').next().unwrap()), "", "{a} {}", f.path);
            }
        }
    }

    #[test]
    fn a_form_becomes_the_api_body() {
        let form: BTreeMap<String, String> = [
            ("version", "3"),
            ("result", "settled"),
            ("record.held_at", "2026-11-20T09:30"),
            ("record.parties", "A và B"),
            ("note", " "),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let body = body_from_form(ActionName::RecordNegotiationResult, &form);
        assert_eq!(body["version"], 3);
        assert_eq!(body["record"]["held_at"], "2026-11-20T09:30:00+07:00");
        assert_eq!(body["record"]["parties"], "A và B");
        assert!(body.get("note").is_none());
    }
}
