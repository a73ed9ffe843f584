//! How a type and a deprecation read in a change's detail.

use crate::ir::{Model, Ty};

/// A type as users read it, prefixed with the module its generated types live in.
pub(super) fn ty_text(m: &Model, prefix: &str, ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Bool => "bool".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::DateTime => "DateTime<Utc>".into(),
        Ty::Uuid => "Uuid".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::Named(id) => format!("{prefix}{}", m.types[*id].name),
        Ty::Vec(t) => format!("Vec<{}>", ty_text(m, prefix, t)),
        Ty::Map(t) => format!("BTreeMap<String, {}>", ty_text(m, prefix, t)),
        Ty::Tuple(ts) => {
            let parts: Vec<String> = ts.iter().map(|t| ty_text(m, prefix, t)).collect();
            format!("({})", parts.join(", "))
        }
        Ty::Runtime(path) => path.strip_prefix("crate::").unwrap_or(path).to_string(),
    }
}

pub(super) fn deprecation(now: bool) -> &'static str {
    if now {
        "deprecated"
    } else {
        "no longer deprecated"
    }
}
