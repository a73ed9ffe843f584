//! API areas: with `areas` on, each tag's operations and the types only they use sit behind the
//! tag's cargo feature; a shared type compiles with any of its areas, and a type no operation uses,
//! with everything it names, always compiles.

use kalshi_codegen::{generate_product, Generated, Settings, Target};

const SPEC: &str = r#"
openapi: 3.0.0
info: { title: t, version: '1' }
paths:
  /alpha:
    get:
      operationId: GetAlpha
      tags: [alpha-area]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/AlphaAnswer' }
  /beta:
    get:
      operationId: GetBeta
      tags: [beta]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: { $ref: '#/components/schemas/BetaAnswer' }
components:
  schemas:
    AlphaAnswer:
      type: object
      properties: { shared: { $ref: '#/components/schemas/Shared' }, own: { type: string } }
    BetaAnswer:
      type: object
      properties: { shared: { $ref: '#/components/schemas/Shared' }, leaf: { $ref: '#/components/schemas/Leaf' } }
    Shared:
      type: object
      properties: { name: { type: string } }
    Leaf:
      type: object
      properties: { size: { type: integer } }
    Unused:
      type: object
      properties: { leaf: { $ref: '#/components/schemas/Leaf' } }
"#;

fn generated(areas: bool) -> Generated {
    let target = Target {
        areas,
        ..Target::default()
    };
    generate_product(SPEC, None, &Settings::default(), &target).unwrap()
}

fn file<'g>(g: &'g Generated, path: &str) -> &'g str {
    &g.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .contents
}

/// The attribute lines just above the item declaring `decl` in `text`.
fn attrs_before<'t>(text: &'t str, decl: &str) -> Vec<&'t str> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with(decl))
        .unwrap_or_else(|| panic!("no `{decl}`"));
    lines[..at]
        .iter()
        .rev()
        .take_while(|l| {
            l.starts_with('#') || l.starts_with("///") || l.starts_with(' ') || l.starts_with(')')
        })
        .copied()
        .collect()
}

#[test]
fn each_area_is_a_feature_over_its_operations_and_types() {
    let g = generated(true);
    assert_eq!(g.areas, ["alpha-area", "beta"]);
    let ops = file(&g, "ops/mod.rs");
    assert!(
        ops.contains("#[cfg(feature = \"alpha-area\")]\nmod alpha_area;"),
        "{ops}"
    );
    assert!(
        ops.contains("#[cfg(feature = \"beta\")]\npub use beta::*;"),
        "{ops}"
    );
    let types = file(&g, "types/mod.rs");
    assert!(
        types.contains("#[cfg(feature = \"alpha-area\")]\nmod alpha_area;"),
        "{types}"
    );
    assert!(types.contains("\nmod common;"), "{types}");
    assert!(file(&g, "types/alpha_area.rs").contains("pub struct AlphaAnswer"));
}

#[test]
fn a_shared_type_compiles_with_any_of_its_areas() {
    let g = generated(true);
    let common = file(&g, "types/common.rs");
    let shared = attrs_before(common, "pub struct Shared ").join("\n");
    assert!(shared.contains("feature = \"alpha-area\""), "{shared}");
    assert!(shared.contains("feature = \"beta\""), "{shared}");
    assert!(
        common.contains(
            "#[cfg(any(feature = \"alpha-area\", feature = \"beta\"))]\ncrate::wire::object!(Shared"
        ),
        "the codec is gated like its type:\n{common}"
    );
}

#[test]
fn a_type_no_operation_uses_always_compiles_with_what_it_names() {
    let g = generated(true);
    let common = file(&g, "types/common.rs");
    for decl in ["pub struct Unused ", "pub struct Leaf "] {
        let attrs = attrs_before(common, decl).join("\n");
        assert!(!attrs.contains("cfg"), "{decl}: {attrs}");
    }
}

#[test]
fn without_areas_nothing_is_gated() {
    let g = generated(false);
    assert!(g.areas.is_empty());
    for f in &g.files {
        assert!(
            !f.contents.contains("#[cfg(feature = \"beta\")]"),
            "{}",
            f.path
        );
        assert!(
            !f.contents.contains("feature = \"alpha-area\""),
            "{}",
            f.path
        );
    }
}
