//! Operations to [`OpDef`]s: parameters, request body, success and error types, cost and
//! authentication. Schemas go through the shared [`crate::schema::Lowering`].

use super::cost;
use super::Builder;
use crate::ir::{AuthKind, Body, Cost, Location, OpDef, Param, Segment, Ty, TypeId};
use crate::names::{self, Namespace};
use crate::pointer::ptr;
use crate::schema::{local_key, resolve_ref, SCHEMAS};
use indexmap::{IndexMap, IndexSet};
use openapiv3::{Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr, Schema, StatusCode};

/// The inherent methods of the runtime's `Client` (every `impl Client` block in
/// `kalshi-api/src`, private ones included: two inherent methods of one name do not compile). An
/// endpoint method named like one gets a suffix. `codegen/tests/client_methods.rs` parses the
/// runtime and fails when this list falls behind.
pub const CLIENT_METHODS: &[&str] = &[
    "attempt",
    "authenticate",
    "base_url",
    "batch",
    "build_request",
    "build_request_async",
    "build_unsigned",
    "builder",
    "credentials",
    "execute",
    "from_env",
    "has_bearer_token",
    "has_credentials",
    "margin_ws_url",
    "new",
    "paginate",
    "rate_limiter",
    "retry_policy",
    "send",
    "with_retry",
    "without_retry",
    "ws_url",
];

/// A parameter as written: its pointer, the parameter, and its component key for a `$ref`.
type RawParam<'o> = (String, &'o Parameter, Option<String>);

/// Trait methods `Client` has (`Clone`, `Debug`), which an inherent method would shadow.
pub const CLIENT_TRAIT_METHODS: &[&str] = &["clone", "clone_from", "fmt"];

impl<'a> Builder<'a> {
    /// A `$ref` to `#/components/responses/...`, resolved.
    fn response(&self, reference: &str) -> Option<&'a openapiv3::Response> {
        let api: &'a openapiv3::OpenAPI = self.api;
        let responses = api.components.as_ref().map(|c| &c.responses);
        resolve_ref(responses, "#/components/responses/", reference).map(|(_, r)| r)
    }

    pub(super) fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        item_params: &[ReferenceOr<Parameter>],
        op_ptr: &str,
        (op_names, fn_names): (&mut Namespace, &mut Namespace),
    ) -> Option<OpDef> {
        let Some(id) = op.operation_id.clone() else {
            self.schema.problem(
                op_ptr,
                "no `operationId`: every operation needs one to name its function",
            );
            return None;
        };
        let struct_name = op_names.claim(&names::type_name(&id));
        let fn_name = fn_names.claim(&names::snake(&id));

        let raw = self.raw_params(op, item_params, op_ptr);
        let mut wires: Vec<&str> = vec!["body"];
        wires.extend(
            raw.iter()
                .map(|(_, p, _)| p.parameter_data_ref().name.as_str()),
        );
        let mut field_names = names::unique_snake(&wires, &["new"]).into_iter();
        let body_name = field_names.next().expect("body is first");

        let mut params = Vec::new();
        for (raw, name) in raw.into_iter().zip(field_names) {
            if let Some(p) = self.param(raw, name, &struct_name) {
                params.push(p);
            }
        }

        let segments = self.segments(path, &params, op_ptr);

        let body = self.body(op, op_ptr, &struct_name, body_name);

        let output = self.success(op, &struct_name, op_ptr);
        let error_types = self.error_types(op);
        let cost = self.cost(op, op_ptr);
        let auth = self.auth(op);
        let bearer = self.accepts_bearer(op);
        let module = names::snake(op.tags.first().map(String::as_str).unwrap_or("misc"));
        Some(OpDef {
            id,
            pointer: op_ptr.to_string(),
            struct_name,
            fn_name,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            segments,
            params,
            body,
            output,
            auth,
            bearer,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            module,
            pagination: None,
            cost,
            error_types,
            items_field: None,
            batch: None,
        })
    }

    /// The operation's parameters, then the path item's it does not redefine (same name and
    /// location), each with its pointer and, for a `$ref`, its component key.
    fn raw_params<'o>(
        &mut self,
        op: &'o openapiv3::Operation,
        item_params: &'o [ReferenceOr<Parameter>],
        op_ptr: &str,
    ) -> Vec<RawParam<'o>>
    where
        'a: 'o,
    {
        let mut raw: Vec<RawParam<'o>> = Vec::new();
        let mut seen = IndexSet::new();
        let op_params = op
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (ptr(op_ptr, &["parameters", &i.to_string()]), p));
        let item_ptr = op_ptr
            .rsplit_once('/')
            .map(|(a, _)| a)
            .unwrap_or(op_ptr)
            .to_string();
        let shared = item_params
            .iter()
            .enumerate()
            .map(|(i, p)| (ptr(&item_ptr, &["parameters", &i.to_string()]), p));
        for (pp, p) in op_params.chain(shared) {
            let (param, component) = match p {
                ReferenceOr::Item(p) => (p, None),
                ReferenceOr::Reference { reference } => {
                    let parameters = self.api.components.as_ref().map(|c| &c.parameters);
                    match resolve_ref(parameters, "#/components/parameters/", reference) {
                        Some((k, p)) => (p, Some(k)),
                        None => {
                            self.schema.problem(&pp, format!("`$ref: {reference}`: expected a parameter in `#/components/parameters`"));
                            continue;
                        }
                    }
                }
            };
            let data = param.parameter_data_ref();
            let loc = match param {
                Parameter::Path { .. } => "path",
                Parameter::Query { .. } => "query",
                Parameter::Header { .. } => "header",
                Parameter::Cookie { .. } => "cookie",
            };
            if seen.insert((data.name.clone(), loc)) {
                raw.push((pp, param, component));
            }
        }

        raw
    }

    /// One parameter, lowered: its location, explosion and type (a component parameter's type
    /// is lowered once and shared).
    fn param(
        &mut self,
        (pp, param, component): RawParam<'_>,
        name: String,
        struct_name: &str,
    ) -> Option<Param> {
        let data = param.parameter_data_ref();
        let (location, explode) = match param {
            Parameter::Path { .. } => (Location::Path, false),
            Parameter::Query { style, .. } => {
                let explode = data.explode.unwrap_or(matches!(style, QueryStyle::Form));
                if !matches!(style, QueryStyle::Form) {
                    self.schema
                        .problem(&pp, "query parameter style: expected `form` (the default)");
                }
                (Location::Query, explode)
            }
            _ => {
                self.schema.problem(
                    &pp,
                    "a header or cookie parameter: expected `in: path` or `in: query`",
                );
                return None;
            }
        };
        let schema = match &data.format {
            ParameterSchemaOrContent::Schema(s) => s,
            ParameterSchemaOrContent::Content(_) => {
                self.schema
                    .problem(&pp, "a parameter with `content`: expected `schema`");
                return None;
            }
        };
        let ty = match component.as_ref().and_then(|c| self.param_types.get(c)) {
            Some(ty) => ty.clone(),
            None => {
                let hint = match &component {
                    Some(c) => c.clone(),
                    None => format!("{struct_name}{}", names::camel(&data.name)),
                };
                let (ty, _, _) = self.schema.resolve(schema, &hint, &ptr(&pp, &["schema"]));
                if let Some(c) = component {
                    self.param_types.insert(c, ty.clone());
                }
                ty
            }
        };
        Some(Param {
            wire: data.name.clone(),
            name,
            location,
            ty,
            required: data.required || location == Location::Path,
            explode,
            doc: data.description.clone(),
            deprecated: data.deprecated == Some(true),
        })
    }

    /// The request body: a JSON schema, inline or from `#/components/requestBodies`.
    fn body(
        &mut self,
        op: &openapiv3::Operation,
        op_ptr: &str,
        struct_name: &str,
        body_name: String,
    ) -> Option<Body> {
        let rb = op.request_body.as_ref()?;
        let rb_ptr = ptr(op_ptr, &["requestBody"]);
        let rb = match rb {
            ReferenceOr::Item(rb) => Some(rb),
            ReferenceOr::Reference { reference } => resolve_ref(
                self.api.components.as_ref().map(|c| &c.request_bodies),
                "#/components/requestBodies/",
                reference,
            )
            .map(|(_, rb)| rb),
        };
        match rb {
            None => {
                self.schema.problem(
                    &rb_ptr,
                    "expected an inline request body or a `$ref` to `#/components/requestBodies`",
                );
                None
            }
            Some(rb) => match json_schema(&rb.content) {
                Some((media, schema)) => {
                    let (ty, _, _) = self.schema.resolve(
                        schema,
                        &format!("{struct_name}Body"),
                        &ptr(&rb_ptr, &["content", media, "schema"]),
                    );
                    Some(Body {
                        name: body_name,
                        ty,
                        required: rb.required,
                        doc: rb.description.clone(),
                    })
                }
                None => {
                    self.schema.problem(
                        &rb_ptr,
                        "request body: expected `application/json` content with a schema",
                    );
                    None
                }
            },
        }
    }

    /// Who may call the operation: its `security`, or the document's.
    fn auth(&self, op: &openapiv3::Operation) -> AuthKind {
        match op.security.as_ref().or(self.api.security.as_ref()) {
            None => AuthKind::None,
            Some(reqs) if reqs.iter().all(|r| r.is_empty()) => AuthKind::None,
            Some(reqs) if reqs.iter().any(|r| r.is_empty()) => AuthKind::Optional,
            Some(_) => AuthKind::Required,
        }
    }

    /// Whether one of the operation's `security` requirements (or the document's) names only
    /// HTTP `bearer` schemes of `components.securitySchemes`.
    fn accepts_bearer(&self, op: &openapiv3::Operation) -> bool {
        let Some(reqs) = op.security.as_ref().or(self.api.security.as_ref()) else {
            return false;
        };
        let schemes = self.api.components.as_ref().map(|c| &c.security_schemes);
        let is_bearer = |name: &String| {
            matches!(
                schemes.and_then(|s| s.get(name)),
                Some(openapiv3::ReferenceOr::Item(openapiv3::SecurityScheme::HTTP { scheme, .. }))
                    if scheme.eq_ignore_ascii_case("bearer")
            )
        };
        reqs.iter()
            .any(|r| !r.is_empty() && r.keys().all(is_bearer))
    }

    /// The cost stated in `x-mint.content` (Kalshi's documentation extension) or the description.
    fn cost(&mut self, op: &openapiv3::Operation, op_ptr: &str) -> Cost {
        let mint = op.extensions.get("x-mint").and_then(|m| m.get("content"));
        let sources = [
            (
                mint.and_then(|c| c.as_str()),
                ptr(op_ptr, &["x-mint", "content"]),
            ),
            (op.description.as_deref(), ptr(op_ptr, &["description"])),
        ];
        for (text, pointer) in sources {
            match text.map(cost::parse) {
                Some(Ok(Some(cost))) => return cost,
                Some(Err(message)) => {
                    // Prose is not a contract: an unknown wording costs the default, and says so.
                    self.schema
                        .warning(&pointer, format!("{message}; using the default cost"));
                    return Cost::Default;
                }
                Some(Ok(None)) | None => {}
            }
        }
        Cost::Default
    }

    /// The component schemas of the operation's 4xx, 5xx and default response bodies.
    fn error_types(&self, op: &openapiv3::Operation) -> Vec<TypeId> {
        let responses = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if *c >= 400 => Some(r),
                StatusCode::Range(4 | 5) => Some(r),
                _ => None,
            });
        let mut ids = Vec::new();
        for r in responses.chain(op.responses.default.as_ref()) {
            let response = match r {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { reference } => self.response(reference),
            };
            let schema = response.and_then(|r| json_schema(&r.content));
            if let Some((_, ReferenceOr::Reference { reference })) = schema {
                let id = local_key(SCHEMAS, reference).and_then(|k| self.schema.by_schema.get(&k));
                if let Some(&id) = id {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
            }
        }
        ids
    }

    fn segments(&mut self, path: &str, params: &[Param], op_ptr: &str) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut rest = path;
        while let Some(start) = rest.find('{') {
            if start > 0 {
                out.push(Segment::Literal(rest[..start].to_string()));
            }
            let Some(len) = rest[start..].find('}') else {
                self.schema
                    .problem(op_ptr, format!("path `{path}`: unclosed `{{`"));
                return out;
            };
            let name = &rest[start + 1..start + len];
            match params
                .iter()
                .position(|p| p.location == Location::Path && p.wire == name)
            {
                Some(i) => out.push(Segment::Param(i)),
                None => self.schema.problem(
                    op_ptr,
                    format!("path `{path}`: `{{{name}}}` has no `in: path` parameter"),
                ),
            }
            rest = &rest[start + len + 1..];
        }
        if !rest.is_empty() {
            out.push(Segment::Literal(rest.to_string()));
        }
        for p in params.iter().filter(|p| p.location == Location::Path) {
            if !path.contains(&format!("{{{}}}", p.wire)) {
                self.schema.problem(
                    op_ptr,
                    format!("path parameter `{}` is not in the path `{path}`", p.wire),
                );
            }
        }
        out
    }

    /// The declared success type: the lowest 2xx response; `None` when it has no JSON body.
    fn success(
        &mut self,
        op: &openapiv3::Operation,
        struct_name: &str,
        op_ptr: &str,
    ) -> Option<Ty> {
        let mut codes: Vec<(u16, String, &ReferenceOr<openapiv3::Response>)> = op
            .responses
            .responses
            .iter()
            .filter_map(|(code, r)| match code {
                StatusCode::Code(c) if (200..300).contains(c) => Some((*c, c.to_string(), r)),
                StatusCode::Range(2) => Some((299, "2XX".to_string(), r)),
                _ => None,
            })
            .collect();
        codes.sort_by_key(|(c, _, _)| *c);
        let (_, code, response) = codes.into_iter().next()?;
        let rptr = ptr(op_ptr, &["responses", &code]);
        let response = match response {
            ReferenceOr::Item(r) => r,
            ReferenceOr::Reference { reference } => {
                match self.response(reference) {
                    Some(r) => r,
                    None => {
                        self.schema.problem(&rptr, format!("`$ref: {reference}`: expected a response in `#/components/responses`"));
                        return None;
                    }
                }
            }
        };
        if response.content.is_empty() {
            return None;
        }
        match json_schema(&response.content) {
            Some((media, schema)) => {
                let (ty, _, _) = self.schema.resolve(
                    schema,
                    &format!("{struct_name}Response"),
                    &ptr(&rptr, &["content", media, "schema"]),
                );
                Some(ty)
            }
            None => {
                self.schema.problem(
                    &rptr,
                    "success response: expected `application/json` content with a schema",
                );
                None
            }
        }
    }
}

/// The JSON media type's schema: `application/json` or any `+json` type.
fn json_schema(
    content: &IndexMap<String, openapiv3::MediaType>,
) -> Option<(&str, &ReferenceOr<Schema>)> {
    content
        .iter()
        .find(|(k, _)| k.as_str() == "application/json" || k.ends_with("+json"))
        .and_then(|(k, m)| m.schema.as_ref().map(|s| (k.as_str(), s)))
}
