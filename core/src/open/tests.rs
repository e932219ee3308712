//! The document-opening flow over keys held in memory: no SQLite, no command line, no window.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use super::*;
use crate::cms::signed::Verdict;
use crate::formats::pkcs8::{KeyInfo, parse_private_key_info};
use crate::interact::{Declined, Request};
use crate::secret::SecretString;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/open/testdata")
        .join(name)
}

fn certificate(name: &str) -> Certificate {
    Certificate::from_der(&std::fs::read(fixture(name)).expect("fixture")).expect("certificate")
}

/// Keys in memory, as an archive would hold them: each certificate with its key or without.
struct InMemory {
    entries: Vec<(Certificate, Option<KeyInfo>)>,
    /// Keys tried, to show the order sources are asked in.
    asked: Cell<usize>,
}

impl InMemory {
    fn new(entries: Vec<(Certificate, Option<KeyInfo>)>) -> Self {
        Self {
            entries,
            asked: Cell::new(0),
        }
    }
}

impl KeySource for InMemory {
    fn known(&self, id: &RecipientId) -> Result<Vec<Known>, OpenError> {
        Ok(self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, (certificate, _))| id.matches(certificate))
            .map(|(index, (certificate, key))| Known {
                certificate_id: index as i64 + 1,
                certificate: Some(certificate.clone()),
                key_kept: key.is_some(),
            })
            .collect())
    }

    fn content_key(
        &mut self,
        recipients: &[Recipient],
        _prompt: &dyn Prompt,
    ) -> Result<Option<Unwrapped>, OpenError> {
        self.asked.set(self.asked.get() + 1);
        for (index, (certificate, key)) in self.entries.iter().enumerate() {
            let Some(key) = key else { continue };
            for recipient in recipients.iter().filter(|r| r.id.matches(certificate)) {
                match recipient.unwrap_key(key) {
                    Ok(content_key) => {
                        return Ok(Some(Unwrapped {
                            content_key,
                            certificate: Some(certificate.clone()),
                            key_name: None,
                            certificate_id: Some(index as i64 + 1),
                            token: None,
                        }));
                    }
                    Err(CmsError::WrongKey) => continue,
                    Err(other) => return Err(other.into()),
                }
            }
        }
        Ok(None)
    }
}

/// A source that holds alice's key the way a token does: it names no archived id.
struct TokenLike(KeyInfo, Certificate);

impl KeySource for TokenLike {
    fn content_key(
        &mut self,
        recipients: &[Recipient],
        _prompt: &dyn Prompt,
    ) -> Result<Option<Unwrapped>, OpenError> {
        let Some(recipient) = recipients.iter().find(|r| r.id.matches(&self.1)) else {
            return Ok(None);
        };
        Ok(Some(Unwrapped {
            content_key: recipient.unwrap_key(&self.0)?,
            certificate: Some(self.1.clone()),
            key_name: None,
            certificate_id: None,
            token: Some("Rutoken".to_owned()),
        }))
    }
}

/// Nobody to ask: the flow must not need anyone when keys are unlocked.
struct NoOne;

impl Prompt for NoOne {
    fn secret(&self, _request: &Request<'_>) -> Result<SecretString, Declined> {
        Err(Declined::NoOneToAsk)
    }
}

fn alice_key() -> KeyInfo {
    parse_private_key_info(&std::fs::read(fixture("alice.p8")).expect("key")).expect("pkcs8")
}

use crate::files::tests::listing as files_in;

#[test]
fn the_archived_key_opens_a_document_and_a_signed_one_is_unwrapped_with_its_signer_checked() {
    let dir = tempfile::tempdir().expect("dir");
    let content = std::fs::read(fixture("content.txt")).expect("content");
    let mut archive = InMemory::new(vec![
        (certificate("bob.cer"), None),
        (certificate("alice.cer"), Some(alice_key())),
    ]);

    let output = dir.path().join("report.txt");
    let opened = open_document(
        &mut [&mut archive],
        &NoOne,
        &fixture("to-alice.p7m"),
        &output,
        &mut Watch::default(),
    )
    .expect("opened");
    assert_eq!(std::fs::read(&output).expect("output"), content);
    assert_eq!(opened.certificate_id, Some(2));
    assert_eq!(opened.subject, "alice");
    assert_eq!(opened.cipher, "AES-256-CBC");
    assert_eq!(opened.bytes, content.len() as u64);
    assert!(opened.signers.is_empty());

    let signed_output = dir.path().join("signed.txt");
    let mut seen = Vec::new();
    let mut progress = |done: u64, total: u64| seen.push((done, total));
    let opened = open_document(
        &mut [&mut archive],
        &NoOne,
        &fixture("signed-to-alice.p7m"),
        &signed_output,
        &mut Watch {
            progress: Some(&mut progress),
            stop: None,
            ..Watch::default()
        },
    )
    .expect("opened");
    assert_eq!(std::fs::read(&signed_output).expect("output"), content);
    assert_eq!(opened.signers.len(), 1);
    assert_eq!(opened.signers[0].verdict, Verdict::Valid);
    assert_eq!(
        opened.signers[0].subject.as_deref(),
        Some("CN=alice, O=certkeeper tests")
    );
    let size = std::fs::metadata(fixture("signed-to-alice.p7m"))
        .expect("size")
        .len();
    assert_eq!(seen.last().map(|(_, total)| *total), Some(size));
    // Nothing but the two outputs: no temporary file is left behind.
    assert_eq!(files_in(dir.path()), ["report.txt", "signed.txt"]);
}

#[test]
fn sources_are_asked_in_order_and_a_tokens_key_is_named_by_the_archived_certificate() {
    let dir = tempfile::tempdir().expect("dir");
    // The archive knows alice's certificate but keeps no key: the token's key opens it.
    let mut archive = InMemory::new(vec![(certificate("alice.cer"), None)]);
    let mut token = TokenLike(alice_key(), certificate("alice.cer"));
    let output = dir.path().join("out.txt");
    let opened = open_document(
        &mut [&mut archive, &mut token],
        &NoOne,
        &fixture("to-alice.p7m"),
        &output,
        &mut Watch::default(),
    )
    .expect("opened by the token");
    assert_eq!(archive.asked.get(), 1, "the archive is asked first");
    assert_eq!(opened.token.as_deref(), Some("Rutoken"));
    assert_eq!(
        opened.certificate_id,
        Some(1),
        "the archived certificate named"
    );
}

#[test]
fn when_no_key_fits_the_recipients_are_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let mut archive = InMemory::new(vec![
        (certificate("bob.cer"), None),
        (certificate("alice.cer"), Some(alice_key())),
    ]);
    let output = dir.path().join("out.txt");
    let inspection = inspect(&[&mut archive], &fixture("to-bob.p7m")).expect("inspected");
    assert!(!inspection.key_kept());
    let error = open_document(
        &mut [&mut archive],
        &NoOne,
        &fixture("to-bob.p7m"),
        &output,
        &mut Watch::default(),
    )
    .expect_err("bob's key is not there");
    let OpenError::NoKeyFits { wanted } = error else {
        panic!("expected NoKeyFits, got {error:?}");
    };
    assert_eq!(wanted, inspection.wanted());
    assert_eq!(wanted.len(), 1);
    assert!(
        wanted[0]
            .recipient
            .starts_with("CN=bob, O=certkeeper tests, serial ")
    );
    assert_eq!(
        wanted[0].subject.as_deref(),
        Some("CN=bob, O=certkeeper tests")
    );
    assert!(
        wanted[0]
            .valid
            .as_deref()
            .is_some_and(|v| v.contains(" – "))
    );
    assert!(files_in(dir.path()).is_empty());

    // An unknown recipient is named without a subject.
    let mut empty = InMemory::new(Vec::new());
    let error = open_document(
        &mut [&mut empty],
        &NoOne,
        &fixture("to-bob.p7m"),
        &output,
        &mut Watch::default(),
    )
    .expect_err("nothing known");
    assert!(
        matches!(&error, OpenError::NoKeyFits { wanted } if wanted.len() == 1 && wanted[0].subject.is_none())
    );
}

#[test]
fn an_existing_output_a_stop_and_a_damaged_document_leave_the_folder_as_it_was() {
    let dir = tempfile::tempdir().expect("dir");
    let mut archive = InMemory::new(vec![(certificate("alice.cer"), Some(alice_key()))]);
    let taken = dir.path().join("taken.txt");
    std::fs::write(&taken, b"mine").expect("write");
    let error = open_document(
        &mut [&mut archive],
        &NoOne,
        &fixture("to-alice.p7m"),
        &taken,
        &mut Watch::default(),
    )
    .expect_err("exists");
    assert!(matches!(error, OpenError::OutputExists { .. }));
    assert_eq!(std::fs::read(&taken).expect("read"), b"mine");

    // A dangling link in the output's place is not replaced either, as `-o` with it is not.
    #[cfg(unix)]
    {
        let link = dir.path().join("link.txt");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &link).expect("symlink");
        let error = open_document(
            &mut [&mut archive],
            &NoOne,
            &fixture("to-alice.p7m"),
            &link,
            &mut Watch::default(),
        )
        .expect_err("a dangling link");
        assert!(matches!(error, OpenError::OutputExists { .. }), "{error:?}");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("still there")
                .file_type()
                .is_symlink()
        );
        std::fs::remove_file(&link).expect("remove");
    }

    let stop = std::sync::atomic::AtomicBool::new(true);
    let error = open_document(
        &mut [&mut archive],
        &NoOne,
        &fixture("to-alice.p7m"),
        &dir.path().join("stopped.txt"),
        &mut Watch {
            progress: None,
            stop: Some(&stop),
            ..Watch::default()
        },
    )
    .expect_err("stopped");
    assert!(
        matches!(error, OpenError::Document(CmsError::Write(_))),
        "{error:?}"
    );

    let mut damaged = std::fs::read(fixture("to-alice.p7m")).expect("read");
    let last = damaged.len() - 1;
    damaged[last] ^= 0x55;
    damaged.truncate(damaged.len() - 3);
    let damaged_path = dir.path().join("damaged.p7m");
    std::fs::write(&damaged_path, &damaged).expect("write");
    let error = open_document(
        &mut [&mut archive],
        &NoOne,
        &damaged_path,
        &dir.path().join("damaged.txt"),
        &mut Watch::default(),
    )
    .expect_err("damaged");
    assert!(matches!(error, OpenError::Document(_)), "{error:?}");
    assert_eq!(files_in(dir.path()), ["damaged.p7m", "taken.txt"]);
}

#[test]
fn a_folder_plan_mirrors_the_layout_and_marks_what_an_earlier_run_opened() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("in");
    let out = dir.path().join("out");
    std::fs::create_dir_all(input.join("2019")).expect("mkdir");
    std::fs::create_dir_all(out.join("2019")).expect("mkdir");
    std::fs::write(input.join("a.p7m"), b"x").expect("write");
    std::fs::write(input.join("2019/b.enc"), b"x").expect("write");
    std::fs::write(out.join("2019/b"), b"opened before").expect("write");
    let plan = plan_folder(&input, &out).expect("plan");
    assert_eq!(
        plan,
        [
            Planned {
                input: input.join("2019/b.enc"),
                output: out.join("2019/b"),
                done_before: true,
            },
            Planned {
                input: input.join("a.p7m"),
                output: out.join("a"),
                done_before: false,
            },
        ]
    );
    assert_eq!(default_output(Path::new("/d/x.P7M")), Path::new("/d/x"));
    assert_eq!(
        default_output(Path::new("/d/.p7m")),
        Path::new("/d/.p7m.decrypted")
    );
    assert_eq!(
        default_output(Path::new("/d/x.bin")),
        Path::new("/d/x.bin.decrypted")
    );
}

#[cfg(unix)]
#[test]
fn a_folder_with_links_back_up_and_a_fifo_is_planned_once_and_the_fifo_refused_without_blocking() {
    let dir = tempfile::tempdir().expect("dir");
    let input = dir.path().join("drive");
    std::fs::create_dir_all(&input).expect("mkdir");
    std::fs::copy(fixture("to-alice.p7m"), input.join("report.p7m")).expect("copy");
    // Five links to the folder itself: followed once each, never for ever.
    for n in 0..5 {
        std::os::unix::fs::symlink(".", input.join(format!("loop-{n}"))).expect("symlink");
    }
    let fifo = input.join("pipe.p7m");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let out = dir.path().join("out");
    let plan = plan_folder(&input, &out).expect("plan");
    let inputs: Vec<_> = plan.iter().map(|planned| planned.input.clone()).collect();
    assert_eq!(inputs, [fifo.clone(), input.join("report.p7m")]);
    let mut archive = InMemory::new(vec![(certificate("alice.cer"), Some(alice_key()))]);
    std::fs::create_dir_all(&out).expect("mkdir");
    let error = open_document(
        &mut [&mut archive],
        &NoOne,
        &fifo,
        &out.join("pipe"),
        &mut Watch::default(),
    )
    .expect_err("a FIFO is not a document");
    assert!(
        matches!(
            error,
            OpenError::Input(crate::files::FileError::NotRegular { kind: "a FIFO", .. })
        ),
        "{error:?}"
    );
}
