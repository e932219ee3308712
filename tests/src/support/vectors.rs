//! The real-world test vectors beside the project (`../shared/vectors`), never committed into it.
//! A missing folder fails the test that needs it, with the reason: in CI a skipped check would hide
//! that the real-world proof did not run.

use std::path::PathBuf;

use super::workspace_root;

/// The vectors' folder: `TEST_VECTORS` when set, else `../shared/vectors` beside the project.
pub fn root() -> PathBuf {
    std::env::var_os("TEST_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("..").join("shared").join("vectors"))
}

/// `<vectors>/<name>`, which must exist.
pub fn folder(name: &str) -> PathBuf {
    let path = root().join(name);
    assert!(
        path.is_dir(),
        "test vectors missing: {} (they live beside the project in ../shared/vectors, or where TEST_VECTORS \
         points, and are never committed)",
        path.display()
    );
    path
}

/// The hex text of a vector file as bytes.
pub fn hex_file(path: &std::path::Path) -> Vec<u8> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let text: String = text.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex"))
        .collect()
}
