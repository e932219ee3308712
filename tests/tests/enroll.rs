//! Getting a new certificate (`certkeeper request …`) against OpenSSL's own CMP server with a GOST CA
//! made by the GOST engine: the key on a drive, in the registry store or on a SoftHSM2 token, the
//! request checked by `openssl req -verify`, the CA's real signature from `openssl x509 -req`, waiting
//! with pollReq/pollRep, certConf, installing next to the key and into the archive; a wrong one-time
//! code, a process killed while waiting, a certificate for another key, and a renewal by key update.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use certkeeper_tests::support::cmp::{self, CmpServer, KeepAliveRelay, ServerOptions, TlsFront};
use certkeeper_tests::support::softhsm::SoftHsm;
use certkeeper_tests::support::{bin, run, secret_file, temp_dir, wait_until};

const REFERENCE: &str = "4711";
const CODE: &str = "482-915";
const SUBJECT: &str = "CN=Петрова Анна Сергеевна,SN=Петрова,GN=Анна Сергеевна,T=Главный бухгалтер,\
O=ООО \"Ромашка\",INNLE=7707083893,OGRN=1027700132195,SNILS=112-233-445 95,INN=500100732259,\
E=petrova@example.ru,L=Москва,C=RU";

/// An office with an archive, a CA and a drive.
struct Office {
    dir: tempfile::TempDir,
    archive: PathBuf,
    passphrase: PathBuf,
}

impl Office {
    fn new() -> Self {
        let dir = temp_dir();
        let passphrase = secret_file(dir.path(), "passphrase", "correct horse battery staple\n");
        let office = Self {
            archive: dir.path().join("archive.db"),
            passphrase,
            dir,
        };
        ok(office
            .certkeeper()
            .args(["init", "--allow-weak-passphrase"]));
        office
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// certkeeper on this office's archive, with its own registry store.
    fn certkeeper(&self) -> Command {
        let mut command = bin::on_archive(&self.archive, &self.passphrase);
        command
            .env("CERTKEEPER_REGISTRY", self.path("registry"))
            .env("CERTKEEPER_LANG", "en")
            .env_remove("CERTKEEPER_PKCS11_MODULES");
        command
    }

    fn code_file(&self, code: &str) -> PathBuf {
        secret_file(
            self.dir.path(),
            &format!("code-{code}"),
            &format!("{code}\n"),
        )
    }

    fn openssl(&self) -> Command {
        cmp::openssl(self.dir.path())
    }

    /// A CA: its key and self-signed certificate, GOST R 34.10-2012 (TC26 256 A) or RSA.
    fn ca(&self, gost: bool) -> (PathBuf, PathBuf) {
        if gost {
            return cmp::gost_ca(self.dir.path());
        }
        let (key, cert) = (self.path("ca.key"), self.path("ca.crt"));
        run(self
            .openssl()
            .args(["req", "-new", "-x509", "-sha256", "-days", "3650", "-nodes"])
            .args(["-newkey", "rsa:2048", "-subj", "/CN=Test RSA CA", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert));
        (key, cert)
    }

    /// The CA's real signature on a request (PEM): the certificate, PEM.
    fn sign(&self, ca: &(PathBuf, PathBuf), csr: &Path, serial: &str, digest: &str) -> PathBuf {
        cmp::sign(
            self.dir.path(),
            ca,
            csr,
            &format!("issued-{serial}.crt"),
            serial,
            365,
            digest,
        )
    }

    /// The SHA-1 thumbprint OpenSSL computes, as certkeeper shows it.
    fn thumbprint(&self, certificate: &Path) -> String {
        certkeeper_tests::support::openssl::sha1_thumbprint(self.openssl(), certificate)
    }

    fn server(&self, certificate: &Path, ca: &Path, polls: u32, check_after: u32) -> CmpServer {
        CmpServer::start(
            self.dir.path(),
            &ServerOptions {
                certificate,
                ca,
                reference: REFERENCE,
                secret: CODE,
                polls,
                check_after,
                trusted: None,
            },
        )
    }

    fn list_requests(&self) -> serde_json::Value {
        json(&ok(self.certkeeper().args(["--json", "request", "list"])))
    }
}

fn ok(command: &mut Command) -> Output {
    let output = command.output().expect("run certkeeper");
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// `request new … --json`: the job's number and the request file written.
fn new_request(office: &Office, arguments: &[&str], csr: &Path) -> i64 {
    let output = ok(office
        .certkeeper()
        .args(["--json", "request", "new"])
        .args(arguments)
        .arg("--csr-out")
        .arg(csr));
    let created = json(&output);
    assert_eq!(created["state"], "request_made", "{created}");
    assert!(
        created["csr"]
            .as_str()
            .is_some_and(|pem| pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----")),
        "{created}"
    );
    created["job"].as_i64().expect("job number")
}

/// `openssl req -verify` accepts the request; its ASN.1 shows the qualified fields as NumericString.
fn assert_request_verifies(office: &Office, csr: &Path) -> String {
    let verified = run(office
        .openssl()
        .args([
            "req", "-verify", "-noout", "-text", "-nameopt", "utf8", "-in",
        ])
        .arg(csr));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&verified.stdout),
        String::from_utf8_lossy(&verified.stderr)
    );
    assert!(text.contains("verify OK"), "{text}");
    text
}

/// The archive's listing, by thumbprint.
fn listed(office: &Office, thumbprint: &str) -> serde_json::Value {
    let list = json(&ok(office.certkeeper().args(["--json", "list"])));
    list.as_array()
        .expect("list")
        .iter()
        .find(|item| item["sha1_thumbprint"] == thumbprint)
        .cloned()
        .unwrap_or_else(|| panic!("{thumbprint} is not archived: {list}"))
}

/// `command` on `hsm`'s token, its PIN read from `pin`.
fn with_token<'c>(command: &'c mut Command, hsm: &SoftHsm, pin: &Path) -> &'c mut Command {
    command
        .env("SOFTHSM2_CONF", hsm.conf_path())
        .arg("--pin-file")
        .arg(pin)
        .arg("--pkcs11-module")
        .arg(hsm.module())
}

/// Submits renewal `job` as a key update (`kur`, signed with the renewed certificate's key) to
/// OpenSSL's CMP server handing out `renewed` and trusting the CA's certificate `ca`; `setup` adds
/// what the key needs (a token). Checks it was installed from one KUR with no CMP error and that
/// the certificate `old` (thumbprint) is now superseded by it.
fn key_update(
    office: &Office,
    ca: &Path,
    renewed: &Path,
    job: i64,
    old: &str,
    setup: &dyn Fn(&mut Command),
) {
    let server = CmpServer::start(
        office.dir.path(),
        &ServerOptions {
            certificate: renewed,
            ca,
            reference: REFERENCE,
            secret: CODE,
            polls: 0,
            check_after: 0,
            trusted: Some(ca),
        },
    );
    let mut submit = office.certkeeper();
    submit
        .args(["--json", "request", "submit", &job.to_string()])
        .args(["--cmd", "kur", "--cmp", &server.url()]);
    setup(&mut submit);
    let done = json(&ok(&mut submit));
    assert_eq!(done["state"], "installed", "{done}");
    let log = server.log();
    assert_eq!(server.received("KUR"), 1, "{log}");
    assert!(!log.contains("CMP error"), "{log}");
    let old = listed(office, old);
    let new = listed(office, &office.thumbprint(renewed));
    assert_eq!(old["superseded_by"], new["id"], "{old}");
    assert!(new["superseded_by"].is_null(), "{new}");
}

/// The one container in `folder`.
fn container_in(folder: &Path) -> PathBuf {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("read the drive")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.join("header.key").is_file())
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found.remove(0)
}

/// `inspect --json` of a container: it opens (with `password`) and its key matches `thumbprint`.
fn assert_container_holds(
    office: &Office,
    container: &Path,
    thumbprint: &str,
    password: Option<&Path>,
) {
    let mut command = office.certkeeper();
    command.args(["--json", "inspect"]).arg(container);
    if let Some(password) = password {
        command.arg("--password-file").arg(password);
    }
    let inspected = json(&ok(&mut command));
    let item = &inspected[0];
    assert_eq!(item["kind"], "container", "{inspected}");
    assert_eq!(item["opened"], true, "{inspected}");
    assert_eq!(item["key_matches_certificate"], true, "{inspected}");
    assert_eq!(
        item["certificate"]["sha1_thumbprint"], thumbprint,
        "{inspected}"
    );
}

#[test]
fn a_gost_key_on_a_drive_is_issued_over_cmp_after_waiting_and_installed_next_to_it() {
    let office = Office::new();
    let ca = office.ca(true);
    let drive = office.path("drive");
    let csr = office.path("request.pem");
    let job = new_request(
        &office,
        &[
            "--subject",
            SUBJECT,
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &csr,
    );
    // The request is the one OpenSSL checks, with the fields CAs reject as UTF8String as
    // NumericString, and the extensions of a qualified certificate.
    let text = assert_request_verifies(&office, &csr);
    assert!(text.contains("Петрова Анна Сергеевна"), "{text}");
    assert!(text.contains("Signing Tool of Subject"), "{text}");
    assert!(text.contains("Private Key Usage Period"), "{text}");
    assert!(
        text.contains("Digital Signature, Non Repudiation"),
        "{text}"
    );
    let parsed = run(office.openssl().args(["asn1parse", "-in"]).arg(&csr));
    let asn1 = String::from_utf8_lossy(&parsed.stdout);
    for value in ["11223344595", "500100732259", "7707083893", "1027700132195"] {
        assert!(
            asn1.lines()
                .any(|line| line.contains("NUMERICSTRING") && line.ends_with(&format!(":{value}"))),
            "{value} is not a NumericString:\n{asn1}"
        );
    }
    assert!(
        office.path("request.der").is_file(),
        "the DER beside the PEM"
    );
    // The new key is in the archive at once, before any certificate.
    let key_rows = certkeeper_tests_archive_keys(&office);
    assert_eq!(
        key_rows, 1,
        "the new key is sealed into the archive at once"
    );

    let issued = office.sign(&ca, &csr, "0x2001", "-md_gost12_256");
    let thumbprint = office.thumbprint(&issued);
    let server = office.server(&issued, &ca.1, 2, 1);
    let output = ok(office
        .certkeeper()
        .args([
            "--json",
            "request",
            "submit",
            &job.to_string(),
            "--cmp",
            &server.url(),
        ])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file(CODE)));
    let done = json(&output);
    assert_eq!(done["state"], "installed", "{done}");
    assert_eq!(done["sha1_thumbprint"], thumbprint.as_str(), "{done}");
    // The whole exchange, as the CA saw it: one request, two polls, the confirmation.
    let log = server.log();
    assert_eq!(server.received("IR"), 1, "{log}");
    assert_eq!(server.received("POLLREQ"), 2, "{log}");
    assert_eq!(server.received("CERTCONF"), 1, "{log}");
    assert!(log.contains("sending POLLREP"), "{log}");
    assert!(log.contains("sending PKICONF"), "{log}");
    assert!(
        log.contains("successfully validated PBM-based CMP message protection"),
        "{log}"
    );
    assert!(!log.contains("CMP error"), "{log}");

    // Next to its key: the container on the drive now holds the certificate, and opens.
    let container = container_in(&drive);
    assert_container_holds(&office, &container, &thumbprint, None);
    // In the archive, with its key and the CA's certificate.
    let archived = listed(&office, &thumbprint);
    assert_eq!(archived["has_private_key"], true, "{archived}");
    listed(&office, &office.thumbprint(&ca.1));
    let jobs = office.list_requests();
    assert_eq!(jobs[0]["state"], "installed", "{jobs}");
    assert_eq!(jobs[0]["ca"], server.url().as_str(), "{jobs}");
    let audit = String::from_utf8_lossy(&ok(office.certkeeper().arg("audit")).stdout).into_owned();
    for action in [
        "request key generated",
        "request made",
        "request submitted",
        "request waiting",
        "request issued",
        "request installed",
    ] {
        assert!(
            audit.contains(action),
            "{action} is not in the audit log:\n{audit}"
        );
    }
    assert!(!audit.contains("request request"), "{audit}");
    ok(office.certkeeper().arg("verify"));
}

/// How many private keys the archive holds (read through the storage crate, as `verify` would).
fn certkeeper_tests_archive_keys(office: &Office) -> usize {
    let connection = rusqlite::Connection::open(&office.archive).expect("open the archive file");
    connection
        .query_row("SELECT count(*) FROM private_keys", [], |row| {
            row.get::<_, i64>(0)
        })
        .expect("count keys") as usize
}

#[test]
fn a_subject_typed_as_a_form_is_checked_field_by_field_before_any_key_is_made() {
    let office = Office::new();
    let drive = office.path("drive");
    let form = |inn: &str, ogrn: &str| {
        let mut command = office.certkeeper();
        command
            .args([
                "request",
                "new",
                "--name",
                "Петрова  Анна Сергеевна",
                "--snils",
                "112-233-445 95",
            ])
            .args([
                "--inn",
                inn,
                "--organisation",
                "ООО «Ромашка»",
                "--innle",
                "7707083893",
            ])
            .args([
                "--ogrn",
                ogrn,
                "--title",
                "Главный бухгалтер",
                "--no-password",
            ])
            .arg("--medium")
            .arg(format!("dir:{}", drive.display()));
        command
    };
    let output = form("500100732258", "123").output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("INN 500100732258 has a wrong check digit"),
        "{stderr}"
    );
    assert!(
        stderr.contains("OGRN has 3 digits; it must have 13"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was made yet"), "{stderr}");
    assert!(!drive.exists(), "no key is made for a wrong subject");
    assert_eq!(office.list_requests().as_array().map(Vec::len), Some(0));

    let output = ok(form("500100732259", "1027700132195")
        .env("CERTKEEPER_LANG", "ru")
        .arg("--csr-out")
        .arg(office.path("request.pem")));
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "ФИО: Петрова Анна Сергеевна",
        "Фамилия: Петрова",
        "Имя и отчество: Анна Сергеевна",
        "СНИЛС: 11223344595",
        "ИНН ЮЛ: 7707083893",
        "ОГРН: 1027700132195",
        "Должность: Главный бухгалтер",
        "Страна: RU",
    ] {
        assert!(stdout.contains(line), "{line} is not in\n{stdout}");
    }
    let text = assert_request_verifies(&office, &office.path("request.pem"));
    assert!(text.contains("Петрова Анна Сергеевна"), "{text}");
}

#[test]
fn a_gost_512_key_in_the_registry_store_with_a_password_is_issued_with_cr() {
    let office = Office::new();
    let ca = office.ca(true);
    let csr = office.path("request.pem");
    let password = secret_file(office.dir.path(), "container-password", "Пароль-1\n");
    let job = new_request(
        &office,
        &[
            "--subject",
            "CN=Сидоров Пётр,SNILS=11223344595,C=RU",
            "--medium",
            "registry",
            "--algorithm",
            "gost2012-512",
            "--password-file",
            &password.display().to_string(),
        ],
        &csr,
    );
    let text = assert_request_verifies(&office, &csr);
    assert!(text.contains("GOST R 34.10-2012 with 512 bit"), "{text}");
    let issued = office.sign(&ca, &csr, "0x2002", "-md_gost12_256");
    let thumbprint = office.thumbprint(&issued);
    let server = office.server(&issued, &ca.1, 0, 0);
    let done = json(&ok(office
        .certkeeper()
        .args([
            "--json",
            "request",
            "submit",
            &job.to_string(),
            "--cmd",
            "cr",
            "--cmp",
            &server.url(),
        ])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file(CODE))));
    assert_eq!(done["state"], "installed", "{done}");
    assert_eq!(server.received("CR"), 1, "{}", server.log());
    // The registry store is HDIMAGE under CERTKEEPER_REGISTRY/<user>: one container, with the
    // certificate, opening with its password.
    let users: Vec<PathBuf> = std::fs::read_dir(office.path("registry"))
        .expect("the store")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert_eq!(users.len(), 1, "{users:?}");
    let container = container_in(&users[0]);
    assert_container_holds(&office, &container, &thumbprint, Some(&password));
    assert_eq!(listed(&office, &thumbprint)["has_private_key"], true);
    // The archive holds the container as made (no certificate) and as installed: neither a sync
    // nor a copy to the registry puts the key there a second time.
    let synced = json(&ok(office
        .certkeeper()
        .args(["--json", "registry", "sync"])));
    assert_eq!(synced["already_there"], 1, "{synced}");
    assert_eq!(
        synced["written"].as_array().map(Vec::len),
        Some(0),
        "{synced}"
    );
    let copied = ok(office
        .certkeeper()
        .args(["copy", &thumbprint, "--to", "registry"]));
    let copied = String::from_utf8_lossy(&copied.stdout);
    assert!(copied.contains("already"), "{copied}");
    assert_eq!(
        std::fs::read_dir(&users[0]).expect("the store").count(),
        1,
        "one container in the store"
    );
}

#[test]
fn a_ca_over_https_is_reached_only_when_its_tls_certificate_is_trusted() {
    let office = Office::new();
    let ca = office.ca(true);
    let csr = office.path("request.pem");
    let drive = office.path("drive");
    let job = new_request(
        &office,
        &[
            "--subject",
            "CN=Иванов Иван,SNILS=11223344595",
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &csr,
    );
    let issued = office.sign(&ca, &csr, "0x2008", "-md_gost12_256");
    let server = office.server(&issued, &ca.1, 1, 1);
    let tls = TlsFront::start(office.dir.path(), server.port);
    let untrusted = office.path("no-trust");
    std::fs::create_dir(&untrusted).expect("empty trust folder");
    // The CA's TLS certificate comes from a CA the system does not trust: nothing is sent.
    let output = office
        .certkeeper()
        .env("SSL_CERT_FILE", untrusted.join("none.pem"))
        .env("SSL_CERT_DIR", &untrusted)
        .args(["request", "submit", &job.to_string(), "--cmp", &tls.url()])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file(CODE))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot be reached"), "{stderr}");
    assert!(stderr.contains("certificate verify failed"), "{stderr}");
    assert_eq!(server.received("IR"), 0, "{}", server.log());
    assert_eq!(office.list_requests()[0]["state"], "submitted");
    // Trusted (as the Russian Trusted Root CA is once installed into the system's store), the
    // request goes again, in a new transaction, and completes.
    let done = json(&ok(office
        .certkeeper()
        .env("SSL_CERT_FILE", &tls.trust_anchor)
        .args(["--json", "request", "resume"])));
    assert_eq!(done[0]["state"], "installed", "{done}");
    assert_eq!(server.received("IR"), 1, "{}", server.log());
    assert_eq!(server.received("CERTCONF"), 1, "{}", server.log());
}

#[test]
fn a_wrong_one_time_code_is_said_the_job_stays_and_a_new_code_works() {
    let office = Office::new();
    let ca = office.ca(true);
    let csr = office.path("request.pem");
    let drive = office.path("drive");
    let job = new_request(
        &office,
        &[
            "--subject",
            "CN=Иванов Иван,SNILS=11223344595",
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &csr,
    );
    let issued = office.sign(&ca, &csr, "0x2003", "-md_gost12_256");
    let server = office.server(&issued, &ca.1, 1, 1);
    let output = office
        .certkeeper()
        .args([
            "request",
            "submit",
            &job.to_string(),
            "--cmp",
            &server.url(),
        ])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file("000-000"))
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("did not accept the one-time code"),
        "{stderr}"
    );
    assert!(stderr.contains("Ask the CA for a new code"), "{stderr}");
    assert!(server.log().contains("wrong pbm value"), "{}", server.log());
    let jobs = office.list_requests();
    assert_eq!(jobs[0]["state"], "request_made", "{jobs}");
    assert!(
        jobs[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("one-time code")),
        "{jobs}"
    );
    // The same in Russian.
    let output = office
        .certkeeper()
        .env("CERTKEEPER_LANG", "ru")
        .args([
            "request",
            "submit",
            &job.to_string(),
            "--cmp",
            &server.url(),
        ])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file("111-111"))
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("УЦ не принял одноразовый код"), "{stderr}");
    // Nothing was archived or written but the key.
    assert_eq!(certkeeper_tests_archive_keys(&office), 1);
    // A new code works on the same job, here sending the PKCS#10 request itself (p10cr), which
    // the CA checks with the GOST engine; its pollReq and certConf carry certReqId -1.
    let done = json(&ok(office
        .certkeeper()
        .args([
            "--json",
            "request",
            "submit",
            &job.to_string(),
            "--cmd",
            "p10cr",
        ])
        .args([
            "--cmp",
            &server.url(),
            "--reference",
            REFERENCE,
            "--secret-file",
        ])
        .arg(office.code_file(CODE))));
    assert_eq!(server.received("P10CR"), 1, "{}", server.log());
    assert_eq!(server.received("POLLREQ"), 1, "{}", server.log());
    assert_eq!(server.received("CERTCONF"), 1, "{}", server.log());
    assert_eq!(done["state"], "installed", "{done}");
}

#[test]
fn killed_while_the_ca_is_issuing_resume_finishes_the_same_transaction() {
    let office = Office::new();
    let ca = office.ca(true);
    let csr = office.path("request.pem");
    let drive = office.path("drive");
    let job = new_request(
        &office,
        &[
            "--subject",
            "CN=Иванов Иван,SNILS=11223344595",
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &csr,
    );
    let issued = office.sign(&ca, &csr, "0x2004", "-md_gost12_256");
    // The CA makes the client wait three times, ten seconds each: time to kill it.
    let server = office.server(&issued, &ca.1, 3, 10);
    let relay = KeepAliveRelay::start(server.port);
    let mut submit = office
        .certkeeper()
        .args(["request", "submit", &job.to_string(), "--cmp", &relay.url()])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file(CODE))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start submit");
    wait_until(
        "the CA says to wait",
        std::time::Duration::from_secs(30),
        || server.received("POLLREQ") >= 1 && office.list_requests()[0]["state"] == "waiting",
    );
    // kill -9: nothing is told, nothing cleaned up.
    submit.kill().expect("kill");
    submit.wait().expect("reap");
    let jobs = office.list_requests();
    assert_eq!(jobs[0]["state"], "waiting", "{jobs}");
    assert!(jobs[0]["next_poll"].is_string(), "{jobs}");

    let done = json(&ok(office
        .certkeeper()
        .args(["--json", "request", "resume"])));
    assert_eq!(done[0]["state"], "installed", "{done}");
    // The same transaction: one initial request in all, the polls went on, then the confirmation.
    let log = server.log();
    assert_eq!(server.received("IR"), 1, "{log}");
    assert_eq!(server.received("POLLREQ"), 3, "{log}");
    assert_eq!(server.received("CERTCONF"), 1, "{log}");
    assert!(!log.contains("CMP error"), "{log}");
    assert_container_holds(
        &office,
        &container_in(&drive),
        &office.thumbprint(&issued),
        None,
    );
    // Nothing more to go on with.
    let again =
        String::from_utf8_lossy(&ok(office.certkeeper().args(["request", "resume"])).stdout)
            .into_owned();
    assert!(again.contains("nothing to go on with"), "{again}");
}

#[test]
fn the_reminder_service_asks_the_ca_without_the_passphrase_and_announces_the_certificate() {
    let office = Office::new();
    let ca = office.ca(true);
    let csr = office.path("request.pem");
    let drive = office.path("drive");
    let runtime = office.path("runtime");
    std::fs::create_dir(&runtime).expect("runtime folder");
    std::fs::set_permissions(
        &runtime,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .expect("chmod");
    let job = new_request(
        &office,
        &[
            "--subject",
            "CN=Иванов Иван,SNILS=11223344595",
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &csr,
    );
    let issued = office.sign(&ca, &csr, "0x2007", "-md_gost12_256");
    let server = office.server(&issued, &ca.1, 2, 1);
    let relay = KeepAliveRelay::start(server.port);
    // Sent, and left waiting: the person closes the terminal.
    let sent = json(&ok(office
        .certkeeper()
        .env("XDG_RUNTIME_DIR", &runtime)
        .args([
            "--json",
            "request",
            "submit",
            &job.to_string(),
            "--no-wait",
            "--cmp",
            &relay.url(),
        ])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file(CODE))));
    assert_eq!(sent["state"], "waiting", "{sent}");
    // The code is in the archive only sealed: neither the archive file nor its WAL holds it.
    for file in ["archive.db", "archive.db-wal"] {
        let bytes = std::fs::read(office.path(file)).unwrap_or_default();
        assert!(
            !bytes
                .windows(CODE.len())
                .any(|window| window == CODE.as_bytes()),
            "{file} holds the one-time code in clear"
        );
    }
    // The reminder service, without the passphrase, asks the CA until the certificate is issued,
    // and says so through the desktop's notification daemon (dunst), with an Install button.
    let daemon = certkeeper_tests::support::dbus::NotificationDaemon::start();
    let watch = |office: &Office| {
        let output = daemon
            .bus()
            .command(bin::certkeeper())
            .arg("--archive")
            .arg(&office.archive)
            .args(["watch", "--once"])
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("CERTKEEPER_LANG", "en")
            .env_remove("CERTKEEPER_PASSPHRASE_FILE")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("run watch");
        assert!(output.status.success(), "{output:?}");
    };
    let issued_notice = || {
        daemon
            .received()
            .into_iter()
            .find(|notification| notification.summary.starts_with("Certificate issued"))
    };
    wait_until(
        "the service hears the certificate is issued",
        std::time::Duration::from_secs(30),
        || {
            watch(&office);
            issued_notice().is_some()
        },
    );
    let said = issued_notice().expect("the notification");
    assert_eq!(said.app_name, "certkeeper");
    assert!(said.body.contains(&format!("request {job}")), "{said:?}");
    assert_eq!(
        said.actions,
        [("install".to_owned(), "Install".to_owned())],
        "{said:?}"
    );
    assert_eq!(server.received("CERTCONF"), 1, "{}", server.log());
    let jobs = office.list_requests();
    assert_eq!(jobs[0]["state"], "issued", "{jobs}");
    // Installing is the person's, with the passphrase.
    let done = json(&ok(office
        .certkeeper()
        .env("XDG_RUNTIME_DIR", &runtime)
        .args(["--json", "request", "resume"])));
    assert_eq!(done[0]["state"], "installed", "{done}");
    assert_eq!(server.received("IR"), 1, "{}", server.log());
    assert_container_holds(
        &office,
        &container_in(&drive),
        &office.thumbprint(&issued),
        None,
    );
    // The code is forgotten once the transaction is over.
    let connection = rusqlite::Connection::open(&office.archive).expect("open the archive file");
    let (secret, for_service): (Option<Vec<u8>>, Option<Vec<u8>>) = connection
        .query_row("SELECT secret, service_secret FROM requests", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .expect("read the request");
    assert_eq!((secret, for_service), (None, None));
    ok(office.certkeeper().arg("verify"));
}

#[test]
fn a_certificate_for_another_key_is_refused_and_the_right_one_installs_from_a_pkcs7_file() {
    let office = Office::new();
    let ca = office.ca(true);
    let csr = office.path("request.pem");
    let drive = office.path("drive");
    let job = new_request(
        &office,
        &[
            "--subject",
            "CN=Иванов Иван,SNILS=11223344595",
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &csr,
    );
    let container = container_in(&drive);
    let header_before = std::fs::read(container.join("header.key")).expect("header");
    // Someone else's certificate from the same CA.
    let other_csr = office.path("other.pem");
    run(office
        .openssl()
        .args([
            "req",
            "-new",
            "-newkey",
            "gost2012_256",
            "-pkeyopt",
            "paramset:A",
            "-nodes",
        ])
        .args(["-md_gost12_256", "-subj", "/CN=Someone else", "-keyout"])
        .arg(office.path("other.key"))
        .arg("-out")
        .arg(&other_csr));
    let other = office.sign(&ca, &other_csr, "0x2005", "-md_gost12_256");
    let output = office
        .certkeeper()
        .args(["request", "install", &job.to_string()])
        .arg(&other)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is not for the key of request"), "{stderr}");
    assert!(stderr.contains("nothing was changed"), "{stderr}");
    assert_eq!(
        std::fs::read(container.join("header.key")).expect("header"),
        header_before
    );
    let list = json(&ok(office.certkeeper().args(["--json", "list"])));
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
    assert_eq!(office.list_requests()[0]["state"], "request_made");

    // The CA's answer as a PKCS#7 bundle with its chain (what a CA portal hands back).
    let issued = office.sign(&ca, &csr, "0x2006", "-md_gost12_256");
    let bundle = office.path("answer.p7b");
    run(office
        .openssl()
        .args(["crl2pkcs7", "-nocrl", "-outform", "DER", "-certfile"])
        .arg(&ca.1)
        .arg("-certfile")
        .arg(&issued)
        .arg("-out")
        .arg(&bundle));
    let done = json(&ok(office
        .certkeeper()
        .args(["--json", "request", "install", &job.to_string()])
        .arg(&bundle)));
    assert_eq!(done["state"], "installed", "{done}");
    let thumbprint = office.thumbprint(&issued);
    assert_container_holds(&office, &container, &thumbprint, None);
    listed(&office, &office.thumbprint(&ca.1));
}

#[test]
fn an_rsa_key_made_on_a_softhsm_token_gets_its_certificate_beside_it() {
    let office = Office::new();
    let ca = office.ca(false);
    let hsm = SoftHsm::new();
    // The token still has the factory PIN: certkeeper says so.
    let token = hsm.init_token("Рутокен ЭЦП", "87654321", "12345678");
    let pin = secret_file(office.dir.path(), "pin", "12345678\n");
    let csr = office.path("request.pem");
    let output = ok(office
        .certkeeper()
        .env("SOFTHSM2_CONF", hsm.conf_path())
        .args([
            "--json",
            "request",
            "new",
            "--subject",
            "CN=Петрова Анна,SNILS=11223344595,C=RU",
        ])
        .args([
            "--medium",
            &format!("token:{}", token.label),
            "--algorithm",
            "rsa2048",
        ])
        .arg("--pin-file")
        .arg(&pin)
        .arg("--pkcs11-module")
        .arg(hsm.module())
        .arg("--csr-out")
        .arg(&csr));
    let created = json(&output);
    let notices = created["notices"].to_string();
    assert!(notices.contains("default_pin"), "{created}");
    assert!(notices.contains("key_stays_on_token"), "{created}");
    let job = created["job"].as_i64().expect("job");
    assert_request_verifies(&office, &csr);
    // The private key is on the token and may not leave it.
    let objects = String::from_utf8_lossy(&run(hsm.logged_in(&token).arg("--list-objects")).stdout)
        .into_owned();
    assert!(objects.contains("Private Key Object; RSA"), "{objects}");
    assert!(!objects.contains("Certificate Object"), "{objects}");

    // A GOST key is not asked of a token without the TC26 mechanisms (SoftHSM2 has none): said so,
    // nothing made.
    let output = office
        .certkeeper()
        .env("SOFTHSM2_CONF", hsm.conf_path())
        .args([
            "request",
            "new",
            "--subject",
            "CN=Петрова Анна,SNILS=11223344595",
        ])
        .args([
            "--medium",
            &format!("token:{}", token.label),
            "--algorithm",
            "gost2012-256",
        ])
        .arg("--pin-file")
        .arg(&pin)
        .arg("--pkcs11-module")
        .arg(hsm.module())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the token cannot make this kind of key"),
        "{stderr}"
    );
    assert_eq!(office.list_requests().as_array().map(Vec::len), Some(1));

    let issued = office.sign(&ca, &csr, "0x3001", "-sha256");
    let thumbprint = office.thumbprint(&issued);
    let server = office.server(&issued, &ca.1, 1, 1);
    let done = json(&ok(office
        .certkeeper()
        .env("SOFTHSM2_CONF", hsm.conf_path())
        .args([
            "--json",
            "request",
            "submit",
            &job.to_string(),
            "--cmp",
            &server.url(),
        ])
        .args(["--reference", REFERENCE, "--secret-file"])
        .arg(office.code_file(CODE))
        .arg("--pin-file")
        .arg(&pin)
        .arg("--pkcs11-module")
        .arg(hsm.module())));
    assert_eq!(done["state"], "installed", "{done}");
    // OpenSC sees the certificate on the token with the key's CKA_ID.
    let objects = String::from_utf8_lossy(&run(hsm.logged_in(&token).arg("--list-objects")).stdout)
        .into_owned();
    let id_of = |kind: &str| {
        let block = objects.split(kind).nth(1).unwrap_or_default();
        block
            .lines()
            .find_map(|line| line.trim().strip_prefix("ID:"))
            .map(|id| id.trim().to_owned())
    };
    let certificate_id = id_of("Certificate Object");
    assert!(certificate_id.is_some(), "{objects}");
    assert_eq!(certificate_id, id_of("Private Key Object"), "{objects}");
    // The archive keeps the certificate (the key stays on the token).
    let archived = listed(&office, &thumbprint);
    assert_eq!(archived["has_private_key"], false, "{archived}");
}

#[test]
fn a_token_certificate_is_renewed_by_a_key_update_the_token_signs() {
    let office = Office::new();
    let ca = office.ca(false);
    let hsm = SoftHsm::new();
    let token = hsm.init_token("Рутокен 2", "87654321", "24681357");
    let pin = secret_file(office.dir.path(), "pin", "24681357\n");
    let on_token = |command: &mut Command| {
        with_token(command, &hsm, &pin);
    };
    // The first certificate, issued for a key made on the token.
    let first_csr = office.path("first.pem");
    let mut new_first = office.certkeeper();
    new_first
        .args([
            "--json",
            "request",
            "new",
            "--subject",
            "CN=Петрова Анна,SNILS=11223344595,C=RU",
        ])
        .args([
            "--medium",
            &format!("token:{}", token.label),
            "--algorithm",
            "rsa2048",
        ])
        .arg("--csr-out")
        .arg(&first_csr);
    on_token(&mut new_first);
    let first_job = json(&ok(&mut new_first))["job"].as_i64().expect("job");
    let first = office.sign(&ca, &first_csr, "0x5001", "-sha256");
    let mut install = office.certkeeper();
    install
        .args(["request", "install", &first_job.to_string()])
        .arg(&first);
    on_token(&mut install);
    ok(&mut install);
    let old_thumbprint = office.thumbprint(&first);

    // The renewal: a new key on the same token, the key update signed there by the old key.
    let renewal_csr = office.path("renewal.pem");
    let mut renew = office.certkeeper();
    renew
        .args(["--json", "request", "new", "--like", &old_thumbprint])
        .args([
            "--medium",
            &format!("token:{}", token.label),
            "--algorithm",
            "rsa2048",
        ])
        .arg("--csr-out")
        .arg(&renewal_csr);
    on_token(&mut renew);
    let job = json(&ok(&mut renew))["job"].as_i64().expect("job");
    // OpenSSL's mock CA checks oldCertID against the certificate it hands out (see the GOST
    // renewal): the same serial number.
    let renewed = office.sign(&ca, &renewal_csr, "0x5001", "-sha256");
    key_update(&office, &ca.1, &renewed, job, &old_thumbprint, &on_token);
    let objects = String::from_utf8_lossy(&run(hsm.logged_in(&token).arg("--list-objects")).stdout)
        .into_owned();
    assert_eq!(
        objects.matches("Certificate Object").count(),
        2,
        "{objects}"
    );
}

#[test]
fn renewal_keeps_the_subject_updates_the_key_signed_with_the_old_one_and_supersedes_it() {
    let office = Office::new();
    let ca = office.ca(true);
    let drive = office.path("drive");
    // The first certificate, as any office has one.
    let first_csr = office.path("first.pem");
    let first_job = new_request(
        &office,
        &[
            "--subject",
            SUBJECT,
            "--medium",
            &format!("dir:{}", drive.display()),
            "--no-password",
        ],
        &first_csr,
    );
    let first = office.sign(&ca, &first_csr, "0x4001", "-md_gost12_256");
    ok(office
        .certkeeper()
        .args(["request", "install", &first_job.to_string()])
        .arg(&first));
    let old_thumbprint = office.thumbprint(&first);

    // Renewal: the subject is copied from the archived certificate.
    let renewal_csr = office.path("renewal.pem");
    let job = new_request(
        &office,
        &[
            "--like",
            &old_thumbprint,
            "--medium",
            &format!("dir:{}", office.path("new-drive").display()),
            "--no-password",
        ],
        &renewal_csr,
    );
    let subject_of = |path: &Path, kind: &str| {
        let output = run(office
            .openssl()
            .args([kind, "-noout", "-subject", "-nameopt", "RFC2253", "-in"])
            .arg(path));
        String::from_utf8_lossy(&output.stdout)
            .trim()
            .trim_start_matches("subject=")
            .to_owned()
    };
    assert_eq!(subject_of(&renewal_csr, "req"), subject_of(&first, "x509"));
    assert_request_verifies(&office, &renewal_csr);

    // OpenSSL's mock CA checks a key update's oldCertID against the certificate it hands out, so the
    // new certificate carries the old one's serial number here (a real CA gives a new one).
    let renewed = office.sign(&ca, &renewal_csr, "0x4001", "-md_gost12_256");
    key_update(&office, &ca.1, &renewed, job, &old_thumbprint, &|_| {});
    // The new certificate is current, with its key.
    let new = listed(&office, &office.thumbprint(&renewed));
    assert_eq!(new["has_private_key"], true, "{new}");
    let jobs = office.list_requests();
    assert_eq!(jobs[0]["renews"], old_thumbprint.as_str(), "{jobs}");
}

/// The public key's 64 bytes in a request (x ‖ y little-endian, as PKCS#11's CKA_VALUE holds
/// them), hex, read by OpenSSL.
fn gost_public_key_of_request(office: &Office, csr: &Path) -> String {
    let key = office.path("request-key.der");
    run(office
        .openssl()
        .args(["req", "-noout", "-pubkey", "-in"])
        .arg(csr)
        .args(["-out"])
        .arg(office.path("request-key.pem")));
    run(office
        .openssl()
        .args(["pkey", "-pubin", "-outform", "DER", "-in"])
        .arg(office.path("request-key.pem"))
        .arg("-out")
        .arg(&key));
    let der = std::fs::read(&key).expect("read the key");
    der[der.len() - 64..]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[test]
fn a_gost_key_made_on_a_token_with_the_tc26_mechanisms_is_issued_and_renewed_there() {
    let office = Office::new();
    let ca = office.ca(true);
    // SoftHSM2 with its GOST mechanisms, as a Rutoken ECP offers them for 256-bit keys.
    let hsm = SoftHsm::with_gost();
    let token = hsm.init_token("Рутокен ЭЦП 2.0", "87654321", "36925814");
    let pin = secret_file(office.dir.path(), "pin", "36925814\n");
    let on_token = |command: &mut Command| {
        with_token(command, &hsm, &pin);
    };
    let medium = format!("token:{}", token.label);
    let objects = || {
        String::from_utf8_lossy(&run(hsm.logged_in(&token).arg("--list-objects")).stdout)
            .into_owned()
    };

    // 512 bits: this token has no CKM_GOSTR3410_512_KEY_PAIR_GEN, said before the PIN is used.
    let mut refused = office.certkeeper();
    refused
        .args([
            "request",
            "new",
            "--subject",
            "CN=Петрова Анна,SNILS=11223344595",
        ])
        .args(["--medium", &medium, "--algorithm", "gost2012-512"]);
    on_token(&mut refused);
    let output = refused.output().expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the token cannot make this kind of key"),
        "{stderr}"
    );
    assert!(
        !objects().contains("Object;"),
        "nothing made: {}",
        objects()
    );

    // 256 bits: the key is made on the token and the token signs the request.
    let csr = office.path("request.pem");
    let mut new = office.certkeeper();
    new.args(["--json", "request", "new", "--subject", SUBJECT])
        .args(["--medium", &medium, "--algorithm", "gost2012-256"])
        .arg("--csr-out")
        .arg(&csr);
    on_token(&mut new);
    let created = json(&ok(&mut new));
    assert_eq!(created["state"], "request_made", "{created}");
    assert!(
        created["notices"]
            .to_string()
            .contains("key_stays_on_token"),
        "{created}"
    );
    let job = created["job"].as_i64().expect("job");
    // OpenSSL's GOST engine checks the token's signature; the fields are as for any GOST request.
    let text = assert_request_verifies(&office, &csr);
    assert!(
        text.contains("GOST R 34.10-2012 with 256 bit modulus"),
        "{text}"
    );
    assert!(text.contains("Signing Tool of Subject"), "{text}");
    let asn1 =
        String::from_utf8_lossy(&run(office.openssl().args(["asn1parse", "-in"]).arg(&csr)).stdout)
            .into_owned();
    assert!(
        asn1.lines()
            .any(|line| line.contains("NUMERICSTRING") && line.ends_with(":11223344595")),
        "{asn1}"
    );
    // OpenSC sees a GOST key pair that cannot leave the token, whose public key is the request's.
    let listing = objects();
    assert!(
        listing.contains("Private Key Object; GOSTR3410-2012-256"),
        "{listing}"
    );
    assert!(listing.contains("never extractable"), "{listing}");
    let value: String = listing
        .split("Public Key Object")
        .nth(1)
        .and_then(|block| block.split("VALUE:").nth(1))
        .map(|rest| {
            rest.lines()
                .take_while(|line| !line.contains(':') || line.trim_start().starts_with("VALUE"))
                .flat_map(|line| line.split_whitespace())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        value,
        gost_public_key_of_request(&office, &csr),
        "{listing}"
    );
    // The key is not in the archive: only its certificate will be.
    assert_eq!(certkeeper_tests_archive_keys(&office), 0);

    // The CA issues after a poll; certkeeper confirms with the certificate's Streebog hash and
    // writes it onto the token beside its key.
    let issued = office.sign(&ca, &csr, "0x6001", "-md_gost12_256");
    let thumbprint = office.thumbprint(&issued);
    let server = office.server(&issued, &ca.1, 1, 1);
    let mut submit = office.certkeeper();
    submit
        .args(["--json", "request", "submit", &job.to_string()])
        .args([
            "--cmp",
            &server.url(),
            "--reference",
            REFERENCE,
            "--secret-file",
        ])
        .arg(office.code_file(CODE));
    on_token(&mut submit);
    let done = json(&ok(&mut submit));
    assert_eq!(done["state"], "installed", "{done}");
    assert_eq!(done["sha1_thumbprint"], thumbprint.as_str(), "{done}");
    let log = server.log();
    assert_eq!(server.received("IR"), 1, "{log}");
    assert!(!log.contains("CMP error"), "{log}");
    let listing = objects();
    let id_of = |kind: &str| {
        listing
            .split(kind)
            .nth(1)
            .unwrap_or_default()
            .lines()
            .find_map(|line| line.trim().strip_prefix("ID:"))
            .map(|id| id.trim().to_owned())
    };
    assert!(id_of("Certificate Object").is_some(), "{listing}");
    assert_eq!(
        id_of("Certificate Object"),
        id_of("Private Key Object"),
        "{listing}"
    );
    assert_eq!(listed(&office, &thumbprint)["has_private_key"], false);

    // Renewal on the same token: a new GOST key, the key update signed there by the old one — a
    // signature OpenSSL's CMP server checks against the issued certificate.
    let renewal_csr = office.path("renewal.pem");
    let mut renew = office.certkeeper();
    renew
        .args(["--json", "request", "new", "--like", &thumbprint])
        .args(["--medium", &medium, "--algorithm", "gost2012-256"])
        .arg("--csr-out")
        .arg(&renewal_csr);
    on_token(&mut renew);
    let renewal = json(&ok(&mut renew))["job"].as_i64().expect("job");
    assert_request_verifies(&office, &renewal_csr);
    // OpenSSL's mock CA checks oldCertID against the certificate it hands out: the same serial.
    let renewed = office.sign(&ca, &renewal_csr, "0x6001", "-md_gost12_256");
    key_update(&office, &ca.1, &renewed, renewal, &thumbprint, &on_token);
    assert_eq!(
        objects().matches("Certificate Object").count(),
        2,
        "{}",
        objects()
    );
}
