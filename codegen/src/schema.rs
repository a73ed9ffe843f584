//! JSON Schema to Rust types: the lowering both inputs share.
//!
//! A [`Lowering`] turns schemas (as `openapiv3` values) into [`TypeDef`]s and [`Ty`]s: objects
//! become structs, enums open enums, `$ref`s named types. The OpenAPI side feeds it
//! `components.schemas` and the schemas of parameters and bodies; the AsyncAPI side feeds it its
//! message payloads after normalising them into the same shape (see `asyncapi::load`).

use crate::error::Problem;
use crate::ir::{Field, Ty, TypeDef, TypeId, TypeKind, Variant};
use crate::names::{self, Namespace};
use crate::pointer::ptr;
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
    /// Warnings met: prose not understood, a default used instead.
    pub warnings: Vec<Problem>,
    /// How many schemas deep the lowering is: bounded, so that an inline `allOf` that includes
    /// its own container (each merge making a new inline copy of itself) is an error, not a
    /// stack overflow.
    depth: usize,
}

/// The deepest nesting of inline schemas lowered.
const MAX_DEPTH: usize = 96;

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
            warnings: Vec::new(),
            depth: 0,
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

    /// Records a warning: something read from prose was not understood and a default was used.
    pub fn warning(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(Problem {
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
            areas: Vec::new(),
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
                    Some(ReferenceOr::Item(s)) => s.schema_data.nullable || null_alternative(s),
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
        if let Some(c) = Composition::of(s) {
            if let Some(kind) = self.composed_kind(s, &c, name, pointer) {
                return kind;
            }
        } else if let Some(kind) = self.definition(s, name, pointer) {
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
            if let Some(path) = self.settings.field_types.get(wire) {
                ty = self.named_field_type(schema, wire, path, &fptr, ty);
            } else if ty == Ty::String && is_plain_string(schema) {
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
                doc: field_doc(schema),
                deprecated: data.is_some_and(|d| d.deprecated),
            });
        }
        TypeKind::Struct(fields)
    }

    /// The type of a property that `field_types` maps by its wire name: the runtime type at
    /// `path` when the property is a string or uuid (`ty`, as lowered, otherwise), else a problem
    /// at its pointer.
    fn named_field_type(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        wire: &str,
        path: &str,
        pointer: &str,
        ty: Ty,
    ) -> Ty {
        if is_text_or_uuid(schema) {
            return Ty::Runtime(path.to_string());
        }
        self.problem(
            pointer,
            format!(
                "`{wire}` is mapped to `{path}` by `field_types` in the settings: expected an \
                 inline `type: string` without `enum`, with no `format` or `format: uuid`"
            ),
        );
        ty
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
        if self.depth >= MAX_DEPTH {
            self.problem(
                pointer,
                format!("schemas nested more than {MAX_DEPTH} deep (an `allOf` that includes its own container?): expected a `$ref` to break the nesting"),
            );
            return (Ty::Json, false);
        }
        self.depth += 1;
        let out = self.schema_ty_inner(s, hint, pointer);
        self.depth -= 1;
        out
    }

    fn schema_ty_inner(&mut self, s: &Schema, hint: &str, pointer: &str) -> (Ty, bool) {
        if let Some(c) = Composition::of(s) {
            return self.composed_ty(s, &c, hint, pointer);
        }
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
            // Composition was handled above; what is left is `not` (and empty lists).
            SchemaKind::AllOf { .. } | SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } => {
                Ty::Json
            }
            SchemaKind::Not { .. } => {
                self.problem(
                    pointer,
                    "`not`: expected a plain schema, `$ref`, `allOf`, `oneOf` or `anyOf`",
                );
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
                _ if a.not.is_some() => {
                    self.problem(
                        pointer,
                        "`not`: expected a plain schema, `$ref`, `allOf`, `oneOf` or `anyOf`",
                    );
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

/// A schema's `properties`.
type Properties = IndexMap<String, ReferenceOr<Box<Schema>>>;

/// The composition keywords of a schema, whichever way `openapiv3` parsed it (a bare `allOf` is
/// [`SchemaKind::AllOf`]; with sibling keywords it is [`SchemaKind::Any`]).
pub struct Composition<'s> {
    all_of: &'s [ReferenceOr<Schema>],
    alternatives: &'s [ReferenceOr<Schema>],
    /// `"oneOf"` or `"anyOf"`, for pointers.
    keyword: &'static str,
    /// Properties written beside `allOf`.
    properties: Option<(&'s Properties, &'s [String])>,
}

impl<'s> Composition<'s> {
    /// `None` for a schema without `allOf`, `oneOf` or `anyOf`.
    pub fn of(s: &'s Schema) -> Option<Self> {
        let c = match &s.schema_kind {
            SchemaKind::AllOf { all_of } => Composition {
                all_of,
                alternatives: &[],
                keyword: "oneOf",
                properties: None,
            },
            SchemaKind::OneOf { one_of } => Composition {
                all_of: &[],
                alternatives: one_of,
                keyword: "oneOf",
                properties: None,
            },
            SchemaKind::AnyOf { any_of } => Composition {
                all_of: &[],
                alternatives: any_of,
                keyword: "anyOf",
                properties: None,
            },
            SchemaKind::Any(a) => {
                let (alternatives, keyword) = if !a.one_of.is_empty() {
                    (&a.one_of[..], "oneOf")
                } else {
                    (&a.any_of[..], "anyOf")
                };
                Composition {
                    all_of: &a.all_of,
                    alternatives,
                    keyword,
                    properties: (!a.properties.is_empty())
                        .then_some((&a.properties, &a.required[..])),
                }
            }
            _ => return None,
        };
        (!c.all_of.is_empty() || !c.alternatives.is_empty()).then_some(c)
    }
}

/// Validation keywords written beside a composition (`pattern`, lengths, bounds, `example`), as
/// documentation: the generated type does not enforce them, the reader should know them.
pub fn validation_note(s: &Schema) -> Option<String> {
    let mut parts = Vec::new();
    if let SchemaKind::Any(a) = &s.schema_kind {
        if let Some(p) = &a.pattern {
            parts.push(format!("pattern `{}`", p.replace('`', "'")));
        }
        if let Some(n) = a.min_length {
            parts.push(format!("at least {n} characters"));
        }
        if let Some(n) = a.max_length {
            parts.push(format!("at most {n} characters"));
        }
        if let Some(n) = a.minimum {
            parts.push(format!("minimum {n}"));
        }
        if let Some(n) = a.maximum {
            parts.push(format!("maximum {n}"));
        }
        if let Some(n) = a.min_items {
            parts.push(format!("at least {n} items"));
        }
        if let Some(n) = a.max_items {
            parts.push(format!("at most {n} items"));
        }
    }
    if let Some(e) = &s.schema_data.example {
        parts.push(format!("example `{}`", e.to_string().replace('`', "'")));
    }
    (!parts.is_empty()).then(|| format!("Constraints: {}.", parts.join("; ")))
}

impl Lowering<'_> {
    /// A composed schema in some position: the referenced type for `allOf: [one]`, or a new
    /// named type (merged struct, union).
    fn composed_ty(
        &mut self,
        s: &Schema,
        c: &Composition<'_>,
        hint: &str,
        pointer: &str,
    ) -> (Ty, bool) {
        if c.all_of.len() == 1 && c.alternatives.is_empty() && c.properties.is_none() {
            return self.resolve_plain(&c.all_of[0], hint, &ptr(pointer, &["allOf", "0"]));
        }
        if c.all_of.is_empty() {
            // `oneOf: [X, {type: 'null'}]` is a nullable X.
            let (live, nullable) = self.live_alternatives(c);
            if live.len() == 1 {
                let (i, alt) = live[0];
                let (ty, n) =
                    self.resolve_plain(alt, hint, &ptr(pointer, &[c.keyword, &i.to_string()]));
                return (ty, n || nullable);
            }
        }
        let name = self.names.claim(&names::type_name(hint));
        let id = self.push(name.clone(), pointer.to_string());
        let kind = self
            .composed_kind(s, c, &name, pointer)
            .unwrap_or(TypeKind::Alias(Ty::Json));
        let nullable = c.all_of.is_empty() && self.live_alternatives(c).1;
        let t = &mut self.types[id];
        t.kind = kind;
        t.doc = s.schema_data.description.clone();
        t.deprecated = s.schema_data.deprecated;
        (Ty::Named(id), nullable)
    }

    /// The alternatives that are not `type: 'null'`, with their positions, and whether one was.
    fn live_alternatives<'c>(
        &self,
        c: &Composition<'c>,
    ) -> (Vec<(usize, &'c ReferenceOr<Schema>)>, bool) {
        let mut nullable = false;
        let live = c
            .alternatives
            .iter()
            .enumerate()
            .filter(|(_, a)| match a {
                ReferenceOr::Item(Schema {
                    schema_kind: SchemaKind::Any(any),
                    ..
                }) if any.typ.as_deref() == Some("null") => {
                    nullable = true;
                    false
                }
                _ => true,
            })
            .collect();
        (live, nullable)
    }

    /// The kind of a composed schema named `owner`: `None` when it is just another type
    /// (`allOf` of one member, one live alternative), which the caller makes an alias.
    fn composed_kind(
        &mut self,
        s: &Schema,
        c: &Composition<'_>,
        owner: &str,
        pointer: &str,
    ) -> Option<TypeKind> {
        if c.all_of.len() + usize::from(c.properties.is_some()) >= 2
            || (!c.all_of.is_empty() && c.properties.is_some())
        {
            if !c.alternatives.is_empty() {
                self.problem(
                    pointer,
                    format!("`allOf` beside `{}`: expected one of them", c.keyword),
                );
            }
            return Some(self.merge(c, owner, pointer));
        }
        if !c.all_of.is_empty() {
            if !c.alternatives.is_empty() {
                self.problem(
                    pointer,
                    format!("`allOf` beside `{}`: expected one of them", c.keyword),
                );
            }
            return None;
        }
        let (live, _) = self.live_alternatives(c);
        if live.len() <= 1 {
            return None;
        }
        Some(self.union(s, c, &live, owner, pointer))
    }

    /// `allOf` of several members (and properties beside it): one struct with the members'
    /// properties and required lists united. The same property declared differently by two
    /// members is a problem naming the second.
    fn merge(&mut self, c: &Composition<'_>, owner: &str, pointer: &str) -> TypeKind {
        let mut properties: IndexMap<String, ReferenceOr<Box<Schema>>> = IndexMap::new();
        let mut required: Vec<String> = Vec::new();
        let mut seen_refs = IndexSet::new();
        let mut members: Vec<(String, ReferenceOr<Schema>)> = c
            .all_of
            .iter()
            .enumerate()
            .map(|(i, m)| (ptr(pointer, &["allOf", &i.to_string()]), m.clone()))
            .collect();
        if let Some((props, req)) = c.properties {
            let mut own = Schema {
                schema_data: Default::default(),
                schema_kind: SchemaKind::Type(Type::Object(Default::default())),
            };
            if let SchemaKind::Type(Type::Object(o)) = &mut own.schema_kind {
                o.properties = props.clone();
                o.required = req.to_vec();
            }
            members.push((pointer.to_string(), ReferenceOr::Item(own)));
        }
        let mut queue: std::collections::VecDeque<_> = members.into();
        while let Some((at, member)) = queue.pop_front() {
            let Some(schema) = self.merge_member(&at, &member, &mut seen_refs) else {
                continue;
            };
            let (props, req): (IndexMap<_, _>, Vec<String>) = match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => (o.properties.clone(), o.required.clone()),
                SchemaKind::Any(a) if a.typ.as_deref().is_none_or(|t| t == "object") => {
                    for (i, m) in a.all_of.iter().enumerate() {
                        queue.push_back((ptr(&at, &["allOf", &i.to_string()]), m.clone()));
                    }
                    (a.properties.clone(), a.required.clone())
                }
                SchemaKind::AllOf { all_of } => {
                    for (i, m) in all_of.iter().enumerate() {
                        queue.push_back((ptr(&at, &["allOf", &i.to_string()]), m.clone()));
                    }
                    (IndexMap::new(), Vec::new())
                }
                _ => {
                    self.problem(
                        &at,
                        "an `allOf` member that is not an object schema: expected objects to merge",
                    );
                    continue;
                }
            };
            self.unite(&at, props, &mut properties);
            for r in req {
                if !required.contains(&r) {
                    required.push(r);
                }
            }
        }
        self.fields(&properties, &required, owner, pointer)
    }

    /// One `allOf` member to merge: the schema itself, or the component it references (`None`
    /// for a reference already merged, or one that does not resolve, reported).
    fn merge_member(
        &mut self,
        at: &str,
        member: &ReferenceOr<Schema>,
        seen_refs: &mut IndexSet<String>,
    ) -> Option<Schema> {
        match member {
            ReferenceOr::Reference { reference } => {
                if !seen_refs.insert(reference.clone()) {
                    return None; // a cycle or a repeat adds nothing
                }
                let key = local_key(SCHEMAS, reference);
                match key.and_then(|k| self.components.get(&k).cloned()) {
                    Some(ReferenceOr::Item(s)) => Some(s),
                    _ => {
                        self.problem(
                            at,
                            format!("`$ref: {reference}`: expected a component schema to merge"),
                        );
                        None
                    }
                }
            }
            ReferenceOr::Item(s) => Some(s.clone()),
        }
    }

    /// Adds a member's properties to the merged ones; the same property declared differently
    /// by two members is a problem naming the second.
    fn unite(
        &mut self,
        at: &str,
        props: IndexMap<String, ReferenceOr<Box<Schema>>>,
        properties: &mut IndexMap<String, ReferenceOr<Box<Schema>>>,
    ) {
        for (key, prop) in props {
            match properties.get(&key) {
                Some(existing) if !same_schema(existing, &prop) => {
                    self.problem(
                        &ptr(at, &["properties", &key]),
                        format!("property `{key}` is declared differently by another `allOf` member: expected one declaration"),
                    );
                }
                Some(_) => {}
                None => {
                    properties.insert(key, prop);
                }
            }
        }
    }

    /// `oneOf`/`anyOf` of several live alternatives: an enum, tagged by the `discriminator` when
    /// there is one.
    fn union(
        &mut self,
        s: &Schema,
        c: &Composition<'_>,
        live: &[(usize, &ReferenceOr<Schema>)],
        owner: &str,
        pointer: &str,
    ) -> TypeKind {
        let disc = s.schema_data.discriminator.as_ref();
        let mut ns = Namespace::default();
        let mut variants = Vec::new();
        for &(i, alt) in live {
            let at = ptr(pointer, &[c.keyword, &i.to_string()]);
            let (base, tags, keys, title) = match alt {
                ReferenceOr::Reference { reference } => {
                    let key = local_key(SCHEMAS, reference).unwrap_or_default();
                    let mut tags: Vec<String> = disc
                        .map(|d| {
                            d.mapping
                                .iter()
                                .filter(|(_, r)| *r == reference || **r == key)
                                .map(|(v, _)| v.clone())
                                .collect()
                        })
                        .unwrap_or_default();
                    if disc.is_some() && tags.is_empty() && !key.is_empty() {
                        tags.push(key.clone());
                    }
                    let schema = self.components.get(&key).and_then(|s| match s {
                        ReferenceOr::Item(s) => Some(s.clone()),
                        _ => None,
                    });
                    let keys = schema.as_ref().map(required_keys).unwrap_or_default();
                    (names::type_name(&key), tags, keys, None)
                }
                ReferenceOr::Item(item) => {
                    let tags = disc
                        .and_then(|d| const_of(item, &d.property_name))
                        .into_iter()
                        .collect::<Vec<_>>();
                    (
                        kind_name(item),
                        tags,
                        required_keys(item),
                        item.schema_data.title.clone(),
                    )
                }
            };
            let name = tags
                .first()
                .map(|t| names::variant(t))
                .or(title.map(|t| names::camel(&t)))
                .filter(|n| !n.is_empty())
                .unwrap_or(base);
            let name = ns.claim(&name);
            let (ty, _) = self.resolve_plain(alt, &format!("{owner}{name}"), &at);
            variants.push(Variant {
                name,
                ty,
                tags,
                keys,
            });
        }
        TypeKind::Union {
            variants,
            tag: disc.map(|d| d.property_name.clone()),
            other: catch_all(&mut ns),
        }
    }
}

/// A field's documentation: its description, and the validation keywords written beside a
/// composition (`allOf: [$ref]` with a `pattern`), which the type does not carry.
fn field_doc(schema: &ReferenceOr<Box<Schema>>) -> Option<String> {
    let ReferenceOr::Item(s) = schema else {
        return None;
    };
    let note = Composition::of(s).and_then(|_| validation_note(s));
    match (s.schema_data.description.clone(), note) {
        (Some(d), Some(n)) => Some(format!("{d}\n\n{n}")),
        (d, n) => d.or(n),
    }
}

/// `oneOf`/`anyOf` with a `type: 'null'` alternative.
fn null_alternative(s: &Schema) -> bool {
    Composition::of(s).is_some_and(|c| {
        c.alternatives.iter().any(|a| {
            matches!(a, ReferenceOr::Item(Schema { schema_kind: SchemaKind::Any(any), .. }) if any.typ.as_deref() == Some("null"))
        })
    })
}

/// Two property schemas are the same declaration (compared as JSON).
fn same_schema(a: &ReferenceOr<Box<Schema>>, b: &ReferenceOr<Box<Schema>>) -> bool {
    serde_json::to_value(a).ok() == serde_json::to_value(b).ok()
}

/// The required properties of an object schema.
fn required_keys(s: &Schema) -> Vec<String> {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => o.required.clone(),
        SchemaKind::Any(a) => a.required.clone(),
        _ => Vec::new(),
    }
}

/// The one value an inline alternative's discriminator property can take (`enum: [x]`).
fn const_of(s: &Schema, property: &str) -> Option<String> {
    let props = match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => &o.properties,
        SchemaKind::Any(a) => &a.properties,
        _ => return None,
    };
    match props.get(property)? {
        ReferenceOr::Item(p) => match &p.schema_kind {
            SchemaKind::Type(Type::String(st)) if st.enumeration.len() == 1 => {
                st.enumeration[0].clone()
            }
            SchemaKind::Any(a) if a.enumeration.len() == 1 => {
                a.enumeration[0].as_str().map(str::to_owned)
            }
            _ => None,
        },
        ReferenceOr::Reference { .. } => None,
    }
}

/// A variant name for an inline alternative, from what it is.
fn kind_name(s: &Schema) -> String {
    match &s.schema_kind {
        SchemaKind::Type(Type::String(_)) => "String",
        SchemaKind::Type(Type::Integer(_)) => "Integer",
        SchemaKind::Type(Type::Number(_)) => "Number",
        SchemaKind::Type(Type::Boolean(_)) => "Boolean",
        SchemaKind::Type(Type::Array(_)) => "Array",
        SchemaKind::Any(a) => match a.typ.as_deref() {
            Some("string") => "String",
            Some("integer") => "Integer",
            Some("number") => "Number",
            Some("boolean") => "Boolean",
            Some("array") => "Array",
            _ => "Object",
        },
        _ => "Object",
    }
    .to_string()
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

/// Whether `schema` is an inline string that holds an id: `type: string`, no `enum`, and no
/// `format` or `format: uuid`.
fn is_text_or_uuid(schema: &ReferenceOr<Box<Schema>>) -> bool {
    match schema {
        ReferenceOr::Item(s) => matches!(
            &s.schema_kind,
            SchemaKind::Type(Type::String(st))
                if st.enumeration.is_empty() && match &st.format {
                    VariantOrUnknownOrEmpty::Empty => true,
                    VariantOrUnknownOrEmpty::Unknown(f) => f == "uuid",
                    VariantOrUnknownOrEmpty::Item(_) => false,
                }
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
