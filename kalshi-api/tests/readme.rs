//! The README's Rust blocks cannot rot: each is copied verbatim into `tests/readme_blocks.rs`,
//! which compiles them (and runs those that can run against the test exchange), and this test
//! fails when a README block and its copy differ. `README_BLOCKS=update cargo test -p kalshi-api
//! --test readme` writes the README's blocks over the copies; `cargo test -p kalshi-api --test
//! readme_blocks` then fails to build if one no longer compiles.
//!
//! Why a copy and not a doctest of the README: the blocks use `?`, `.await` and the variables of
//! earlier blocks, which as doctests would need hidden `# ` lines that GitHub shows as code; and
//! the copies can run against the test exchange. The checker is its own test binary so that it
//! still builds, and can copy a mended block, when a copied block does not compile.

/// The README's ```rust blocks, in order.
fn readme_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, fence) if fence.starts_with("```rust") => {
                assert_eq!(
                    fence, "```rust",
                    "a README block that is not compiled: {fence}"
                );
                current = Some(String::new());
            }
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// The copies of the blocks in `readme_blocks.rs`: (line of the marker, its indentation, the text unindented,
/// the number of lines), in order.
fn copied_blocks(source: &str) -> Vec<(usize, usize, String, usize)> {
    let lines: Vec<&str> = source.lines().collect();
    let mut copies = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let indent = lines[i].len() - lines[i].trim_start().len();
        if lines[i].trim_start().starts_with("// README block ") {
            let mut text = String::new();
            let mut j = i + 1;
            while lines[j].trim() != "// end of README block" {
                text.push_str(lines[j].get(indent..).unwrap_or(""));
                text.push('\n');
                j += 1;
            }
            copies.push((i, indent, text, j - i - 1));
            i = j;
        }
        i += 1;
    }
    copies
}

const README: &str = include_str!("../../README.md");
const COPIES: &str = include_str!("readme_blocks.rs");

/// Writes the README's blocks over their copies (`README_BLOCKS=update`).
fn update_copies(blocks: &[String], copies: &[(usize, usize, String, usize)]) {
    assert_eq!(
        blocks.len(),
        copies.len(),
        "add or remove a block function by hand first"
    );
    let mut lines: Vec<String> = COPIES.lines().map(str::to_string).collect();
    for (block, (at, indent, _, len)) in blocks.iter().zip(copies).rev() {
        let pad = " ".repeat(*indent);
        let new = block.lines().map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        });
        lines.splice(at + 1..at + 1 + len, new);
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/readme_blocks.rs");
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

#[test]
fn readme_blocks_are_the_ones_compiled_here() {
    let blocks = readme_blocks(README);
    let copies = copied_blocks(COPIES);
    if std::env::var("README_BLOCKS").as_deref() == Ok("update") {
        update_copies(&blocks, &copies);
        panic!("copied the README's blocks into tests/readme_blocks.rs: run the tests again");
    }
    assert_eq!(
        blocks.len(),
        copies.len(),
        "the README has {} Rust blocks, tests/readme_blocks.rs {}",
        blocks.len(),
        copies.len()
    );
    for (n, (block, (at, _, copy, _))) in blocks.iter().zip(&copies).enumerate() {
        assert!(
            block == copy,
            "README block {} differs from its copy at tests/readme_blocks.rs:{} (README_BLOCKS=update \
             copies it):\n--- README\n{block}--- copy\n{copy}",
            n + 1,
            at + 1
        );
    }
}

/// The crates the README's dependency block names, as Rust spells them.
fn dependencies(readme: &str) -> Vec<String> {
    let toml = readme
        .split("```toml\n")
        .nth(1)
        .expect("a dependency block");
    let toml = &toml[..toml.find("```").unwrap()];
    toml.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(name, _)| name.trim().replace('-', "_"))
        .filter(|name| !name.is_empty() && !name.starts_with('['))
        .collect()
}

/// The lower-case roots of the paths a block names (`tokio` in `tokio::spawn`), except those its
/// own `use` lines bring in.
fn path_roots(block: &str) -> Vec<String> {
    // Every name of a `use` line but its first, the crate.
    let imported: Vec<&str> = block
        .lines()
        .filter_map(|l| l.strip_prefix("use "))
        .flat_map(|l| l.split(|c: char| !c.is_alphanumeric() && c != '_').skip(1))
        .collect();
    let mut roots = Vec::new();
    for (at, _) in block.match_indices("::") {
        let before = &block[..at];
        let start = before
            .rfind(|c: char| !c.is_alphanumeric() && c != '_')
            .map_or(0, |i| i + 1);
        let root = &before[start..];
        let after_path = before[..start].ends_with("::");
        if !after_path
            && root.starts_with(|c: char| c.is_ascii_lowercase())
            && !imported.contains(&root)
        {
            roots.push(root.to_string());
        }
    }
    roots
}

#[test]
fn the_readme_dependency_block_names_every_crate_its_blocks_use() {
    let deps = dependencies(README);
    for (n, block) in readme_blocks(README).iter().enumerate() {
        for root in path_roots(block) {
            assert!(
                root == "std" || root == "kalshi_api" || deps.contains(&root),
                "README block {} uses `{root}`, which the dependency block does not name: {deps:?}",
                n + 1
            );
        }
    }
}
