/// The git commit the program is built from: `CERTKEEPER_COMMIT` when the packaging gives it (a
/// source tarball has no .git), else `git rev-parse`, else "unknown".
fn commit() -> String {
    println!("cargo:rerun-if-env-changed=CERTKEEPER_COMMIT");
    if let Ok(given) = std::env::var("CERTKEEPER_COMMIT")
        && !given.is_empty()
    {
        return given;
    }
    // A new commit or checkout changes HEAD or the ref it names.
    let git = std::path::Path::new("../.git");
    if git.join("HEAD").is_file() {
        println!("cargo:rerun-if-changed=../.git/HEAD");
        if let Ok(head) = std::fs::read_to_string(git.join("HEAD"))
            && let Some(reference) = head.trim().strip_prefix("ref: ")
        {
            println!("cargo:rerun-if-changed=../.git/{reference}");
        }
    }
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|output| output.status.success())
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
        .filter(|commit| !commit.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn main() {
    println!("cargo:rustc-env=CERTKEEPER_COMMIT={}", commit());
    // Element look-ups in UI tests need the debug information; release builds leave it out.
    let debug = std::env::var("PROFILE").as_deref() != Ok("release");
    let config = slint_build::CompilerConfiguration::new()
        .with_debug_info(debug)
        // The Russian catalogue (gettext .po) is compiled in; no context, so a string is
        // translated once wherever it appears.
        .with_bundled_translations("ui/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None);
    println!("cargo:rerun-if-changed=ui/translations");
    if let Err(error) = slint_build::compile_with_config("ui/app-window.slint", config) {
        eprintln!("cannot compile the Slint UI: {error}");
        std::process::exit(1);
    }
}
