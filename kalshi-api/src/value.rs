//! How values are written into paths and query strings: the values, and the [`QueryWriter`] that
//! writes them.

use std::fmt::Write as _;

/// A value that can be written as query text.
pub trait QueryValue {
    /// Writes the value's text (unencoded) into `out`.
    fn write_text(&self, out: &mut String);

    /// Calls `f` with the value's text. The default formats into a temporary `String`; types whose
    /// text is at hand (strings, numbers, enums) override it to skip that allocation.
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        let mut text = String::new();
        self.write_text(&mut text);
        f(&text);
    }

    /// Writes `key=value` pairs for this value; the default writes one pair.
    fn write_query(&self, key: &str, query: &mut QueryWriter<'_>) {
        self.with_text(&mut |text| query.pair(key, text));
    }
}

/// A value that can be a path parameter.
pub trait PathParam {
    /// Appends the value, percent-encoded as one path segment.
    fn write_path(&self, out: &mut String);
}

impl<T: QueryValue + ?Sized> PathParam for T {
    fn write_path(&self, out: &mut String) {
        self.with_text(&mut |text| {
            out.extend(percent_encoding::utf8_percent_encode(text, SEGMENT))
        });
    }
}

impl QueryValue for str {
    fn write_text(&self, out: &mut String) {
        out.push_str(self);
    }
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        f(self);
    }
}

impl QueryValue for String {
    fn write_text(&self, out: &mut String) {
        out.push_str(self);
    }
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        f(self);
    }
}

impl QueryValue for bool {
    fn write_text(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        f(if *self { "true" } else { "false" });
    }
}

macro_rules! int_query_value {
    ($($t:ty),*) => {$(
        impl QueryValue for $t {
            fn write_text(&self, out: &mut String) {
                out.push_str(itoa::Buffer::new().format(*self));
            }
            fn with_text(&self, f: &mut dyn FnMut(&str)) {
                f(itoa::Buffer::new().format(*self));
            }
        }
    )*};
}
int_query_value!(i8, i16, i32, i64, u8, u16, u32, u64);

impl QueryValue for f64 {
    fn write_text(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl QueryValue for uuid::Uuid {
    fn write_text(&self, out: &mut String) {
        let _ = write!(out, "{self}");
    }
}

impl QueryValue for chrono::DateTime<chrono::Utc> {
    fn write_text(&self, out: &mut String) {
        out.push_str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn write_text(&self, out: &mut String) {
        if let Some(v) = self {
            v.write_text(out);
        }
    }
    fn with_text(&self, f: &mut dyn FnMut(&str)) {
        match self {
            Some(v) => v.with_text(f),
            None => f(""),
        }
    }
    fn write_query(&self, key: &str, query: &mut QueryWriter<'_>) {
        if let Some(v) = self {
            v.write_query(key, query);
        }
    }
}

/// Arrays repeat the key (`style: form, explode: true`, OpenAPI's default for query arrays).
impl<T: QueryValue> QueryValue for Vec<T> {
    fn write_text(&self, out: &mut String) {
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_text(out);
        }
    }
    fn write_query(&self, key: &str, query: &mut QueryWriter<'_>) {
        for v in self {
            v.write_query(key, query);
        }
    }
}

/// Writes `key=value` pairs of a query string, percent-encoded.
#[derive(Debug)]
pub struct QueryWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> QueryWriter<'a> {
    /// Starts a query string at the end of `out` (the `?` is written before the first pair).
    pub fn new(out: &'a mut String) -> Self {
        let first = !out.contains('?');
        Self { out, first }
    }

    /// Writes one `key=value` pair; `value` is percent-encoded.
    pub fn pair(&mut self, key: &str, value: &str) {
        self.out.push(if self.first { '?' } else { '&' });
        self.first = false;
        self.out
            .extend(percent_encoding::utf8_percent_encode(key, QUERY));
        self.out.push('=');
        self.out
            .extend(percent_encoding::utf8_percent_encode(value, QUERY));
    }

    /// Writes a parameter (`style: form, explode: true`: arrays repeat the key; `None` writes nothing).
    pub fn push<V: QueryValue + ?Sized>(&mut self, key: &str, value: &V) {
        value.write_query(key, self);
    }

    /// Writes an array parameter as one comma-separated value (`style: form, explode: false`).
    pub fn push_csv<V: QueryValue>(&mut self, key: &str, values: &[V]) {
        if values.is_empty() {
            return;
        }
        let mut joined = String::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                joined.push(',');
            }
            v.write_text(&mut joined);
        }
        self.pair(key, &joined);
    }
}

/// Appends one path parameter, percent-encoded as a single segment.
pub fn push_path<P: PathParam + ?Sized>(out: &mut String, value: &P) {
    value.write_path(out);
}

/// Characters escaped in a query key or value: everything but RFC 3986 unreserved characters.
pub(crate) const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Characters escaped in a path segment: as in a query, so `/`, `?` and `#` cannot break the path.
pub(crate) const SEGMENT: &percent_encoding::AsciiSet = QUERY;
