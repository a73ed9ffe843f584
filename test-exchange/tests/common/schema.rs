//! A small checker of JSON answers against the response schemas of `spec/perps/openapi.yaml`
//! and of WebSocket frames against the message payloads of `spec/perps/asyncapi.yaml`:
//! required fields, JSON types, `nullable`, string enums, through `$ref`, `allOf`, arrays and
//! nested objects. Enough to catch a missing or mistyped field; not a full JSON Schema validator.

use serde_json::Value;

/// A spec document.
pub struct Spec {
    doc: Value,
}

impl Spec {
    /// Reads `spec/perps/openapi.yaml`.
    pub fn perps() -> Self {
        Self::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/perps/openapi.yaml"
        ))
    }

    /// Reads `spec/perps/asyncapi.yaml`.
    pub fn perps_ws() -> Self {
        Self::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../spec/perps/asyncapi.yaml"
        ))
    }

    fn read(path: &str) -> Self {
        let text = std::fs::read_to_string(path).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        Self {
            doc: serde_json::to_value(doc).unwrap(),
        }
    }

    /// How many operations the spec has.
    pub fn operation_count(&self) -> usize {
        let methods = ["get", "put", "post", "delete", "patch"];
        self.doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().keys())
            .filter(|m| methods.contains(&m.as_str()))
            .count()
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(pointer) => self.resolve(
                self.doc
                    .pointer(pointer.trim_start_matches('#'))
                    .unwrap_or_else(|| panic!("{pointer}: not in the spec")),
            ),
            None => schema,
        }
    }

    /// Panics unless `body` matches the JSON schema the spec gives `method template` for
    /// `status`; a status without a JSON body must come with an empty one.
    pub fn check_response(&self, method: &str, template: &str, status: u16, body: &str) {
        let op = &self.doc["paths"][template][method.to_ascii_lowercase()];
        assert!(
            op.is_object(),
            "{method} {template}: not an operation of the spec"
        );
        let response = self.resolve(&op["responses"][status.to_string()]);
        let schema = &response["content"]["application/json"]["schema"];
        if schema.is_null() {
            assert!(
                body.is_empty(),
                "{method} {template} {status}: a body: {body}"
            );
            return;
        }
        let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
        let mut errors = Vec::new();
        self.check(schema, &value, "", &mut errors);
        assert!(
            errors.is_empty(),
            "{method} {template} {status}: {errors:#?}\n{value:#}"
        );
    }

    /// Panics unless `frame` matches the payload of the AsyncAPI message named as its `type`.
    pub fn check_frame(&self, frame: &Value) {
        let kind = frame["type"]
            .as_str()
            .unwrap_or_else(|| panic!("no type: {frame}"));
        let message = self.doc["components"]["messages"]
            .as_object()
            .unwrap()
            .values()
            .find(|m| m["name"] == kind)
            .unwrap_or_else(|| panic!("no message named `{kind}`"));
        let mut errors = Vec::new();
        self.check(&message["payload"], frame, "", &mut errors);
        assert!(errors.is_empty(), "{kind}: {errors:#?}\n{frame:#}");
    }

    /// Adds to `errors` where `value` (at JSON pointer `at`) breaks `schema`.
    fn check(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        let schema = self.resolve(schema);
        if value.is_null() && schema["nullable"] == true {
            return;
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.check(part, value, at, errors);
        }
        let fits = match schema["type"].as_str() {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("integer") => value.is_i64() || value.is_u64(),
            Some("number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            _ => true,
        };
        if !fits {
            errors.push(format!("{at}: {value} is not of type {}", schema["type"]));
            return;
        }
        if let Some(allowed) = schema["enum"].as_array() {
            if !allowed.contains(value) {
                errors.push(format!("{at}: {value} is not one of {allowed:?}"));
            }
        }
        self.check_members(schema, value, at, errors);
    }

    /// The required fields and properties of an object, the items of an array.
    fn check_members(&self, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(object) = value.as_object() {
            for field in schema["required"].as_array().into_iter().flatten() {
                let field = field.as_str().unwrap();
                if !object.contains_key(field) {
                    errors.push(format!("{at}/{field}: required, missing"));
                }
            }
            for (field, property) in schema["properties"].as_object().into_iter().flatten() {
                if let Some(v) = object.get(field) {
                    self.check(property, v, &format!("{at}/{field}"), errors);
                }
            }
        }
        if let (Some(items), Some(list)) = (schema.get("items"), value.as_array()) {
            for (i, v) in list.iter().enumerate() {
                self.check(items, v, &format!("{at}/{i}"), errors);
            }
        }
    }
}
