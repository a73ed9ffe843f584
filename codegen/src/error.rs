//! Problems the generator reports, each tied to a place in the spec.

use std::fmt;

/// One thing wrong with the spec, or one construct the generator cannot map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer into the spec (RFC 6901), e.g. `/paths/~1markets/get/parameters/0`.
    pub pointer: String,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: {}", self.pointer, self.message)
    }
}

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file is not YAML, or not an OpenAPI 3.0 document.
    #[error("spec is not a readable OpenAPI 3.0 document: {0}")]
    Parse(String),
    /// The file is not YAML, or not an AsyncAPI 3 document.
    #[error("spec is not a readable AsyncAPI 3 document: {0}")]
    AsyncApi(String),
    /// The settings file is not valid.
    #[error("generator settings: {0}")]
    Settings(String),
    /// The spec parsed, but some of it cannot be mapped, or a setting names what the spec lacks;
    /// every problem found is listed (a problem with a setting names it, such as
    /// `order_book.delta.side`, and points into `spec/codegen.yaml` or at the spec field it names).
    #[error("{} problem(s) in the spec or its generator settings:\n{}", .0.len(), list(.0))]
    Spec(Vec<Problem>),
    /// The emitted code did not parse as Rust (a generator bug, reported rather than panicking).
    #[error("generated code for `{file}` is not valid Rust: {message}")]
    Render {
        /// The file being rendered.
        file: String,
        /// The parser's message.
        message: String,
    },
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}
