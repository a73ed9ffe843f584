//! The model: operations and types with every naming and typing decision made.
//!
//! Built from a loaded, validated spec. Emit only reads it.

use crate::cost;
pub use crate::cost::Cost;
use crate::error::{ptr, Problem};
use crate::names::{self, Namespace};
use crate::settings::Settings;
use indexmap::{IndexMap, IndexSet};
use openapiv3::{
    AdditionalProperties, OpenAPI, Parameter, ParameterSchemaOrContent, QueryStyle, ReferenceOr,
    Schema, SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};
use std::collections::HashMap;

/// Index of a type in [`Model::types`].
pub type TypeId = usize;

/// Everything emit needs.
#[derive(Debug)]
pub struct Model {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Every type: component schemas first (spec order), then inline types in discovery order.
    pub types: Vec<TypeDef>,
    /// Every operation, in spec order.
    pub ops: Vec<OpDef>,
}

/// A named Rust type.
#[derive(Debug)]
pub struct TypeDef {
    /// Rust name, unique across the `types` module.
    pub name: String,
    /// JSON pointer of the schema it comes from.
    pub pointer: String,
    /// Documentation text (not yet sanitised).
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// What it is.
    pub kind: TypeKind,
    /// Module (file) of `types` it lives in.
    pub module: String,
    /// Reachable from a response: derives `Default` and defaults absent required fields.
    pub output: bool,
    /// Reachable from a request: gets a constructor taking its required fields.
    pub input: bool,
}

/// The shape of a [`TypeDef`].
#[derive(Debug)]
pub enum TypeKind {
    /// An object with named fields.
    Struct(Vec<Field>),
    /// A string enum with a catch-all variant named `unknown`.
    StringEnum {
        /// Known values.
        variants: Vec<(String, String)>,
        /// Name of the catch-all variant.
        unknown: String,
    },
    /// An integer enum with a catch-all variant.
    IntEnum {
        /// Known values.
        variants: Vec<(String, i64)>,
        /// Name of the catch-all variant.
        unknown: String,
    },
    /// `pub type Name = Ty;`
    Alias(Ty),
    /// Placeholder while a component is being built.
    Pending,
}

/// A Rust type expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `String`.
    String,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f64`.
    F64,
    /// `chrono::DateTime<Utc>`.
    DateTime,
    /// `uuid::Uuid`.
    Uuid,
    /// `serde_json::Value` (free-form).
    Json,
    /// A generated type.
    Named(TypeId),
    /// `Vec<T>`.
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// A fixed-size array as a tuple.
    Tuple(Vec<Ty>),
    /// A hand-written runtime type, by path (from the settings).
    Runtime(String),
}

/// A struct field.
#[derive(Debug)]
pub struct Field {
    /// Name on the wire.
    pub wire: String,
    /// Rust name.
    pub name: String,
    /// Base type (without `Option`/`Box`).
    pub ty: Ty,
    /// In the schema's `required`.
    pub required: bool,
    /// `nullable: true` (here or on the referenced schema).
    pub nullable: bool,
    /// `x-omitempty: false`: an unset optional field is sent as `null` rather than left out.
    pub keep_null: bool,
    /// Boxed to break a recursive type.
    pub boxed: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

impl Field {
    /// `Option<T>` in Rust: not required, or nullable.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }
}

/// Authentication an operation needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// No security requirement.
    None,
    /// Every requirement needs credentials.
    Required,
    /// An empty requirement sits beside a real one.
    Optional,
}

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq)]
pub enum Segment {
    /// Literal text.
    Literal(String),
    /// Index into [`OpDef::params`].
    Param(usize),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path.
    Path,
    /// In the query string.
    Query,
}

/// An operation parameter.
#[derive(Debug)]
pub struct Param {
    /// Name on the wire.
    pub wire: String,
    /// Rust field and setter name.
    pub name: String,
    /// Path or query.
    pub location: Location,
    /// Base type (without `Option`).
    pub ty: Ty,
    /// Required.
    pub required: bool,
    /// Arrays: repeat the key (`explode: true`) or join with commas.
    pub explode: bool,
    /// Documentation.
    pub doc: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

/// A JSON request body.
#[derive(Debug)]
pub struct Body {
    /// Rust field name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// `requestBody.required`.
    pub required: bool,
    /// Documentation.
    pub doc: Option<String>,
}

/// An operation.
#[derive(Debug)]
pub struct OpDef {
    /// `operationId`.
    pub id: String,
    /// JSON pointer of the operation.
    pub pointer: String,
    /// Request struct name in `ops`.
    pub struct_name: String,
    /// Endpoint method name on `Client`.
    pub fn_name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The template, split.
    pub segments: Vec<Segment>,
    /// Path and query parameters.
    pub params: Vec<Param>,
    /// JSON body.
    pub body: Option<Body>,
    /// Success type; `None` for body-less answers.
    pub output: Option<Ty>,
    /// From `security`.
    pub auth: AuthKind,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// Module (file) of `ops` it lives in, from its first tag.
    pub module: String,
    /// Cursor pagination, when the operation has its shape.
    pub pagination: Option<Pagination>,
    /// Rate-limit cost, from the operation's documentation.
    pub cost: Cost,
    /// Types of the operation's error-response bodies (component schemas only).
    pub error_types: Vec<TypeId>,
    /// Rust name of the request body's array of items: its only required field, when that is an
    /// array. Per-item costs count its length.
    pub items_field: Option<String>,
    /// Batch shape: items in, one outcome per item out.
    pub batch: Option<BatchShape>,
}

/// A batch operation: the request body's only required field is an array of items, and the answer
/// has an array of the same name whose elements carry an error field of the operation's error
/// type, one outcome per item.
#[derive(Debug, Clone)]
pub struct BatchShape {
    /// The request item type.
    pub item: Ty,
    /// The answer's array: Rust name, and whether it is an `Option`.
    pub outcomes_field: (String, bool),
    /// The outcome type.
    pub outcome: Ty,
    /// The outcome's error field (an `Option` of one of the operation's error types).
    pub error_field: String,
    /// A text field that both an item and its outcome carry (the first, required ones first), used
    /// to match outcomes to items: Rust names, and whether each is an `Option`.
    pub key: Option<((String, bool), (String, bool))>,
}

/// How a cursor-paginated operation pages: a `cursor` query parameter, a string `cursor` (or
/// `next_cursor`) field in the answer, and, for item streams, exactly one array field.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// Index of the `cursor` parameter in [`OpDef::params`].
    pub cursor_param: usize,
    /// Rust name of the answer's cursor field, and whether it is an `Option`.
    pub cursor_field: (String, bool),
    /// The answer's one item array: Rust name, whether it is an `Option`, and the item type.
    /// `None` when the answer has several arrays (it is walked page by page).
    pub items: Option<(String, bool, Ty)>,
}

/// Methods the runtime's `Client` already has; endpoint methods avoid these names.
pub const CLIENT_METHODS: &[&str] = &[
    "new",
    "builder",
    "from_env",
    "execute",
    "base_url",
    "has_credentials",
    "build_request",
    "clone",
    "fmt",
    "send",
    "request",
];

/// Builds the model, collecting every problem rather than stopping at the first.
pub fn build(api: &OpenAPI, settings: &Settings) -> Result<Model, Vec<Problem>> {
    let mut b = Builder {
        api,
        settings,
        types: Vec::new(),
        by_schema: IndexMap::new(),
        names: Namespace::default(),
        param_types: HashMap::new(),
        problems: Vec::new(),
    };
    let schemas = api
        .components
        .as_ref()
        .map(|c| &c.schemas)
        .cloned()
        .unwrap_or_default();
    for (key, _) in &schemas {
        let pointer = ptr("/components/schemas", &[key]);
        let name = b.names.claim(&names::type_name(key));
        let id = b.push(name, pointer);
        b.by_schema.insert(key.clone(), id);
    }
    for (key, schema) in &schemas {
        let id = b.by_schema[key];
        let pointer = b.types[id].pointer.clone();
        let (kind, doc, deprecated) = match schema {
            ReferenceOr::Reference { reference } => (
                TypeKind::Alias(b.reference(reference, &pointer).0),
                None,
                false,
            ),
            ReferenceOr::Item(s) => {
                let kind = match b.settings.runtime_types.get(key) {
                    Some(path) => TypeKind::Alias(Ty::Runtime(path.clone())),
                    None => b.component_kind(s, &b.types[id].name.clone(), &pointer),
                };
                (
                    kind,
                    s.schema_data.description.clone(),
                    s.schema_data.deprecated,
                )
            }
        };
        let t = &mut b.types[id];
        t.kind = kind;
        t.doc = doc;
        t.deprecated = deprecated;
    }
    let mut ops = Vec::new();
    let mut op_names = Namespace::default();
    let mut fn_names = Namespace::with_reserved(CLIENT_METHODS);
    for (path, item) in &api.paths.paths {
        let item_ptr = ptr("/paths", &[path]);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                b.problem(
                    &item_ptr,
                    "a `$ref` path item is not supported; inline the path item",
                );
                continue;
            }
        };
        for (method, op) in item.iter() {
            let op_ptr = ptr(&item_ptr, &[method]);
            if let Some(op) = b.operation(
                path,
                method,
                op,
                &item.parameters,
                &op_ptr,
                &mut op_names,
                &mut fn_names,
            ) {
                ops.push(op);
            }
        }
    }
    if !b.problems.is_empty() {
        return Err(b.problems);
    }
    let mut model = Model {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        types: b.types,
        ops,
    };
    let mut problems = Vec::new();
    for i in 0..model.ops.len() {
        model.ops[i].pagination = pagination(&model, &model.ops[i]);
        model.ops[i].items_field = items_field(&model, &model.ops[i]);
        model.ops[i].batch = batch(&model, &model.ops[i]);
        let op = &model.ops[i];
        if matches!(op.cost, Cost::PerItem(_)) && op.items_field.is_none() {
            problems.push(Problem {
                pointer: op.pointer.clone(),
                message: "the documentation states a cost per item, but the request body has no \
                          array of items as its only required field to count them"
                    .into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    mark_usage(&mut model);
    box_recursion(&mut model);
    Ok(model)
}

/// The fields of the struct `ty` names, following aliases.
fn struct_fields<'m>(model: &'m Model, mut ty: &'m Ty) -> Option<&'m [Field]> {
    loop {
        match ty {
            Ty::Named(id) => match &model.types[*id].kind {
                TypeKind::Struct(fields) => return Some(fields),
                TypeKind::Alias(inner) => ty = inner,
                _ => return None,
            },
            _ => return None,
        }
    }
}

/// The request body's array of items: its only required field, when that is a non-nullable array.
fn items_field(model: &Model, op: &OpDef) -> Option<String> {
    let body = op.body.as_ref().filter(|b| b.required)?;
    let fields = struct_fields(model, &body.ty)?;
    let mut required = fields.iter().filter(|f| f.required);
    match (required.next(), required.next()) {
        (Some(f), None) if matches!(f.ty, Ty::Vec(_)) && !f.is_option() && !f.boxed => {
            Some(f.name.clone())
        }
        _ => None,
    }
}

/// Detects a batch operation from its shape (see [`BatchShape`]).
fn batch(model: &Model, op: &OpDef) -> Option<BatchShape> {
    let items_name = op.items_field.as_ref()?;
    let body = struct_fields(model, &op.body.as_ref()?.ty)?;
    let items = body.iter().find(|f| &f.name == items_name)?;
    let Ty::Vec(item) = &items.ty else {
        return None;
    };
    let answer = struct_fields(model, op.output.as_ref()?)?;
    let outcomes = answer.iter().find(|f| f.wire == items.wire && !f.boxed)?;
    let Ty::Vec(outcome) = &outcomes.ty else {
        return None;
    };
    let outcome_fields = struct_fields(model, outcome)?;
    let error = outcome_fields
        .iter()
        .find(|f| f.is_option() && matches!(f.ty, Ty::Named(id) if op.error_types.contains(&id)))?;
    // Required item fields first: a key the caller must set matches every item.
    let item_fields = struct_fields(model, item)?;
    let mut candidates: Vec<&Field> = item_fields.iter().filter(|f| f.ty == Ty::String).collect();
    candidates.sort_by_key(|f| f.is_option());
    let key = candidates.into_iter().find_map(|f| {
        let o = outcome_fields
            .iter()
            .find(|o| o.wire == f.wire && o.ty == Ty::String)?;
        Some((
            (f.name.clone(), f.is_option()),
            (o.name.clone(), o.is_option()),
        ))
    });
    Some(BatchShape {
        item: (**item).clone(),
        outcomes_field: (outcomes.name.clone(), outcomes.is_option()),
        outcome: (**outcome).clone(),
        error_field: error.name.clone(),
        key,
    })
}

/// Detects cursor pagination from the operation's shape (see [`Pagination`]).
fn pagination(model: &Model, op: &OpDef) -> Option<Pagination> {
    let cursor_param = op
        .params
        .iter()
        .position(|p| p.location == Location::Query && p.wire == "cursor" && p.ty == Ty::String)?;
    let fields = struct_fields(model, op.output.as_ref()?)?;
    let cursor = fields
        .iter()
        .find(|f| (f.wire == "cursor" || f.wire == "next_cursor") && f.ty == Ty::String)?;
    let arrays: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.ty, Ty::Vec(_)))
        .collect();
    let items = match arrays.as_slice() {
        [one] => match &one.ty {
            Ty::Vec(item) => Some((one.name.clone(), one.is_option(), (**item).clone())),
            _ => None,
        },
        _ => None,
    };
    Some(Pagination {
        cursor_param,
        cursor_field: (cursor.name.clone(), cursor.is_option()),
        items,
    })
}

struct Builder<'a> {
    api: &'a OpenAPI,
    settings: &'a Settings,
    types: Vec<TypeDef>,
    by_schema: IndexMap<String, TypeId>,
    names: Namespace,
    /// Inline types of `components.parameters` entries, shared by every operation using them.
    param_types: HashMap<String, Ty>,
    problems: Vec<Problem>,
}

impl Builder<'_> {
    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    fn push(&mut self, name: String, pointer: String) -> TypeId {
        self.types.push(TypeDef {
            name,
            pointer,
            doc: None,
            deprecated: false,
            kind: TypeKind::Pending,
            module: String::new(),
            output: false,
            input: false,
        });
        self.types.len() - 1
    }

    /// A `$ref` to a component schema: its type, and whether the schema itself is nullable.
    fn reference(&mut self, reference: &str, pointer: &str) -> (Ty, bool) {
        let Some(key) = reference.strip_prefix("#/components/schemas/") else {
            self.problem(
                pointer,
                format!("`$ref: {reference}`: expected a reference to `#/components/schemas/...`"),
            );
            return (Ty::Json, false);
        };
        let key = key.replace("~1", "/").replace("~0", "~");
        match self.by_schema.get(&key) {
            Some(&id) => {
                let nullable = match self
                    .api
                    .components
                    .as_ref()
                    .and_then(|c| c.schemas.get(&key))
                {
                    Some(ReferenceOr::Item(s)) => s.schema_data.nullable,
                    _ => false,
                };
                (Ty::Named(id), nullable)
            }
            None => {
                self.problem(pointer, format!("`$ref: {reference}`: no such schema"));
                (Ty::Json, false)
            }
        }
    }

    /// The kind of a component schema.
    fn component_kind(&mut self, s: &Schema, name: &str, pointer: &str) -> TypeKind {
        if let Some(kind) = self.definition(s, name, pointer) {
            return kind;
        }
        if let SchemaKind::Type(Type::Object(o)) = &s.schema_kind {
            if o.properties.is_empty() && o.additional_properties.is_none() {
                // An object with no declared fields (`EmptyResponse`): an empty struct that ignores
                // whatever fields arrive.
                return TypeKind::Struct(Vec::new());
            }
        }
        TypeKind::Alias(self.schema_ty(s, name, pointer).0)
    }

    /// The kind for schemas that need a named type of their own: objects with properties and enums.
    fn definition(&mut self, s: &Schema, owner: &str, pointer: &str) -> Option<TypeKind> {
        match &s.schema_kind {
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
                Some(self.fields(&o.properties, &o.required, owner, pointer))
            }
            SchemaKind::Any(a) if !a.properties.is_empty() => {
                Some(self.fields(&a.properties, &a.required, owner, pointer))
            }
            SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty() => {
                let values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
                Some(string_enum(values))
            }
            SchemaKind::Type(Type::Integer(it)) if !it.enumeration.is_empty() => {
                let values: Vec<i64> = it.enumeration.iter().flatten().copied().collect();
                Some(int_enum(values))
            }
            SchemaKind::Any(a) if !a.enumeration.is_empty() => {
                let non_null: Vec<_> = a.enumeration.iter().filter(|v| !v.is_null()).collect();
                if non_null.iter().all(|v| v.is_string()) {
                    Some(string_enum(
                        non_null
                            .iter()
                            .filter_map(|v| v.as_str().map(str::to_owned))
                            .collect(),
                    ))
                } else if non_null.iter().all(|v| v.is_i64()) {
                    Some(int_enum(
                        non_null.iter().filter_map(|v| v.as_i64()).collect(),
                    ))
                } else {
                    self.problem(
                        pointer,
                        "an enum mixing strings and numbers: expected one scalar type",
                    );
                    None
                }
            }
            _ => None,
        }
    }

    fn fields(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        owner: &str,
        pointer: &str,
    ) -> TypeKind {
        let wires: Vec<&str> = properties.keys().map(String::as_str).collect();
        let rust_names = names::unique_snake(&wires, &[]);
        let mut fields = Vec::with_capacity(wires.len());
        for ((wire, schema), name) in properties.iter().zip(rust_names) {
            let fptr = ptr(pointer, &["properties", wire]);
            let hint = format!("{owner}{}", names::camel(wire));
            let (ty, nullable, data) = self.resolve(schema, &hint, &fptr);
            let keep_null = data
                .and_then(|d| d.extensions.get("x-omitempty"))
                .and_then(|v| v.as_bool())
                == Some(false);
            fields.push(Field {
                wire: wire.clone(),
                name,
                ty,
                required: required.iter().any(|r| r == wire),
                nullable,
                keep_null,
                boxed: false,
                doc: data.and_then(|d| d.description.clone()),
                deprecated: data.is_some_and(|d| d.deprecated),
            });
        }
        TypeKind::Struct(fields)
    }

    /// The type of a schema in some position (field, item, parameter, body), its nullability, and
    /// the facts written at that position (description, `deprecated`, extensions).
    fn resolve<'s>(
        &mut self,
        schema: &'s ReferenceOr<impl AsSchema>,
        hint: &str,
        pointer: &str,
    ) -> (Ty, bool, Option<&'s openapiv3::SchemaData>) {
        match schema {
            ReferenceOr::Reference { reference } => {
                let (ty, nullable) = self.reference(reference, pointer);
                (ty, nullable, None)
            }
            ReferenceOr::Item(s) => {
                let s = s.schema();
                let (ty, nullable) = self.schema_ty(s, hint, pointer);
                (ty, nullable || s.schema_data.nullable, Some(&s.schema_data))
            }
        }
    }

    fn schema_ty(&mut self, s: &Schema, hint: &str, pointer: &str) -> (Ty, bool) {
        if let Some(kind) = self.definition(s, hint, pointer) {
            let name = self.names.claim(&names::type_name(hint));
            let id = self.push(name, pointer.to_string());
            let t = &mut self.types[id];
            t.kind = kind;
            t.doc = s.schema_data.description.clone();
            t.deprecated = s.schema_data.deprecated;
            let nullable = match &s.schema_kind {
                SchemaKind::Type(Type::String(st)) => st.enumeration.iter().any(Option::is_none),
                SchemaKind::Type(Type::Integer(it)) => it.enumeration.iter().any(Option::is_none),
                _ => false,
            };
            return (Ty::Named(id), nullable);
        }
        let ty = match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => match &st.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Ty::DateTime,
                VariantOrUnknownOrEmpty::Unknown(f) if f == "uuid" => Ty::Uuid,
                _ => Ty::String,
            },
            SchemaKind::Type(Type::Integer(it)) => match &it.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => Ty::I32,
                _ => Ty::I64,
            },
            SchemaKind::Type(Type::Number(_)) => Ty::F64,
            SchemaKind::Type(Type::Boolean(_)) => Ty::Bool,
            SchemaKind::Type(Type::Array(a)) => {
                self.array(a.items.as_ref(), a.min_items, a.max_items, hint, pointer)
            }
            SchemaKind::Type(Type::Object(o)) => {
                self.map(o.additional_properties.as_ref(), hint, pointer)
            }
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => {
                return self.resolve_plain(&all_of[0], hint, &ptr(pointer, &["allOf", "0"]));
            }
            SchemaKind::AllOf { all_of } => {
                self.problem(
                    pointer,
                    format!("`allOf` with {} members: expected a single `$ref` (merging schemas is not supported)", all_of.len()),
                );
                Ty::Json
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                self.problem(pointer, "`oneOf`/`anyOf`/`not`: expected a plain schema, `$ref` or single-member `allOf`");
                Ty::Json
            }
            SchemaKind::Any(a) => match a.typ.as_deref() {
                Some("array") => {
                    self.array(a.items.as_ref(), a.min_items, a.max_items, hint, pointer)
                }
                Some("string") => Ty::String,
                Some("integer") => Ty::I64,
                Some("number") => Ty::F64,
                Some("boolean") => Ty::Bool,
                _ if !a.all_of.is_empty() || !a.one_of.is_empty() || !a.any_of.is_empty() => {
                    self.problem(pointer, "a schema combining `allOf`/`oneOf`/`anyOf` with other keywords: expected a plain schema or a single `$ref`");
                    Ty::Json
                }
                _ => self.map(a.additional_properties.as_ref(), hint, pointer),
            },
        };
        (ty, false)
    }

    fn resolve_plain(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        pointer: &str,
    ) -> (Ty, bool) {
        let (ty, nullable, _) = self.resolve(schema, hint, pointer);
        (ty, nullable)
    }

    fn array(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        min: Option<usize>,
        max: Option<usize>,
        hint: &str,
        pointer: &str,
    ) -> Ty {
        let item = match items {
            Some(items) => {
                let (ty, nullable, _) =
                    self.resolve(items, &format!("{hint}Item"), &ptr(pointer, &["items"]));
                if nullable {
                    // Rare; keep nulls rather than fail the array.
                    Ty::Json
                } else {
                    ty
                }
            }
            None => Ty::Json,
        };
        match (min, max) {
            (Some(n), Some(m)) if n == m && (2..=4).contains(&n) => Ty::Tuple(vec![item; n]),
            _ => Ty::Vec(Box::new(item)),
        }
    }

    /// An object without properties: a typed map, or a free-form JSON value.
    fn map(&mut self, additional: Option<&AdditionalProperties>, hint: &str, pointer: &str) -> Ty {
        match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let (ty, _, _) = self.resolve(
                    s.as_ref(),
                    &format!("{hint}Value"),
                    &ptr(pointer, &["additionalProperties"]),
                );
                Ty::Map(Box::new(ty))
            }
            _ => Ty::Json,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        method: &str,
        op: &openapiv3::Operation,
        item_params: &[ReferenceOr<Parameter>],
        op_ptr: &str,
        op_names: &mut Namespace,
        fn_names: &mut Namespace,
    ) -> Option<OpDef> {
        let Some(id) = op.operation_id.clone() else {
            self.problem(
                op_ptr,
                "no `operationId`: every operation needs one to name its function",
            );
            return None;
        };
        let struct_name = op_names.claim(&names::type_name(&id));
        let fn_name = fn_names.claim(&names::snake(&id));

        // Path-item parameters apply unless the operation redefines the same name and location.
        let mut raw: Vec<(String, &Parameter, Option<String>)> = Vec::new();
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
                    let key = reference.strip_prefix("#/components/parameters/");
                    match key.and_then(|k| {
                        self.api
                            .components
                            .as_ref()?
                            .parameters
                            .get(k)
                            .map(|p| (k, p))
                    }) {
                        Some((k, ReferenceOr::Item(p))) => (p, Some(k.to_string())),
                        _ => {
                            self.problem(&pp, format!("`$ref: {reference}`: expected a parameter in `#/components/parameters`"));
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

        let mut wires: Vec<&str> = vec!["body"];
        wires.extend(
            raw.iter()
                .map(|(_, p, _)| p.parameter_data_ref().name.as_str()),
        );
        let mut field_names = names::unique_snake(&wires, &["new"]).into_iter();
        let body_name = field_names.next().expect("body is first");

        let mut params = Vec::new();
        for ((pp, param, component), name) in raw.into_iter().zip(field_names) {
            let data = param.parameter_data_ref();
            let (location, explode) = match param {
                Parameter::Path { .. } => (Location::Path, false),
                Parameter::Query { style, .. } => {
                    let explode = data.explode.unwrap_or(matches!(style, QueryStyle::Form));
                    if !matches!(style, QueryStyle::Form) {
                        self.problem(&pp, "query parameter style: expected `form` (the default)");
                    }
                    (Location::Query, explode)
                }
                _ => {
                    self.problem(
                        &pp,
                        "a header or cookie parameter: expected `in: path` or `in: query`",
                    );
                    continue;
                }
            };
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(s) => s,
                ParameterSchemaOrContent::Content(_) => {
                    self.problem(&pp, "a parameter with `content`: expected `schema`");
                    continue;
                }
            };
            let ty = match component.as_ref().and_then(|c| self.param_types.get(c)) {
                Some(ty) => ty.clone(),
                None => {
                    let hint = match &component {
                        Some(c) => c.clone(),
                        None => format!("{struct_name}{}", names::camel(&data.name)),
                    };
                    let (ty, _, _) = self.resolve(schema, &hint, &ptr(&pp, &["schema"]));
                    if let Some(c) = component {
                        self.param_types.insert(c, ty.clone());
                    }
                    ty
                }
            };
            params.push(Param {
                wire: data.name.clone(),
                name,
                location,
                ty,
                required: data.required || location == Location::Path,
                explode,
                doc: data.description.clone(),
                deprecated: data.deprecated == Some(true),
            });
        }

        let segments = self.segments(path, &params, op_ptr);

        let body = match &op.request_body {
            None => None,
            Some(rb) => {
                let rb_ptr = ptr(op_ptr, &["requestBody"]);
                let rb = match rb {
                    ReferenceOr::Item(rb) => Some(rb),
                    ReferenceOr::Reference { reference } => reference
                        .strip_prefix("#/components/requestBodies/")
                        .and_then(|k| {
                            match self.api.components.as_ref()?.request_bodies.get(k)? {
                                ReferenceOr::Item(rb) => Some(rb),
                                _ => None,
                            }
                        }),
                };
                match rb {
                    None => {
                        self.problem(&rb_ptr, "expected an inline request body or a `$ref` to `#/components/requestBodies`");
                        None
                    }
                    Some(rb) => {
                        match json_schema(&rb.content) {
                            Some((media, schema)) => {
                                let (ty, _, _) = self.resolve(
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
                                self.problem(&rb_ptr, "request body: expected `application/json` content with a schema");
                                None
                            }
                        }
                    }
                }
            }
        };

        let output = self.success(op, &struct_name, op_ptr);
        let error_types = self.error_types(op);
        let cost = self.cost(op, op_ptr);
        let auth = match op.security.as_ref().or(self.api.security.as_ref()) {
            None => AuthKind::None,
            Some(reqs) if reqs.iter().all(|r| r.is_empty()) => AuthKind::None,
            Some(reqs) if reqs.iter().any(|r| r.is_empty()) => AuthKind::Optional,
            Some(_) => AuthKind::Required,
        };
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
                    self.problem(&pointer, message);
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
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/responses/")
                    .and_then(|k| match self.api.components.as_ref()?.responses.get(k)? {
                        ReferenceOr::Item(r) => Some(r),
                        _ => None,
                    }),
            };
            let schema = response.and_then(|r| json_schema(&r.content));
            if let Some((_, ReferenceOr::Reference { reference })) = schema {
                let id = reference
                    .strip_prefix("#/components/schemas/")
                    .and_then(|k| self.by_schema.get(k));
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
                self.problem(op_ptr, format!("path `{path}`: unclosed `{{`"));
                return out;
            };
            let name = &rest[start + 1..start + len];
            match params
                .iter()
                .position(|p| p.location == Location::Path && p.wire == name)
            {
                Some(i) => out.push(Segment::Param(i)),
                None => self.problem(
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
                self.problem(
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
                let found = reference
                    .strip_prefix("#/components/responses/")
                    .and_then(|k| match self.api.components.as_ref()?.responses.get(k)? {
                        ReferenceOr::Item(r) => Some(r),
                        _ => None,
                    });
                match found {
                    Some(r) => r,
                    None => {
                        self.problem(&rptr, format!("`$ref: {reference}`: expected a response in `#/components/responses`"));
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
                let (ty, _, _) = self.resolve(
                    schema,
                    &format!("{struct_name}Response"),
                    &ptr(&rptr, &["content", media, "schema"]),
                );
                Some(ty)
            }
            None => {
                self.problem(
                    &rptr,
                    "success response: expected `application/json` content with a schema",
                );
                None
            }
        }
    }
}

/// A schema, boxed or not (`openapiv3` uses both).
pub trait AsSchema {
    /// The schema.
    fn schema(&self) -> &Schema;
}

impl AsSchema for Schema {
    fn schema(&self) -> &Schema {
        self
    }
}

impl AsSchema for Box<Schema> {
    fn schema(&self) -> &Schema {
        self
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

fn catch_all(ns: &mut Namespace) -> String {
    for name in ["Unknown", "Other", "UnknownValue"] {
        if ns.is_free(name) {
            return ns.claim(name);
        }
    }
    ns.claim("Unknown")
}

fn string_enum(values: Vec<String>) -> TypeKind {
    let mut ns = Namespace::default();
    let mut seen = IndexSet::new();
    let variants = values
        .into_iter()
        .filter(|v| seen.insert(v.clone()))
        .map(|v| (ns.claim(&names::variant(&v)), v))
        .collect();
    TypeKind::StringEnum {
        variants,
        unknown: catch_all(&mut ns),
    }
}

fn int_enum(values: Vec<i64>) -> TypeKind {
    let mut ns = Namespace::default();
    let mut seen = IndexSet::new();
    let variants = values
        .into_iter()
        .filter(|v| seen.insert(*v))
        .map(|v| {
            let text = if v < 0 {
                format!("Minus{}", v.unsigned_abs())
            } else {
                v.to_string()
            };
            (ns.claim(&names::variant(&text)), v)
        })
        .collect();
    TypeKind::IntEnum {
        variants,
        unknown: catch_all(&mut ns),
    }
}

/// Calls `f` on every generated type `ty` names directly or inside containers.
fn named_in(ty: &Ty, f: &mut impl FnMut(TypeId)) {
    match ty {
        Ty::Named(id) => f(*id),
        Ty::Vec(t) | Ty::Map(t) => named_in(t, f),
        Ty::Tuple(ts) => ts.iter().for_each(|t| named_in(t, f)),
        _ => {}
    }
}

fn children(kind: &TypeKind) -> Vec<TypeId> {
    let mut out = Vec::new();
    match kind {
        TypeKind::Struct(fields) => fields
            .iter()
            .for_each(|fl| named_in(&fl.ty, &mut |id| out.push(id))),
        TypeKind::Alias(ty) => named_in(ty, &mut |id| out.push(id)),
        _ => {}
    }
    out
}

/// Marks input/output reachability and puts each type in a module: the module of the operations
/// that use it when they all share one, `common` otherwise.
fn mark_usage(model: &mut Model) {
    let n = model.types.len();
    let mut modules: Vec<IndexSet<String>> = vec![IndexSet::new(); n];
    for op in &model.ops {
        let mut inputs = Vec::new();
        for p in &op.params {
            named_in(&p.ty, &mut |id| inputs.push(id));
        }
        if let Some(b) = &op.body {
            named_in(&b.ty, &mut |id| inputs.push(id));
        }
        let mut outputs = Vec::new();
        if let Some(o) = &op.output {
            named_in(o, &mut |id| outputs.push(id));
        }
        for (roots, is_output) in [(inputs, false), (outputs, true)] {
            let mut stack = roots;
            let mut seen = vec![false; n];
            while let Some(id) = stack.pop() {
                if std::mem::replace(&mut seen[id], true) {
                    continue;
                }
                let t = &mut model.types[id];
                if is_output {
                    t.output = true;
                } else {
                    t.input = true;
                }
                modules[id].insert(op.module.clone());
                stack.extend(children(&t.kind));
            }
        }
    }
    for (t, mods) in model.types.iter_mut().zip(modules) {
        t.module = if mods.len() == 1 {
            mods[0].clone()
        } else {
            "common".to_string()
        };
    }
}

/// Boxes struct fields that lead back to their own struct without an indirection (`Vec`, map).
fn box_recursion(model: &mut Model) {
    fn direct(kind: &TypeKind) -> Vec<TypeId> {
        match kind {
            TypeKind::Struct(fields) => fields
                .iter()
                .filter(|f| !f.boxed)
                .filter_map(|f| direct_ty(&f.ty))
                .flatten()
                .collect(),
            TypeKind::Alias(ty) => direct_ty(ty).into_iter().flatten().collect(),
            _ => Vec::new(),
        }
    }
    fn direct_ty(ty: &Ty) -> Option<Vec<TypeId>> {
        match ty {
            Ty::Named(id) => Some(vec![*id]),
            Ty::Tuple(ts) => Some(ts.iter().filter_map(direct_ty).flatten().collect()),
            _ => None,
        }
    }
    fn reaches(model: &Model, from: TypeId, target: TypeId) -> bool {
        let mut stack = vec![from];
        let mut seen = vec![false; model.types.len()];
        while let Some(id) = stack.pop() {
            if id == target {
                return true;
            }
            if !std::mem::replace(&mut seen[id], true) {
                stack.extend(direct(&model.types[id].kind));
            }
        }
        false
    }
    for sid in 0..model.types.len() {
        let TypeKind::Struct(fields) = &model.types[sid].kind else {
            continue;
        };
        let to_box: Vec<usize> = fields
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                direct_ty(&f.ty).is_some_and(|ids| ids.iter().any(|&id| reaches(model, id, sid)))
            })
            .map(|(i, _)| i)
            .collect();
        if let TypeKind::Struct(fields) = &mut model.types[sid].kind {
            for i in to_box {
                fields[i].boxed = true;
            }
        }
    }
}
