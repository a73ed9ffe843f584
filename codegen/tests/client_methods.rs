//! The generator's list of names `Client` already has is the runtime's: every inherent method of
//! every `impl Client` block in `kalshi-api/src` (generated code aside: the `generated` folder and
//! every file marked `@generated`), read with `syn`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn runtime_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("kalshi-api/src")
}

fn walk(dir: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "generated") {
                walk(&path, out);
            }
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Another product's generated tree (`kalshi-api/src/perps`) is generated code too.
        if text.starts_with("// @generated") {
            continue;
        }
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        items(&file.items, out);
    }
}

fn items(items: &[syn::Item], out: &mut BTreeSet<String>) {
    for item in items {
        match item {
            syn::Item::Impl(imp) if imp.trait_.is_none() => {
                let syn::Type::Path(ty) = &*imp.self_ty else {
                    continue;
                };
                if ty.path.segments.last().is_some_and(|s| s.ident == "Client") {
                    for it in &imp.items {
                        if let syn::ImplItem::Fn(f) = it {
                            out.insert(f.sig.ident.to_string());
                        }
                    }
                }
            }
            syn::Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    self::items(inner, out);
                }
            }
            _ => {}
        }
    }
}

#[test]
fn the_generators_list_is_the_runtimes() {
    let mut runtime = BTreeSet::new();
    walk(&runtime_src(), &mut runtime);
    assert!(runtime.contains("execute") && runtime.contains("paginate"));
    let listed: BTreeSet<String> = kalshi_codegen::openapi::CLIENT_METHODS
        .iter()
        .map(|s| s.to_string())
        .collect();
    let missing: Vec<_> = runtime.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&runtime).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "codegen/src/openapi/lower.rs CLIENT_METHODS is out of step with the runtime's `impl Client` \
         blocks: missing {missing:?}, no longer in the runtime {extra:?}"
    );
}
