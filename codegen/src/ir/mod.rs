//! The neutral model: named types, type expressions and operations with every naming and typing
//! decision made, and the analyses that run over it once it is built (usage, recursion).
//!
//! Lowering builds it ([`crate::schema`] for types, the front ends [`crate::openapi`] and
//! [`crate::asyncapi`] for operations and WebSocket messages); emit and diff only read it. It knows
//! no front end.

pub mod ws;

use indexmap::IndexSet;

/// What one request of an operation costs, in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Nothing stated: Kalshi's default cost.
    Default,
    /// A fixed number of tokens per request.
    PerRequest(u32),
    /// This many tokens per item of the request's batch.
    PerItem(u32),
}

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
    /// Rust path of the module that re-exports every type, e.g. `crate::types`.
    pub types_path: String,
    /// The settings' conversions between runtime enums and generated string enums.
    pub conversions: Vec<crate::settings::EnumConversion>,
    /// Where the product's generated code sits in the crate.
    pub target: Target,
}

/// Where one product's generated code sits in the crate and how its operations are reached: the
/// part of a product's entry in `spec/products.yaml` that shapes the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Rust path of the generated root module, e.g. `crate::generated`.
    pub module: String,
    /// Rust path of the public namespace holding `ops` and `types`, e.g. `crate`.
    pub namespace: String,
    /// The handle type, generated in the root module, whose methods send the operations
    /// (`client.perps().get_margin_orders(..)`); without one they are methods of `Client`.
    pub handle: Option<String>,
    /// The rate-limit bucket set the operations draw from; without one, the account's main one.
    pub buckets: Option<String>,
    /// The cargo feature the namespace sits behind, for the documentation.
    pub feature: Option<String>,
    /// One cargo feature per API area (the operations' first tag): each area's operations, and
    /// the types only they use, compile only with its feature (see [`Model::area_features`]).
    pub areas: bool,
}

impl Default for Target {
    /// The event-contract API's place: `crate::generated`, re-exported at the crate root.
    fn default() -> Self {
        Target {
            module: "crate::generated".into(),
            namespace: "crate".into(),
            handle: None,
            buckets: None,
            feature: None,
            areas: false,
        }
    }
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
    /// The modules of the operations that use it (an operation's module is its API area), sorted;
    /// empty when no operation does.
    pub areas: Vec<String>,
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
    /// `oneOf`/`anyOf`: an enum of the alternatives. Output types also get a catch-all variant
    /// (named `other`) keeping the raw JSON, so a new alternative never fails a page.
    Union {
        /// The alternatives, in spec order.
        variants: Vec<Variant>,
        /// The `discriminator` property, when there is one.
        tag: Option<String>,
        /// Name of the catch-all variant.
        other: String,
    },
    /// Placeholder while a component is being built.
    Pending,
}

/// One alternative of a [`TypeKind::Union`].
#[derive(Debug, Clone)]
pub struct Variant {
    /// Rust variant name.
    pub name: String,
    /// Its type.
    pub ty: Ty,
    /// The discriminator values that select it (empty without a discriminator, or when the spec
    /// gives none for it: it is then tried in order).
    pub tags: Vec<String>,
    /// Wire names of the alternative's required properties: an object lacking one is not this
    /// alternative (output structs accept any object, so trying in order needs this to choose).
    pub keys: Vec<String>,
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// A `security` requirement is met by an HTTP bearer token alone (OAuth access tokens).
    pub bearer: bool,
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
    /// to match outcomes to items.
    pub key: Option<BatchKey>,
}

/// The field that matches a batch's outcomes to its items.
#[derive(Debug, Clone)]
pub struct BatchKey {
    /// The item's field: Rust name, and whether it is an `Option`.
    pub item: (String, bool),
    /// The outcome's field: Rust name, and whether it is an `Option`.
    pub outcome: (String, bool),
    /// Whether the key is a runtime id type (`field_types`) rather than a `String`.
    pub runtime: bool,
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

/// The fields of the struct `ty` names, following aliases.
pub fn struct_fields<'m>(model: &'m Model, mut ty: &'m Ty) -> Option<&'m [Field]> {
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

/// Calls `f` on every generated type `ty` names directly or inside containers.
pub fn named_in(ty: &Ty, f: &mut impl FnMut(TypeId)) {
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
        TypeKind::Union { variants, .. } => variants
            .iter()
            .for_each(|v| named_in(&v.ty, &mut |id| out.push(id))),
        _ => {}
    }
    out
}

/// Marks every type reachable from `roots` as an output (`output`) or an input type.
pub fn reach(types: &mut [TypeDef], roots: Vec<TypeId>, output: bool) {
    let mut stack = roots;
    let mut seen = vec![false; types.len()];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id], true) {
            continue;
        }
        let t = &mut types[id];
        if output {
            t.output = true;
        } else {
            t.input = true;
        }
        stack.extend(children(&t.kind));
    }
}

/// Marks input/output reachability and puts each type in a module: the module of the operations
/// that use it when they all share one, `common` otherwise.
pub fn mark_usage(model: &mut Model) {
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
    always_compiled(&model.types, &mut modules);
    for (t, mut mods) in model.types.iter_mut().zip(modules) {
        t.module = if mods.len() == 1 {
            mods[0].clone()
        } else {
            "common".to_string()
        };
        mods.sort();
        t.areas = mods.into_iter().collect();
    }
}

/// Clears the operation modules of every type a type no operation uses leads to: such a type
/// compiles whatever areas are enabled, and so must every type it names.
fn always_compiled(types: &[TypeDef], modules: &mut [IndexSet<String>]) {
    let mut stack: Vec<TypeId> = (0..types.len())
        .filter(|&id| modules[id].is_empty())
        .collect();
    let mut seen = vec![false; types.len()];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id], true) {
            continue;
        }
        modules[id].clear();
        stack.extend(children(&types[id].kind));
    }
}

/// Boxes struct fields that lead back to their own struct without an indirection (`Vec`, map).
pub fn box_recursion(model: &mut Model) {
    fn direct(kind: &TypeKind) -> Vec<TypeId> {
        match kind {
            TypeKind::Struct(fields) => fields
                .iter()
                .filter(|f| !f.boxed)
                .filter_map(|f| direct_ty(&f.ty))
                .flatten()
                .collect(),
            TypeKind::Alias(ty) => direct_ty(ty).into_iter().flatten().collect(),
            TypeKind::Union { variants, .. } => variants
                .iter()
                .filter_map(|v| direct_ty(&v.ty))
                .flatten()
                .collect(),
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
