//! The messages the hand-written runtime reads through its feed traits (`protocol::BookFeed`,
//! `protocol::OrderFeed`), as the settings name them: each setting checked against the spec, then lowered for emit.
//!
//! The runtime never names a generated message; the settings say which `type` plays which part
//! and which `msg` field holds what, and this module checks that the spec agrees. A mismatch is a
//! [`Problem`] at the place it is found: the setting (a pointer into the settings file) when the
//! spec has no such message or field, the field in the spec when its shape is wrong.

use crate::error::Problem;
use crate::ir::ws::{
    BookFeedDef, FeedField, FeedMessage, KindBody, OrderFeedDef, OrderMessageDef, ServerKind,
};
use crate::ir::{Field, Ty, TypeDef, TypeKind};
use crate::pointer::ptr;
use crate::settings::{OrderBookSettings, OrderMessageSettings, OrdersSettings};

/// The runtime's exact price type, which `BookFeed` hands out.
pub const DOLLARS: &str = "crate::money::FixedPointDollars";
/// The runtime's exact count type.
pub const COUNT: &str = "crate::money::FixedPointCount";
/// The runtime's order id type, which `OrderFeed` hands out.
pub const ORDER_ID: &str = "crate::OrderId";

/// The shape a setting's field must have.
#[derive(Debug, Clone, Copy)]
enum Shape<'v> {
    /// A required string.
    Text,
    /// A list of `[string, string]` pairs, optional or not.
    Levels,
    /// A required runtime type, by path.
    Runtime(&'static str),
    /// A required string enum listing these values (the values are checked on their own).
    Enum(&'v [String]),
    /// An optional string.
    OptionalText,
    /// An optional integer.
    OptionalInteger,
    /// A string, required or optional.
    AnyText,
}

impl Shape<'_> {
    fn expected(self) -> String {
        match self {
            Shape::Text => "a required string".into(),
            Shape::Levels => "an array of `[string, string]` pairs".into(),
            Shape::Runtime(path) => format!(
                "a required field of the runtime type `{path}` (a `$ref` to the schema the \
                 settings map to it, or a string the settings map to it by name or suffix)"
            ),
            Shape::Enum(values) => format!(
                "a required string enum whose values include {}",
                values
                    .iter()
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Shape::OptionalText => "an optional string".into(),
            Shape::OptionalInteger => "an optional integer".into(),
            Shape::AnyText => "a string".into(),
        }
    }
}

/// Follows aliases.
pub(super) fn base<'t>(types: &'t [TypeDef], mut ty: &'t Ty) -> &'t Ty {
    for _ in 0..32 {
        match ty {
            Ty::Named(id) => match &types[*id].kind {
                TypeKind::Alias(inner) => ty = inner,
                _ => return ty,
            },
            _ => return ty,
        }
    }
    ty
}

/// A type as the problem text shows it.
pub(super) fn describe(types: &[TypeDef], ty: &Ty) -> String {
    match base(types, ty) {
        Ty::String => "string".into(),
        Ty::Bool => "boolean".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::DateTime => "date-time".into(),
        Ty::Uuid => "uuid".into(),
        Ty::Json => "free-form JSON".into(),
        Ty::Named(id) => {
            let t = &types[*id];
            match &t.kind {
                TypeKind::StringEnum { variants, .. } => format!(
                    "string enum `{}` of {}",
                    t.name,
                    variants
                        .iter()
                        .map(|(_, w)| format!("`{w}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => format!("`{}`", t.name),
            }
        }
        Ty::Vec(t) => format!("array of {}", describe(types, t)),
        Ty::Map(t) => format!("map of {}", describe(types, t)),
        Ty::Tuple(ts) => format!(
            "[{}]",
            ts.iter()
                .map(|t| describe(types, t))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Ty::Runtime(path) => format!("`{path}`"),
    }
}

fn fits(types: &[TypeDef], shape: Shape, ty: &Ty, optional: bool) -> bool {
    let is_string = |t: &Ty| *base(types, t) == Ty::String;
    match (shape, base(types, ty)) {
        (Shape::Text, t) => !optional && *t == Ty::String,
        (Shape::Levels, Ty::Vec(item)) => match base(types, item) {
            Ty::Tuple(pair) => pair.len() == 2 && pair.iter().all(is_string),
            _ => false,
        },
        (Shape::Runtime(path), Ty::Runtime(p)) => !optional && p == path,
        (Shape::Enum(_), Ty::Named(id)) => {
            !optional && matches!(types[*id].kind, TypeKind::StringEnum { .. })
        }
        (Shape::OptionalText, t) => optional && *t == Ty::String,
        (Shape::OptionalInteger, t) => optional && matches!(t, Ty::I32 | Ty::I64),
        (Shape::AnyText, t) => *t == Ty::String,
        _ => false,
    }
}

/// Checks one settings section against the messages.
struct Check<'m> {
    kinds: &'m [ServerKind],
    types: &'m [TypeDef],
    problems: Vec<Problem>,
}

impl<'m> Check<'m> {
    fn problem(&mut self, pointer: String, message: String) {
        self.problems.push(Problem { pointer, message });
    }

    /// The message of `type` `wire` that setting `at` (a settings pointer) names: its variant,
    /// its `msg` type and fields.
    fn message(&mut self, at: &str, wire: &str) -> Option<(FeedMessage, &'m TypeDef)> {
        let setting = setting_name(at);
        let Some(kind) = self.kinds.iter().find(|k| k.wire == wire) else {
            self.problem(
                at.into(),
                format!(
                    "settings `{setting}: {wire}`: no server message has `type: {wire}`; \
                     expected the `type` of a message the spec lists"
                ),
            );
            return None;
        };
        let alt = match &kind.body {
            KindBody::One(alt) => alt,
            KindBody::Several { .. } => {
                self.problem(
                    at.into(),
                    format!(
                        "settings `{setting}: {wire}`: several messages share `type: {wire}`; \
                         expected one message of that type"
                    ),
                );
                return None;
            }
        };
        let struct_type = match &alt.ty {
            Some(Ty::Named(id)) => Some((*id, &self.types[*id])),
            _ => None,
        }
        .filter(|(_, t)| matches!(t.kind, TypeKind::Struct(_)));
        let Some((id, t)) = struct_type else {
            self.problem(
                at.into(),
                format!(
                    "settings `{setting}: {wire}`: the message of `type: {wire}` has no object \
                     `msg`; expected an object schema with `properties`"
                ),
            );
            return None;
        };
        Some((
            FeedMessage {
                wire: wire.into(),
                variant: kind.variant.clone(),
                ty: id,
            },
            t,
        ))
    }

    /// The field `wire` of `t` that setting `at` names, if it has `shape`.
    fn field(&mut self, t: &TypeDef, at: &str, wire: &str, shape: Shape<'_>) -> Option<FeedField> {
        let setting = setting_name(at);
        let TypeKind::Struct(fields) = &t.kind else {
            return None;
        };
        let Some(f): Option<&Field> = fields.iter().find(|f| f.wire == wire) else {
            self.problem(
                ptr(&t.pointer, &["properties"]),
                format!(
                    "settings `{setting}: {wire}`: the message has no property `{wire}`; \
                     expected {}",
                    shape.expected()
                ),
            );
            return None;
        };
        if !fits(self.types, shape, &f.ty, f.is_option()) || f.boxed {
            let found = describe(self.types, &f.ty);
            let found = if f.is_option() {
                format!("an optional {found}")
            } else {
                format!("a required {found}")
            };
            self.problem(
                ptr(&t.pointer, &["properties", wire]),
                format!(
                    "settings `{setting}: {wire}`: expected {}, found {found}",
                    shape.expected()
                ),
            );
            return None;
        }
        Some(FeedField {
            name: f.name.clone(),
            optional: f.is_option(),
            ty: base(self.types, &f.ty).clone(),
        })
    }

    /// Each of `order_book.sides` must be a value of the delta's side enum `side`, and the two
    /// must differ; a problem at the setting otherwise.
    fn side_values(&mut self, side: &FeedField, sides: &[String; 2]) {
        let Ty::Named(id) = side.ty else {
            return;
        };
        let TypeKind::StringEnum { variants, .. } = &self.types[id].kind else {
            return;
        };
        for (i, value) in sides.iter().enumerate() {
            if !variants.iter().any(|(_, w)| w == value) {
                let found = describe(self.types, &side.ty);
                self.problem(
                    format!("/order_book/sides/{i}"),
                    format!(
                        "settings `order_book.sides.{i}: {value}`: the delta's side is a {found}, \
                         without `{value}`; expected one of its values"
                    ),
                );
            }
        }
        if sides[0] == sides[1] {
            self.problem(
                "/order_book/sides/1".into(),
                format!(
                    "settings `order_book.sides.1: {}`: the same value as `order_book.sides.0`; \
                     expected the book's other side",
                    sides[1]
                ),
            );
        }
    }
}

/// `/order_book/delta/price` as `order_book.delta.price`.
pub(super) fn setting_name(at: &str) -> String {
    at.trim_start_matches('/').replace('/', ".")
}

/// Checks the `order_book` settings against the server messages and lowers them; every mismatch
/// is a problem.
pub fn book(
    settings: &OrderBookSettings,
    kinds: &[ServerKind],
    types: &[TypeDef],
) -> Result<BookFeedDef, Vec<Problem>> {
    let mut cx = Check {
        kinds,
        types,
        problems: Vec::new(),
    };
    let s = &settings.snapshot;
    let d = &settings.delta;
    let snapshot = cx.message("/order_book/snapshot/type", &s.kind);
    let delta = cx.message("/order_book/delta/type", &d.kind);
    let mut snapshot_fields = None;
    if let Some((_, t)) = &snapshot {
        let at = |k: &str| format!("/order_book/snapshot/{k}");
        let ticker = cx.field(t, &at("ticker"), &s.ticker, Shape::Text);
        let first = cx.field(t, &at("levels/0"), &s.levels[0], Shape::Levels);
        let second = cx.field(t, &at("levels/1"), &s.levels[1], Shape::Levels);
        snapshot_fields = ticker.zip(first.zip(second));
    }
    let mut delta_fields = None;
    if let Some((_, t)) = &delta {
        let at = |k: &str| format!("/order_book/delta/{k}");
        let ticker = cx.field(t, &at("ticker"), &d.ticker, Shape::Text);
        let price = cx.field(t, &at("price"), &d.price, Shape::Runtime(DOLLARS));
        let change = cx.field(t, &at("delta"), &d.delta, Shape::Runtime(COUNT));
        let side = cx.field(t, &at("side"), &d.side, Shape::Enum(&settings.sides));
        if let Some(side) = &side {
            cx.side_values(side, &settings.sides);
        }
        let client_order_id = cx.field(
            t,
            &at("client_order_id"),
            &d.client_order_id,
            Shape::OptionalText,
        );
        let subaccount = cx.field(t, &at("subaccount"), &d.subaccount, Shape::OptionalInteger);
        delta_fields = ticker
            .zip(price)
            .zip(change)
            .zip(side)
            .zip(client_order_id)
            .zip(subaccount);
    }
    match (snapshot, snapshot_fields, delta, delta_fields) {
        (
            Some((snapshot, _)),
            Some((snapshot_ticker, (first, second))),
            Some((delta, _)),
            Some((((((delta_ticker, price), change), side), client_order_id), subaccount)),
        ) if cx.problems.is_empty() => Ok(BookFeedDef {
            asks: settings.asks,
            side_values: settings.sides.clone(),
            snapshot,
            snapshot_ticker,
            levels: [first, second],
            delta,
            delta_ticker,
            price,
            change,
            side,
            client_order_id,
            subaccount,
        }),
        _ => Err(cx.problems),
    }
}

/// Checks the `orders` settings against the server messages and lowers them; every mismatch is a
/// problem.
pub fn orders(
    settings: &OrdersSettings,
    kinds: &[ServerKind],
    types: &[TypeDef],
) -> Result<OrderFeedDef, Vec<Problem>> {
    let mut cx = Check {
        kinds,
        types,
        problems: Vec::new(),
    };
    let mut one = |role: &str, s: &OrderMessageSettings| {
        let at = |k: &str| format!("/orders/{role}/{k}");
        let (message, t) = cx.message(&at("type"), &s.kind)?;
        let order_id = cx.field(t, &at("order_id"), &s.order_id, Shape::Runtime(ORDER_ID));
        let client_order_id = cx.field(
            t,
            &at("client_order_id"),
            &s.client_order_id,
            Shape::AnyText,
        );
        Some(OrderMessageDef {
            message,
            order_id: order_id?,
            client_order_id: client_order_id?,
        })
    };
    let update = one("update", &settings.update);
    let fill = one("fill", &settings.fill);
    match (update, fill) {
        (Some(update), Some(fill)) if cx.problems.is_empty() => Ok(OrderFeedDef { update, fill }),
        _ => Err(cx.problems),
    }
}
