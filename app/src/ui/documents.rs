//! The old-documents view: to whom a document was encrypted and which archived key opens it (read
//! from the archive's public part before anything is decrypted), then the document — or a whole
//! folder of them — opened on a worker thread with progress and Stop.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::Ordering;

use anyhow::Result;
use certkeeper_storage::catalog::Catalog;
use certkeeper_storage::{Archive, ArchiveLocation};
use slint::{ComponentHandle, ModelRc, VecModel};

use certkeeper_core::media::tokens::TokenKeys;
use certkeeper_core::open::{self, KeySource, Opened, Watch};
use certkeeper_storage::key_source::{ArchiveKeys, CatalogKeys};

use super::{AppWindow, DocumentsAdapter, ImportResult, RecipientLine, Shared};
use crate::messages::Lang;
use crate::messages::documents::{self, RecipientKnown, signer_text};

/// What the window shows about a chosen document before opening it.
pub(crate) struct Inspection {
    pub lines: Vec<RecipientLine>,
    pub verdict: String,
    /// Whether an archived key fits (a token's key may still fit when none does).
    pub key_archived: bool,
    /// Whether the content key has to be typed (EncryptedData).
    pub needs_content_key: bool,
    pub output: PathBuf,
}

/// To whom `input` was encrypted and whether the archive keeps a key that opens it; for a folder,
/// where its documents will go.
pub(crate) fn inspect(location: &ArchiveLocation, input: &Path, lang: Lang) -> Result<Inspection> {
    if input.is_dir() {
        let name = input
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "documents".to_owned());
        let output = input.with_file_name(documents::opened_folder_name(&name, lang));
        return Ok(Inspection {
            lines: Vec::new(),
            verdict: documents::folder_verdict(lang).to_owned(),
            key_archived: true,
            needs_content_key: false,
            output,
        });
    }
    let catalog = Catalog::open(location)?;
    let inspection = open::inspect(&[&mut CatalogKeys(&catalog)], input)?;
    let (verdict, needs_content_key) = match inspection.kind {
        open::DocumentKind::SharedKey => (
            Some(documents::shared_key_verdict(&inspection.cipher, lang)),
            true,
        ),
        open::DocumentKind::NotEncrypted => (
            Some(documents::not_encrypted_verdict(lang).to_owned()),
            false,
        ),
        open::DocumentKind::ToRecipients => (None, false),
    };
    if let Some(verdict) = verdict {
        return Ok(Inspection {
            lines: Vec::new(),
            verdict,
            key_archived: false,
            needs_content_key,
            output: open::default_output(input),
        });
    }
    let mut lines = Vec::new();
    let mut opener = None;
    let found = inspection.recipients.iter().flat_map(|recipient| {
        let known: Vec<_> = recipient
            .known
            .iter()
            .map(|known| {
                (
                    recipient.recipient.clone(),
                    known.certificate.as_ref(),
                    known.key_kept,
                )
            })
            .collect();
        if known.is_empty() {
            vec![(recipient.recipient.clone(), None, false)]
        } else {
            known
        }
    });
    for (recipient, certificate, kept) in found {
        let kept = &kept;
        let subject = certificate.map(|certificate| certificate.subject.to_string());
        // The validity as the reader writes dates: 11.11.2020 – 11.02.2021.
        let valid = certificate.map(|certificate| {
            format!(
                "{} – {}",
                lang.date(certificate.not_before),
                lang.date(certificate.not_after)
            )
        });
        let who = subject
            .as_deref()
            .map(|subject| super::certificates::short_name(subject).to_owned())
            .unwrap_or_else(|| recipient.clone());
        let valid = valid.unwrap_or_default();
        let (kind, known) = match (kept, &subject) {
            (true, _) => (0, RecipientKnown::KeyArchived(&valid)),
            (false, Some(_)) => (1, RecipientKnown::CertificateOnly(&valid)),
            (false, None) => (2, RecipientKnown::Unknown),
        };
        let what = documents::recipient_line(known, lang);
        if *kept && opener.is_none() {
            opener = Some(who.clone());
        }
        lines.push(RecipientLine {
            kind,
            who: who.into(),
            what: what.into(),
        });
    }
    let verdict = documents::verdict(opener.as_deref(), lang);
    Ok(Inspection {
        lines,
        verdict,
        key_archived: opener.is_some(),
        needs_content_key: false,
        output: open::default_output(input),
    })
}

/// What became of one document.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Opened now.
    Opened(Box<Opened>),
    /// Its output is there from an earlier run, and was left as it is.
    OpenedBefore,
    /// Not opened, and why.
    Failed(anyhow::Error),
}

impl From<Result<Opened, open::OpenError>> for Outcome {
    fn from(result: Result<Opened, open::OpenError>) -> Self {
        match result {
            Ok(opened) => Self::Opened(Box::new(opened)),
            Err(error) => Self::Failed(error.into()),
        }
    }
}

/// Opens `input` (a document, or every file of a folder) into `output`, following `stop` and
/// telling `progress` (done, total) in bytes of the current document. One row per document; a
/// document whose output an earlier run wrote is left as it is, as the command line does. A single
/// document encrypted with a shared key (EncryptedData) opens with `content_key`, typed by the person.
pub(crate) fn open_with(
    archive: &mut Archive,
    input: &Path,
    output: &Path,
    content_key: Option<&[u8]>,
    watch: &mut Watch<'_>,
    prompt: &dyn certkeeper_core::interact::Prompt,
) -> Result<Vec<(PathBuf, Outcome)>> {
    if let Some(key) = content_key {
        let opened = open::open_with_content_key(key, false, input, output, watch);
        return Ok(vec![(input.to_path_buf(), Outcome::from(opened))]);
    }
    let mut archived = ArchiveKeys::new(archive);
    let mut tokens = TokenKeys::new(crate::settings::module_paths(&[])?);
    let mut sources: [&mut dyn KeySource; 2] = [&mut archived, &mut tokens];
    let mut open_one = |input: &Path, output: &Path, watch: &mut Watch<'_>| {
        Outcome::from(open::open_document(
            &mut sources,
            prompt,
            input,
            output,
            watch,
        ))
    };
    if !input.is_dir() {
        return Ok(vec![(input.to_path_buf(), open_one(input, output, watch))]);
    }
    let mut results = Vec::new();
    for planned in open::plan_folder(input, output)? {
        if watch.stop.is_some_and(|stop| stop.load(Ordering::SeqCst)) {
            break;
        }
        if planned.done_before {
            results.push((planned.input, Outcome::OpenedBefore));
            continue;
        }
        if let Some(parent) = planned.output.parent() {
            certkeeper_core::files::create_private_folders(parent)?;
        }
        let opened = open_one(&planned.input, &planned.output, watch);
        results.push((planned.input, opened));
    }
    Ok(results)
}

/// The result line and one row per document.
pub(crate) fn results(
    opened: &[(PathBuf, Outcome)],
    stopped: bool,
    lang: Lang,
) -> (String, bool, Vec<ImportResult>) {
    let mut rows = Vec::new();
    let mut good = 0;
    for (input, result) in opened {
        match result {
            Outcome::Opened(done) => {
                good += 1;
                let mut detail = format!(
                    "→ {} {}",
                    done.output.display(),
                    documents::opened_by(done, lang)
                );
                for signer in &done.signers {
                    detail.push_str("; ");
                    detail.push_str(&signer_text(signer, lang));
                }
                if let Some(note) = documents::key_stream_note(done, lang) {
                    detail.push(';');
                    detail.push_str(&note);
                }
                rows.push(ImportResult {
                    kind: 0,
                    title: super::shown_path(input),
                    detail: detail.into(),
                });
            }
            Outcome::OpenedBefore => {
                good += 1;
                rows.push(ImportResult {
                    kind: 1,
                    title: super::shown_path(input),
                    detail: crate::messages::documents::opened_before(lang).into(),
                });
            }
            Outcome::Failed(error) => rows.push(ImportResult {
                kind: 3,
                title: super::shown_path(input),
                detail: super::session::shown(error, lang).into(),
            }),
        }
    }
    let failed = opened.len() - good;
    let line = documents::totals(opened.len(), good, stopped, true, lang);
    (line, failed == 0 && !stopped, rows)
}

fn show_inspection(window: &AppWindow, shared: &Shared, input: &Path) {
    let adapter = window.global::<DocumentsAdapter>();
    adapter.set_input(input.display().to_string().into());
    adapter.set_result("".into());
    adapter.set_progress(0.0);
    adapter.set_results(ModelRc::new(VecModel::from(Vec::<ImportResult>::new())));
    match inspect(&shared.location(), input, shared.lang.get()) {
        Ok(inspection) => {
            adapter.set_recipients(ModelRc::new(VecModel::from(inspection.lines)));
            adapter.set_verdict(inspection.verdict.into());
            adapter.set_can_open(true);
            adapter.set_needs_content_key(inspection.needs_content_key);
            adapter.set_content_key("".into());
            let _ = inspection.key_archived;
            adapter.set_output(inspection.output.display().to_string().into());
        }
        Err(error) => {
            adapter.set_recipients(ModelRc::new(VecModel::from(Vec::<RecipientLine>::new())));
            adapter.set_verdict(super::session::shown(&error, shared.lang.get()).into());
            adapter.set_can_open(false);
            adapter.set_needs_content_key(false);
        }
    }
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<DocumentsAdapter>();
    let chosen: super::browser::Chosen = Rc::new({
        let shared = shared.clone();
        move |window: &AppWindow, paths: Vec<PathBuf>| {
            if let Some(first) = paths.first() {
                show_inspection(window, &shared, first);
            }
        }
    });
    shared
        .on_drop
        .borrow_mut()
        .insert("documents", chosen.clone());
    adapter.on_inspect({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |typed| {
            if let Some(window) = weak.upgrade() {
                show_inspection(&window, &shared, Path::new(typed.trim()));
            }
        }
    });
    adapter.on_choose_input({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            if let Some(window) = weak.upgrade() {
                super::browser::open(&window, &shared, "any", chosen.clone());
            }
        }
    });
    adapter.on_choose_output({
        let weak = window.as_weak();
        let shared = shared.clone();
        move || {
            let Some(window) = weak.upgrade() else { return };
            // A folder is chosen; the file keeps its name.
            let set_output: super::browser::Chosen = Rc::new(|window: &AppWindow, paths| {
                let adapter = window.global::<DocumentsAdapter>();
                let current = PathBuf::from(adapter.get_output().as_str());
                if let (Some(folder), Some(name)) = (paths.first(), current.file_name()) {
                    adapter.set_output(folder.join(name).display().to_string().into());
                }
            });
            super::browser::open(&window, &shared, "folder", set_output);
        }
    });
    adapter.on_stop({
        let shared = shared.clone();
        move || shared.stop.store(true, Ordering::SeqCst)
    });
    adapter.on_open({
        let weak = window.as_weak();
        let shared = shared.clone();
        move |input, output| {
            let Some(window) = weak.upgrade() else { return };
            start(
                &window,
                &shared,
                PathBuf::from(input.as_str()),
                PathBuf::from(output.as_str()),
            );
        }
    });
}

fn start(window: &AppWindow, shared: &Rc<Shared>, input: PathBuf, output: PathBuf) {
    let adapter = window.global::<DocumentsAdapter>();
    let lang = shared.lang.get();
    let content_key = if adapter.get_needs_content_key() {
        match open::content_key_from_hex(adapter.get_content_key().as_str()) {
            Some(key) => Some(key),
            None => {
                adapter.set_result(documents::bad_content_key(lang).into());
                adapter.set_result_good(false);
                return;
            }
        }
    } else {
        None
    };
    let mut archive = match shared.archive.borrow().as_ref().map(Archive::another) {
        Some(Ok(archive)) => archive,
        Some(Err(error)) => {
            adapter.set_result(super::session::shown(&error.into(), lang).into());
            return;
        }
        None => return,
    };
    shared.stop.store(false, Ordering::SeqCst);
    let stop = shared.stop.clone();
    // A locked container's password, or a token's PIN, asked in the window.
    let prompt = super::prompt::WindowPrompt {
        window: window.as_weak(),
        lang,
    };
    adapter.set_busy(true);
    adapter.set_result("".into());
    adapter.set_progress(0.0);
    adapter.set_progress_text("".into());
    let weak = window.as_weak();
    let progress_weak = window.as_weak();
    super::session::off_the_window(
        move || {
            let mut last = std::time::Instant::now() - std::time::Duration::from_secs(1);
            let mut progress = |done: u64, total: u64| {
                if last.elapsed() < std::time::Duration::from_millis(50) {
                    return;
                }
                last = std::time::Instant::now();
                let weak = progress_weak.clone();
                let _ = slint::invoke_from_event_loop(move || {
                    if let Some(window) = weak.upgrade() {
                        let adapter = window.global::<DocumentsAdapter>();
                        adapter.set_progress((done as f64 / total.max(1) as f64).min(1.0) as f32);
                        adapter.set_progress_text(
                            format!("{} / {} MiB", done >> 20, total >> 20).into(),
                        );
                    }
                });
            };
            let mut watch = Watch {
                progress: Some(&mut progress),
                stop: Some(&stop),
                ..Watch::default()
            };
            let opened = open_with(
                &mut archive,
                &input,
                &output,
                content_key.as_deref().map(|key| &key[..]),
                &mut watch,
                &prompt,
            );
            (opened, stop.load(Ordering::SeqCst))
        },
        move |(opened, stopped)| {
            let Some(window) = weak.upgrade() else { return };
            let adapter = window.global::<DocumentsAdapter>();
            adapter.set_busy(false);
            adapter.set_progress_text("".into());
            match opened {
                Ok(opened) => {
                    let (line, good, rows) = results(&opened, stopped, lang);
                    adapter.set_progress(if good { 1.0 } else { 0.0 });
                    adapter.set_result(line.into());
                    adapter.set_result_good(good);
                    adapter.set_results(ModelRc::new(VecModel::from(rows)));
                }
                Err(error) => {
                    adapter.set_result(super::session::shown(&error, lang).into());
                    adapter.set_result_good(false);
                }
            }
        },
    );
}

#[cfg(test)]
mod flow {
    use super::*;
    use certkeeper_core::secret::SecretString;
    use std::process::Command;
    use std::sync::atomic::AtomicBool;

    use super::super::tests::FAST;

    /// Answers every question with `answer`, or declines when there is none; counts the asks.
    struct Answering {
        answer: Option<&'static str>,
        asked: std::cell::Cell<usize>,
    }

    impl certkeeper_core::interact::Prompt for Answering {
        fn secret(
            &self,
            _: &certkeeper_core::interact::Request<'_>,
        ) -> Result<SecretString, certkeeper_core::interact::Declined> {
            self.asked.set(self.asked.get() + 1);
            self.answer
                .map(|answer| SecretString::from(answer.to_owned()))
                .ok_or(certkeeper_core::interact::Declined::Cancelled)
        }
    }

    fn answering(answer: Option<&'static str>) -> Answering {
        Answering {
            answer,
            asked: std::cell::Cell::new(0),
        }
    }

    /// `NAME.pem` and `NAME.key`: an RSA certificate of `subject` for a day, made by OpenSSL.
    fn self_signed(dir: &Path, name: &str, subject: &str) {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-out",
                &format!("{name}.pem"),
                "-subj",
                subject,
                "-utf8",
                "-days",
                "1",
            ],
        );
    }

    fn openssl(dir: &Path, args: &[&str]) {
        let status = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .expect("openssl");
        assert!(status.success(), "openssl {args:?}");
    }

    /// A document made by the real `openssl cms -encrypt` to a certificate whose key was imported
    /// (through the window's import): who it is for, which key opens it, opened byte for byte; one
    /// to an unknown certificate named and not written; Stop writes nothing; a folder of both.
    #[test]
    fn a_document_is_inspected_then_opened_and_a_folder_reports_each() {
        let dir = tempfile::tempdir().expect("temp dir");
        let work = dir.path();
        for (name, subject) in [("old", "/CN=Старый бухгалтер"), ("other", "/CN=Чужой")]
        {
            self_signed(work, name, subject);
        }
        let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(work.join("content.bin"), &content).expect("content");
        let documents = work.join("documents");
        std::fs::create_dir(&documents).expect("folder");
        for (name, to) in [
            ("report.bin.p7m", "old.pem"),
            ("foreign.bin.p7m", "other.pem"),
        ] {
            openssl(
                work,
                &[
                    "cms",
                    "-encrypt",
                    "-binary",
                    "-aes256",
                    "-in",
                    "content.bin",
                    "-outform",
                    "DER",
                    "-out",
                    &format!("documents/{name}"),
                    to,
                ],
            );
        }
        let location = ArchiveLocation::explicit(work.join("archive.db"));
        let mut archive =
            Archive::create(&location, &SecretString::from("п".to_owned()), FAST).expect("create");
        let imported = super::super::import::run(
            &mut archive,
            &[work.join("old.pem"), work.join("old.key")],
            None,
            false,
            None,
            &crate::prompt::Nobody,
            &mut |_| true,
        )
        .expect("import");
        assert_eq!(imported.added, 1, "{imported:?}");

        // Before opening: who it is for, and that the archive has the key.
        let report = documents.join("report.bin.p7m");
        let inspection = inspect(&location, &report, Lang::Ru).expect("inspect");
        assert!(inspection.key_archived);
        assert_eq!(inspection.lines.len(), 1);
        assert_eq!(inspection.lines[0].kind, 0);
        assert_eq!(
            inspection.verdict,
            "Его откроет ключ «Старый бухгалтер» из архива."
        );
        assert_eq!(inspection.output, documents.join("report.bin"));
        let foreign = documents.join("foreign.bin.p7m");
        let unknown = inspect(&location, &foreign, Lang::En).expect("inspect");
        assert!(!unknown.key_archived);
        assert_eq!(unknown.lines[0].kind, 2);
        assert!(
            unknown.lines[0].who.contains("CN=Чужой"),
            "{}",
            unknown.lines[0].who
        );

        let nobody = answering(None);
        // Stop before anything is written: nothing is.
        let stop = AtomicBool::new(true);
        let out = work.join("stopped.bin");
        let stopped = open_with(
            &mut archive,
            &report,
            &out,
            None,
            &mut Watch {
                progress: Some(&mut |_, _| {}),
                stop: Some(&stop),
                ..Watch::default()
            },
            &nobody,
        )
        .expect("run");
        assert!(matches!(stopped[0].1, Outcome::Failed(_)));
        assert!(!out.exists());
        let leftovers = std::fs::read_dir(work).expect("list").count();

        // Opened, byte for byte, with progress.
        let stop = AtomicBool::new(false);
        let out = work.join("report.bin");
        let mut seen = 0;
        let opened = open_with(
            &mut archive,
            &report,
            &out,
            None,
            &mut Watch {
                progress: Some(&mut |done, _| seen = seen.max(done)),
                stop: Some(&stop),
                ..Watch::default()
            },
            &nobody,
        )
        .expect("run");
        let (line, good, rows) = results(&opened, false, Lang::En);
        assert!(good, "{line} {rows:?}");
        assert_eq!(line, "Opened.");
        assert!(
            rows[0].detail.contains("Старый бухгалтер"),
            "{}",
            rows[0].detail
        );
        assert_eq!(std::fs::read(&out).expect("output"), content);
        assert!(seen > 0);
        assert_eq!(
            std::fs::read_dir(work).expect("list").count(),
            leftovers + 1
        );

        // A folder: one opens, the other names its recipient.
        let opened_folder = work.join("opened");
        let all = open_with(
            &mut archive,
            &documents,
            &opened_folder,
            None,
            &mut Watch {
                progress: Some(&mut |_, _| {}),
                stop: Some(&stop),
                ..Watch::default()
            },
            &nobody,
        )
        .expect("run");
        let (line, good, rows) = results(&all, false, Lang::Ru);
        assert_eq!(line, "Открыто: 1, не открыто: 1.");
        assert!(!good);
        assert_eq!(
            std::fs::read(opened_folder.join("report.bin")).expect("out"),
            content
        );
        assert!(!opened_folder.join("foreign.bin").exists());
        let failed = rows.iter().find(|row| row.kind == 3).expect("a failure");
        assert!(failed.detail.contains("CN=Чужой"), "{}", failed.detail);
        assert_eq!(nobody.asked.get(), 0, "nothing was asked");

        // A real CryptoPro container archived locked (its password not given at import) and a
        // GOST document to it by OpenSSL's GOST engine: the container's password is asked through
        // the prompt (the window's dialog) when the document needs it, once.
        let container = super::super::tests::vectors("cryptopro/svkreml-00000000");
        let imported = super::super::import::run(
            &mut archive,
            std::slice::from_ref(&container),
            None,
            false,
            None,
            &crate::prompt::Nobody,
            &mut |_| true,
        )
        .expect("import");
        assert_eq!(imported.keys.len(), 1, "{imported:?}");
        let gost = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/openssl-gost.cnf");
        for args in [
            vec![
                "x509".to_owned(),
                "-in".to_owned(),
                container.with_extension("cert.crt").display().to_string(),
                "-out".to_owned(),
                "locked.pem".to_owned(),
            ],
            [
                "cms",
                "-encrypt",
                "-binary",
                "-gost89",
                "-in",
                "content.bin",
                "-outform",
                "DER",
            ]
            .iter()
            .chain(&["-out", "locked.bin.p7m", "-recip", "locked.pem"])
            .map(|arg| (*arg).to_owned())
            .collect(),
        ] {
            let status = Command::new("openssl")
                .args(&args)
                .env("OPENSSL_CONF", &gost)
                .current_dir(work)
                .stderr(std::process::Stdio::null())
                .status()
                .expect("openssl");
            assert!(status.success(), "openssl {args:?}");
        }
        let locked = work.join("locked.bin.p7m");
        let out = work.join("locked.bin");
        let cancelled = answering(None);
        let refused = open_with(
            &mut archive,
            &locked,
            &out,
            None,
            &mut Watch {
                progress: Some(&mut |_, _| {}),
                stop: Some(&stop),
                ..Watch::default()
            },
            &cancelled,
        )
        .expect("run");
        assert_eq!(cancelled.asked.get(), 1, "{:?}", refused[0].1);
        let Outcome::Failed(error) = &refused[0].1 else {
            panic!("not given, yet {:?}", refused[0].1);
        };
        assert!(
            crate::messages::describe(error, Lang::En)
                .problem
                .contains("Cancelled"),
            "{error:#}"
        );
        assert!(!out.exists());
        let told = answering(Some("123456"));
        let opened = open_with(
            &mut archive,
            &locked,
            &out,
            None,
            &mut Watch {
                progress: Some(&mut |_, _| {}),
                stop: Some(&stop),
                ..Watch::default()
            },
            &told,
        )
        .expect("run");
        assert!(
            matches!(opened[0].1, Outcome::Opened(_)),
            "{:?}",
            opened[0].1
        );
        assert_eq!(told.asked.get(), 1);
        assert_eq!(std::fs::read(&out).expect("output"), content);
    }

    /// A signed document and one encrypted with a shared key (EncryptedData), both made by OpenSSL:
    /// the window says what each is; the signed one opens without any key, its signer checked; the
    /// shared-key one asks for the key, opens with it and not with another.
    #[test]
    fn signed_and_shared_key_documents_are_told_and_opened() {
        let dir = tempfile::tempdir().expect("temp dir");
        let work = dir.path();
        self_signed(work, "signer", "/CN=Подписант");
        let content = "Акт сверки за ноябрь\n".repeat(100).into_bytes();
        std::fs::write(work.join("content.txt"), &content).expect("content");
        openssl(
            work,
            &[
                "cms",
                "-sign",
                "-binary",
                "-nodetach",
                "-in",
                "content.txt",
                "-signer",
                "signer.pem",
                "-inkey",
                "signer.key",
                "-outform",
                "DER",
                "-out",
                "signed.p7s",
            ],
        );
        const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        openssl(
            work,
            &[
                "cms",
                "-EncryptedData_encrypt",
                "-binary",
                "-aes256",
                "-secretkey",
                KEY,
                "-in",
                "content.txt",
                "-outform",
                "DER",
                "-out",
                "shared.p7m",
            ],
        );
        let location = ArchiveLocation::explicit(work.join("archive.db"));
        let mut archive =
            Archive::create(&location, &SecretString::from("п".to_owned()), FAST).expect("create");
        let nobody = Answering {
            answer: None,
            asked: std::cell::Cell::new(0),
        };

        let signed = work.join("signed.p7s");
        let told = inspect(&location, &signed, Lang::En).expect("inspect");
        assert!(!told.needs_content_key);
        assert!(
            told.verdict.starts_with("Not encrypted"),
            "{}",
            told.verdict
        );
        let out = work.join("signed.txt");
        let opened = open_with(
            &mut archive,
            &signed,
            &out,
            None,
            &mut Watch::default(),
            &nobody,
        )
        .expect("run");
        let Outcome::Opened(done) = &opened[0].1 else {
            panic!("{:?}", opened[0].1);
        };
        assert_eq!(done.signers.len(), 1);
        assert_eq!(
            done.signers[0].verdict,
            certkeeper_core::cms::signed::Verdict::Valid
        );
        let (_, good, rows) = results(&opened, false, Lang::Ru);
        assert!(good);
        assert!(
            rows[0].detail.contains("не зашифрован: подписан"),
            "{}",
            rows[0].detail
        );
        assert_eq!(std::fs::read(&out).expect("output"), content);

        let shared = work.join("shared.p7m");
        let told = inspect(&location, &shared, Lang::Ru).expect("inspect");
        assert!(told.needs_content_key);
        assert!(told.verdict.contains("AES-256-CBC"), "{}", told.verdict);
        let wrong = open::content_key_from_hex(&KEY.replace("00", "ff")).expect("hex");
        let out = work.join("shared.txt");
        let refused = open_with(
            &mut archive,
            &shared,
            &out,
            Some(&wrong),
            &mut Watch::default(),
            &nobody,
        )
        .expect("run");
        assert!(matches!(refused[0].1, Outcome::Failed(_)));
        assert!(!out.exists());
        let key = open::content_key_from_hex(KEY).expect("hex");
        let opened = open_with(
            &mut archive,
            &shared,
            &out,
            Some(&key),
            &mut Watch::default(),
            &nobody,
        )
        .expect("run");
        let (line, good, rows) = results(&opened, false, Lang::En);
        assert!(good, "{line}");
        assert!(
            rows[0].detail.contains("the content key given"),
            "{}",
            rows[0].detail
        );
        assert_eq!(std::fs::read(&out).expect("output"), content);
        assert_eq!(nobody.asked.get(), 0);
    }
}
