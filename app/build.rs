fn main() {
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
