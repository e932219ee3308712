//! The Linux packages (issue 23): `.ci/build-packages` makes a .deb (cargo-deb) and an .rpm
//! (cargo-generate-rpm) from the release build. `.ci/install-and-test` builds them before the suite
//! and names their folder in `CERTKEEPER_PACKAGES`; without it these tests run the script themselves
//! (the release build: about 8 minutes from nothing on two cores, a couple after a change).
//!
//! Peers: lintian, dpkg (installing into a scratch root), man-db, desktop-file-validate,
//! appstreamcli, bash's completion, systemd-analyze, rpm.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use certkeeper_tests::support::{bin, exclusive, require_program, run, temp_dir, workspace_root};

/// The folder holding the built `.deb` and `.rpm`.
fn packages() -> PathBuf {
    if let Some(given) = std::env::var_os("CERTKEEPER_PACKAGES") {
        return PathBuf::from(given);
    }
    // One build at a time: both tests of this file may start together.
    let _building = exclusive("build-packages");
    let out = workspace_root().join("target/packages");
    run(Command::new(workspace_root().join(".ci/build-packages")).arg(&out));
    out
}

/// The one file in `folder` whose name ends with `suffix`.
fn the_one(folder: &Path, suffix: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.to_string_lossy().ends_with(suffix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {suffix} in {}: {found:?}",
        folder.display()
    );
    found.into_iter().next().expect("one")
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// The files (not folders) a .deb holds, as absolute paths.
fn deb_files(deb: &Path) -> BTreeSet<String> {
    let listing = run(Command::new("dpkg-deb").arg("--contents").arg(deb));
    String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter(|line| !line.starts_with('d'))
        .filter_map(|line| line.split_whitespace().nth(5))
        .map(|path| path.trim_start_matches('.').to_owned())
        .collect()
}

/// What every package must hold (besides the manual pages, counted against the program's own).
const HELD: [&str; 8] = [
    "/usr/bin/certkeeper",
    "/usr/share/applications/certkeeper.desktop",
    "/usr/share/icons/hicolor/scalable/apps/certkeeper.svg",
    "/usr/share/metainfo/org.certkeeper.Certkeeper.metainfo.xml",
    "/usr/share/bash-completion/completions/certkeeper",
    "/usr/share/fish/vendor_completions.d/certkeeper.fish",
    "/usr/lib/systemd/user/certkeeper-watch.service",
    "/etc/xdg/autostart/certkeeper-watch.desktop",
];

/// The .deb: lintian finds no error; it installs with dpkg into a scratch root; the installed
/// program says its version and commit, and its reminder service leaves quietly for a user with no
/// archive; man renders its pages in both languages; the desktop entries, the metainfo and the
/// systemd unit are accepted by their validators; bash completes its commands; the dependencies
/// are declared.
#[test]
fn the_deb_passes_lintian_installs_into_a_scratch_root_and_everything_in_it_works() {
    let lintian = require_program("lintian", "lintian");
    let dpkg = require_program("dpkg", "dpkg");
    let man = require_program("man", "man-db");
    let validate_desktop = require_program("desktop-file-validate", "desktop-file-utils");
    let appstreamcli = require_program("appstreamcli", "appstream");
    let systemd_analyze = require_program("systemd-analyze", "systemd");
    let deb = the_one(&packages(), ".deb");

    // Errors fail; warnings and notes are shown, not failed (lintian's own --fail-on default).
    let checked = Command::new(&lintian)
        .args(["--fail-on", "error", "--info"])
        .arg(&deb)
        .output()
        .expect("lintian");
    let said = text(&checked);
    eprintln!("lintian:\n{said}");
    assert!(
        checked.status.success() && !said.lines().any(|line| line.starts_with("E:")),
        "{said}"
    );

    // Declared dependencies: what the program links (found by dpkg-shlibdeps), pcscd and the
    // libraries the window loads at run time; the token tools and the GOST engine only suggested.
    let field = |name: &str| {
        String::from_utf8_lossy(
            &run(Command::new("dpkg-deb")
                .args(["--field"])
                .arg(&deb)
                .arg(name))
            .stdout,
        )
        .into_owned()
    };
    let depends = field("Depends");
    for needed in [
        "libpcsclite1",
        "libssl3",
        "libfontconfig1",
        "libc6",
        "pcscd",
        "fontconfig",
        "libx11-6",
        "libxkbcommon-x11-0",
        "libwayland-client0",
    ] {
        assert!(
            depends.contains(needed),
            "Depends lacks {needed}: {depends}"
        );
    }
    for optional in ["softhsm2", "opensc", "libengine-gost-openssl"] {
        assert!(
            !depends.contains(optional),
            "{optional} must not be required: {depends}"
        );
        assert!(
            field("Suggests").contains(optional),
            "Suggests lacks {optional}"
        );
    }

    // Installed into a scratch root with its own dpkg database (the machine's is left alone; the
    // dependencies are the machine's, hence --force-depends).
    let work = temp_dir();
    let root = work.path().join("root");
    let admin = root.join("var/lib/dpkg");
    for folder in ["info", "updates", "triggers"] {
        std::fs::create_dir_all(admin.join(folder)).expect("dpkg database");
    }
    std::fs::write(admin.join("status"), "").expect("status");
    std::fs::write(admin.join("available"), "").expect("available");
    let installed = Command::new(&dpkg)
        .arg(format!("--root={}", root.display()))
        .args(["--force-depends", "--force-not-root", "--install"])
        .arg(&deb)
        .output()
        .expect("dpkg");
    assert!(installed.status.success(), "{}", text(&installed));
    let listed = run(Command::new(&dpkg)
        .arg(format!("--root={}", root.display()))
        .args(["--listfiles", "certkeeper"]));
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    for held in HELD {
        assert!(
            listed.lines().any(|line| line == held),
            "{held} not installed:\n{listed}"
        );
        assert!(root.join(&held[1..]).is_file(), "{held}");
    }

    // The program: its version and the commit it was built from.
    let program = root.join("usr/bin/certkeeper");
    let version = run(Command::new(&program).arg("--version"));
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    assert!(version.contains(env!("CARGO_PKG_VERSION")), "{version}");
    if let Ok(head) = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(workspace_root())
        .output()
        && head.status.success()
    {
        let head = String::from_utf8_lossy(&head.stdout).trim().to_owned();
        assert!(version.contains(&head), "built from {head}: {version}");
    }

    // The reminder service as the packages start it, for a user who never made an archive: it
    // says so and leaves with success (no failure at every logon).
    let home = work.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let unit = std::fs::read_to_string(root.join("usr/lib/systemd/user/certkeeper-watch.service"))
        .expect("unit");
    let exec = unit
        .lines()
        .find_map(|line| line.strip_prefix("ExecStart="))
        .expect("ExecStart");
    assert_eq!(exec, "/usr/bin/certkeeper watch --session");
    let session = Command::new(&program)
        .args(["watch", "--session"])
        .env_clear()
        .env("HOME", &home)
        .env("LANG", "C.UTF-8")
        .output()
        .expect("watch");
    assert!(session.status.success(), "{}", text(&session));
    assert!(
        text(&session).contains("no archive yet"),
        "{}",
        text(&session)
    );
    let autostart =
        std::fs::read_to_string(root.join("etc/xdg/autostart/certkeeper-watch.desktop"))
            .expect("autostart");
    assert!(autostart.contains(&format!("Exec={exec}\n")), "{autostart}");
    // systemd checks the unit as a user unit (`--root` takes system units only): a copy whose
    // program is the one in the scratch root; any complaint fails.
    let runtime = certkeeper_tests::support::private_folder(&work.path().join("runtime"));
    let checked_unit = work.path().join("certkeeper-watch.service");
    std::fs::write(
        &checked_unit,
        unit.replace("/usr/bin/certkeeper", &program.display().to_string()),
    )
    .expect("unit copy");
    let verified = Command::new(&systemd_analyze)
        .args(["verify", "--user"])
        .arg(&checked_unit)
        .env("XDG_RUNTIME_DIR", &runtime)
        .output()
        .expect("systemd-analyze");
    assert!(
        verified.status.success() && text(&verified).trim().is_empty(),
        "{}",
        text(&verified)
    );

    // Manual pages: every one the program makes, in both languages, each rendered by man.
    let made = work.path().join("made");
    run(Command::new(bin::certkeeper())
        .args(["package-files", "--out"])
        .arg(&made));
    for folder in ["man/man1", "man/ru/man1"] {
        let mut expected: Vec<String> = std::fs::read_dir(made.join(folder))
            .expect("made pages")
            .flatten()
            .map(|entry| format!("{}.gz", entry.file_name().to_string_lossy()))
            .collect();
        expected.sort();
        let shipped = root.join("usr/share").join(folder);
        let mut held: Vec<String> = std::fs::read_dir(&shipped)
            .expect("installed pages")
            .flatten()
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        held.sort();
        assert_eq!(held, expected, "{folder}");
        assert!(held.len() > 40, "{held:?}");
        for page in &held {
            let rendered = Command::new(&man)
                .arg("-l")
                .arg(shipped.join(page))
                .env("MANWIDTH", "200")
                .env("LANG", "C.UTF-8")
                .output()
                .expect("man");
            let said = String::from_utf8_lossy(&rendered.stdout);
            assert!(
                rendered.status.success() && rendered.stderr.is_empty() && said.contains("NAME"),
                "{page}: {}",
                text(&rendered)
            );
            if page == "certkeeper-import.1.gz" {
                let expected = if folder.contains("ru") {
                    "Сохранить в архив все сертификаты"
                } else {
                    "Archive every certificate"
                };
                assert!(said.contains(expected), "{said}");
            }
        }
    }

    // The desktop entries and the metainfo, as installed.
    for entry in [
        "usr/share/applications/certkeeper.desktop",
        "etc/xdg/autostart/certkeeper-watch.desktop",
    ] {
        let checked = run(Command::new(&validate_desktop).arg(root.join(entry)));
        assert!(
            text(&checked).trim().is_empty(),
            "{entry}: {}",
            text(&checked)
        );
    }
    // validate-tree reads the installed tree as a software centre does: the metainfo, the desktop
    // entry its launchable names, the icon.
    let tree = Command::new(&appstreamcli)
        .args(["validate-tree", "--no-net"])
        .arg(&root)
        .output()
        .expect("appstreamcli");
    assert!(
        tree.status.success() && !text(&tree).lines().any(|line| line.starts_with("E:")),
        "{}",
        text(&tree)
    );

    // Bash completes the commands from the installed completion script.
    let completion = root.join("usr/share/bash-completion/completions/certkeeper");
    let completed = run(Command::new("bash").arg("-c").arg(format!(
        "source '{}'; COMP_WORDS=(certkeeper requ); COMP_CWORD=1; COMP_LINE='certkeeper requ'; \
         COMP_POINT=${{#COMP_LINE}}; _certkeeper certkeeper requ certkeeper; echo \"${{COMPREPLY[*]}}\"",
        completion.display()
    )));
    assert_eq!(String::from_utf8_lossy(&completed.stdout).trim(), "request");
    let zsh = root.join("usr/share/zsh/vendor-completions/_certkeeper");
    assert!(
        std::fs::read_to_string(zsh)
            .expect("zsh")
            .starts_with("#compdef certkeeper")
    );
    let fish =
        std::fs::read_to_string(root.join("usr/share/fish/vendor_completions.d/certkeeper.fish"))
            .expect("fish");
    assert!(fish.contains("complete -c certkeeper"), "{fish}");
}

/// The .rpm: built from the same release binary, it holds the same files as the .deb (zsh's
/// completion where RPM distributions look for it, the licence where they keep licences), declares
/// its dependencies as capabilities RED OS and ALT Linux both provide, and its digests check.
#[test]
fn the_rpm_holds_the_same_files_as_the_deb() {
    let rpm = require_program("rpm", "rpm");
    let rpm2archive = require_program("rpm2archive", "rpm2cpio");
    let folder = packages();
    let package = the_one(&folder, ".rpm");
    let deb = the_one(&folder, ".deb");

    let listed = run(Command::new(&rpm).arg("-qlp").arg(&package));
    let in_rpm: BTreeSet<String> = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    let in_deb: BTreeSet<String> = deb_files(&deb)
        .into_iter()
        .filter(|path| !path.starts_with("/usr/share/doc/"))
        .map(|path| {
            path.replace(
                "/usr/share/zsh/vendor-completions/",
                "/usr/share/zsh/site-functions/",
            )
        })
        .collect();
    let rpm_own: BTreeSet<String> = ["/usr/share/licenses/certkeeper/COPYRIGHT".to_owned()].into();
    assert_eq!(
        in_rpm
            .difference(&rpm_own)
            .cloned()
            .collect::<BTreeSet<_>>(),
        in_deb,
        "rpm -qlp against dpkg-deb --contents"
    );
    for held in HELD {
        assert!(in_rpm.contains(held), "{held}");
    }
    assert!(deb_files(&deb).contains("/usr/share/doc/certkeeper/copyright"));
    assert!(
        in_rpm
            .iter()
            .filter(|path| path.contains("/man/ru/man1/"))
            .count()
            > 40
    );

    // Its dependencies: the linked libraries (found by the tool), pcscd, fontconfig and the
    // libraries the window loads, all as capabilities.
    let requires = run(Command::new(&rpm).args(["-qp", "--requires"]).arg(&package));
    let requires = String::from_utf8_lossy(&requires.stdout).into_owned();
    for needed in [
        "libpcsclite.so.1()(64bit)",
        "pcsc-lite",
        "fontconfig",
        "libX11.so.6()(64bit)",
        "libxkbcommon-x11.so.0()(64bit)",
        "libwayland-client.so.0()(64bit)",
    ] {
        assert!(
            requires.contains(needed),
            "Requires lacks {needed}:\n{requires}"
        );
    }
    let version = run(Command::new(&rpm)
        .args(["-qp", "--queryformat", "%{VERSION}"])
        .arg(&package));
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        env!("CARGO_PKG_VERSION")
    );
    let checked = run(Command::new(&rpm)
        .args(["--checksig", "--nosignature"])
        .arg(&package));
    assert!(text(&checked).contains("digests OK"), "{}", text(&checked));

    // The same program in both: unpacked, the two binaries are one file.
    let work = temp_dir();
    let unpacked = work.path().join("rpm");
    std::fs::create_dir_all(&unpacked).expect("folder");
    let archive = work.path().join("payload.tgz");
    let payload = run(Command::new(&rpm2archive)
        .arg("-")
        .stdin(std::fs::File::open(&package).expect("rpm")));
    std::fs::write(&archive, payload.stdout).expect("payload");
    run(Command::new("tar")
        .arg("-xzf")
        .arg(&archive)
        .arg("-C")
        .arg(&unpacked));
    let from_deb = work.path().join("deb");
    run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&from_deb));
    let read = |path: PathBuf| {
        std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
    };
    assert!(
        read(unpacked.join("usr/bin/certkeeper")) == read(from_deb.join("usr/bin/certkeeper")),
        "the .deb and the .rpm hold different programs"
    );
}
