//! Embeds the numbered `cql/*.cql` files in the binary, so the migration Job needs no files,
//! and rebuilds the crate when `cql/` or `migrations/` change.

use std::fmt::Write as _;
use std::path::Path;

fn main() -> std::io::Result<()> {
    // Read at run time of the build script: it may be reused for a checkout elsewhere.
    let manifest = std::env::var("CARGO_MANIFEST_DIR").map_err(std::io::Error::other)?;
    let dir = Path::new(&manifest).join("../../cql");
    println!("cargo:rerun-if-changed={}", dir.display());
    // `sqlx::migrate!` embeds `migrations/` too; a new file there must rebuild this crate.
    println!(
        "cargo:rerun-if-changed={}",
        Path::new(&manifest).join("../../migrations").display()
    );
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "cql"))
        .collect();
    files.sort();
    let mut code = String::from("&[\n");
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let _ = writeln!(code, "    ({name:?}, include_str!({:?})),", path.display());
    }
    code.push(']');
    let out =
        Path::new(&std::env::var("OUT_DIR").map_err(std::io::Error::other)?).join("cql_files.rs");
    std::fs::write(out, code)
}
