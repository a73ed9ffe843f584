//! JSON Schema to Rust types: the lowering both inputs share.
//!
//! A [`Lowering`] turns schemas (as `openapiv3` values) into [`TypeDef`]s and [`Ty`]s: objects
//! become structs, enums open enums, `$ref`s named types. The OpenAPI side feeds it
//! `components.schemas` and the schemas of parameters and bodies; the AsyncAPI side feeds it its
//! message payloads after normalising them into the same shape (see `asyncapi::load`).

use crate::error::{ptr, Problem};
use crate::ir::{Field, Ty, TypeDef, TypeId, TypeKind};
use crate::names::{self, Namespace};
use crate::settings::Settings;
use indexmap::{IndexMap, IndexSet};
use openapiv3::{
    AdditionalProperties, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

/// The reference prefix of component schemas, in both OpenAPI and AsyncAPI documents.
pub const SCHEMAS: &str = "#/components/schemas/";

/// The key a local `$ref` names under `prefix` (`#/components/schemas/` and the like), with its
/// JSON pointer escapes undone; `None` for a reference elsewhere.
pub fn local_key(prefix: &str, reference: &str) -> Option<String> {
    reference
        .strip_prefix(prefix)
        .filter(|k| !k.contains('/'))
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
}

/// Resolves a local `$ref` to an entry of a components map (`#/components/responses/...`, ...):
/// the one lookup every kind of reference goes through. `None` when it is not a reference under
/// `prefix`, names no entry, or names another reference.
pub fn resolve_ref<'a, T>(
    map: Option<&'a IndexMap<String, ReferenceOr<T>>>,
    prefix: &str,
    reference: &str,
) -> Option<(String, &'a T)> {
    let key = local_key(prefix, reference)?;
    match map?.get(&key)? {
        ReferenceOr::Item(item) => Some((key, item)),
        ReferenceOr::Reference { .. } => None,
    }
}

/// Schemas to types, collecting problems; every type it makes lands in [`Lowering::types`].
pub struct Lowering<'a> {
    /// Generator settings (runtime types).
    pub settings: &'a Settings,
    /// The document's component schemas.
    pub components: IndexMap<String, ReferenceOr<Schema>>,
    /// JSON pointer of the component schemas (`/components/schemas`).
    pub base: String,
    /// Every type made so far.
    pub types: Vec<TypeDef>,
    /// The type of each component schema, by key.
    pub by_schema: IndexMap<String, TypeId>,
    /// Type names taken.
    pub names: Namespace,
    /// Problems met.
    pub problems: Vec<Problem>,
}

impl<'a> Lowering<'a> {
    /// A lowering of `components` (found at `base`), with every component declared and built.
    pub fn new(
        settings: &'a Settings,
        components: IndexMap<String, ReferenceOr<Schema>>,
        base: &str,
    ) -> Self {
        Self::with_names(settings, components, base, Namespace::default())
    }

    /// [`Lowering::new`], with type names taken from `names` (names reserved for other items).
    pub fn with_names(
        settings: &'a Settings,
        components: IndexMap<String, ReferenceOr<Schema>>,
        base: &str,
        names: Namespace,
    ) -> Self {
        let mut b = Lowering {
            settings,
            components,
            base: base.to_string(),
            types: Vec::new(),
            by_schema: IndexMap::new(),
            names,
            problems: Vec::new(),
        };
        let schemas = b.components.clone();
        for (key, _) in &schemas {
            let pointer = ptr(base, &[key]);
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
        b
    }

    pub fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    pub fn push(&mut self, name: String, pointer: String) -> TypeId {
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
    pub fn reference(&mut self, reference: &str, pointer: &str) -> (Ty, bool) {
        let Some(key) = local_key(SCHEMAS, reference) else {
            self.problem(
                pointer,
                format!("`$ref: {reference}`: expected a reference to `#/components/schemas/...`"),
            );
            return (Ty::Json, false);
        };
        match self.by_schema.get(&key) {
            Some(&id) => {
                let nullable = match self.components.get(&key) {
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
    pub fn component_kind(&mut self, s: &Schema, name: &str, pointer: &str) -> TypeKind {
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
    pub fn definition(&mut self, s: &Schema, owner: &str, pointer: &str) -> Option<TypeKind> {
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

    pub fn fields(
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
            let (mut ty, nullable, data) = self.resolve(schema, &hint, &fptr);
            if ty == Ty::String && is_plain_string(schema) {
                if let Some(path) = self.settings.suffix_type(wire) {
                    ty = Ty::Runtime(path.to_string());
                }
            }
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
    pub fn resolve<'s>(
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

    pub fn schema_ty(&mut self, s: &Schema, hint: &str, pointer: &str) -> (Ty, bool) {
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

    pub fn resolve_plain(
        &mut self,
        schema: &ReferenceOr<Schema>,
        hint: &str,
        pointer: &str,
    ) -> (Ty, bool) {
        let (ty, nullable, _) = self.resolve(schema, hint, pointer);
        (ty, nullable)
    }

    pub fn array(
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
    pub fn map(
        &mut self,
        additional: Option<&AdditionalProperties>,
        hint: &str,
        pointer: &str,
    ) -> Ty {
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
}

/// `type: string` written in place, without `format` or `enum` (a `$ref` is the referenced
/// schema's business).
fn is_plain_string(schema: &ReferenceOr<Box<Schema>>) -> bool {
    match schema {
        ReferenceOr::Item(s) => matches!(
            &s.schema_kind,
            SchemaKind::Type(Type::String(st))
                if st.enumeration.is_empty() && matches!(st.format, VariantOrUnknownOrEmpty::Empty)
        ),
        ReferenceOr::Reference { .. } => false,
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

fn catch_all(ns: &mut Namespace) -> String {
    for name in ["Unknown", "Other", "UnknownValue"] {
        if ns.is_free(name) {
            return ns.claim(name);
        }
    }
    ns.claim("Unknown")
}

pub fn string_enum(values: Vec<String>) -> TypeKind {
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

pub fn int_enum(values: Vec<i64>) -> TypeKind {
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
