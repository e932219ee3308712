//! OpenSSL 3 with Debian's GOST engine: the real peer that makes CAs, certificates, keys, PFX files
//! and CMS documents for the tests, and checks what certkeeper writes.
//!
//! The engine is loaded through `tests/fixtures/openssl-gost.cnf`, set as `OPENSSL_CONF` on every
//! command; the machine's own OpenSSL configuration is left alone. `TEST_OPENSSL` names another
//! `openssl` binary.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{fixture, require_program, run, temp_dir};

/// A key algorithm and parameter set as OpenSSL names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyAlgorithm {
    /// RSA with a 2048-bit modulus.
    Rsa2048,
    /// ECDSA/ECDH on NIST P-256.
    EcP256,
    /// GOST R 34.10-2012 with a 256-bit key; the engine's parameter set name: `A`, `B`, `C` (CryptoPro),
    /// `XA`, `XB` (CryptoPro exchange), `TCA`..`TCD` (TC26), `0` (test).
    Gost2012_256(&'static str),
    /// GOST R 34.10-2012 with a 512-bit key; parameter set `A`, `B` or `C`.
    Gost2012_512(&'static str),
    /// GOST R 34.10-2001; parameter set `0` (test), `A`, `B`, `C`, `XA` or `XB`.
    Gost2001(&'static str),
}

impl KeyAlgorithm {
    /// One of each family the harness must cover, with the parameter sets CAs use most.
    pub const EACH_FAMILY: [Self; 5] = [
        Self::Rsa2048,
        Self::EcP256,
        Self::Gost2012_256("A"),
        Self::Gost2012_512("A"),
        Self::Gost2001("A"),
    ];

    /// Whether this is a GOST algorithm (needs the engine).
    pub fn is_gost(self) -> bool {
        matches!(
            self,
            Self::Gost2012_256(_) | Self::Gost2012_512(_) | Self::Gost2001(_)
        )
    }

    /// A short name for file names and messages, e.g. `gost2012_256-XA`.
    pub fn name(self) -> String {
        match self {
            Self::Rsa2048 => "rsa2048".into(),
            Self::EcP256 => "ec-p256".into(),
            Self::Gost2012_256(set) => format!("gost2012_256-{set}"),
            Self::Gost2012_512(set) => format!("gost2012_512-{set}"),
            Self::Gost2001(set) => format!("gost2001-{set}"),
        }
    }

    /// The digest a certificate signed by this key uses, as an `openssl` option.
    pub fn signature_digest(self) -> &'static str {
        match self {
            Self::Rsa2048 | Self::EcP256 => "-sha256",
            Self::Gost2012_256(_) => "-md_gost12_256",
            Self::Gost2012_512(_) => "-md_gost12_512",
            Self::Gost2001(_) => "-md_gost94",
        }
    }

    fn genpkey_args(self) -> Vec<String> {
        let with_paramset = |algorithm: &str, set: &str| {
            vec![
                "-algorithm".into(),
                algorithm.into(),
                "-pkeyopt".into(),
                format!("paramset:{set}"),
            ]
        };
        match self {
            Self::Rsa2048 => ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"]
                .map(String::from)
                .to_vec(),
            Self::EcP256 => ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]
                .map(String::from)
                .to_vec(),
            Self::Gost2012_256(set) => with_paramset("gost2012_256", set),
            Self::Gost2012_512(set) => with_paramset("gost2012_512", set),
            Self::Gost2001(set) => with_paramset("gost2001", set),
        }
    }
}

/// A certificate and its private key (PEM files made by OpenSSL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    /// The certificate, PEM.
    pub cert: PathBuf,
    /// The private key, unencrypted PKCS#8 PEM.
    pub key: PathBuf,
    /// The key's algorithm.
    pub algorithm: KeyAlgorithm,
}

/// How a PFX file protects its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PfxProtection {
    /// OpenSSL 3's default: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, HMAC-SHA256 MAC.
    Aes256,
    /// What older tools wrote: pbeWithSHAAnd3-KeyTripleDES-CBC for keys and certificates, SHA-1 MAC.
    Legacy3Des,
    /// OpenSSL 1.x's default (`-legacy`): certificates under 40-bit RC2, keys under 3DES, SHA-1 MAC.
    LegacyRc2,
    /// The GOST engine's form: PBES2 with PBKDF2-HMAC-Streebog-512 and GOST 28147-89 CFB,
    /// Streebog-512 MAC.
    Gost,
}

/// An OpenSSL working directory private to one test.
#[derive(Debug)]
pub struct OpenSsl {
    dir: tempfile::TempDir,
    next_serial: Cell<u64>,
}

impl OpenSsl {
    /// A fresh working directory; checks that `openssl` and the GOST engine are there.
    pub fn new() -> Self {
        let this = Self {
            dir: temp_dir(),
            next_serial: Cell::new(0x1000),
        };
        let program = this.program();
        require_program(&program.to_string_lossy(), "openssl");
        let engine = this
            .command()
            .args(["engine", "-t", "gost"])
            .output()
            .expect("run openssl engine");
        assert!(
            String::from_utf8_lossy(&engine.stdout).contains("[ available ]"),
            "the OpenSSL GOST engine does not load: apt-get install libengine-gost-openssl\n{}",
            String::from_utf8_lossy(&engine.stderr)
        );
        this
    }

    /// The working directory, where every file the helper makes is put.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn program(&self) -> PathBuf {
        std::env::var_os("TEST_OPENSSL")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("openssl"))
    }

    /// `openssl` with the GOST engine configured, running in the working directory.
    pub fn command(&self) -> Command {
        let mut command = Command::new(self.program());
        command
            .env("OPENSSL_CONF", fixture("openssl-gost.cnf"))
            .current_dir(self.dir());
        command
    }

    /// The SHA-1 thumbprint of a certificate file (PEM or DER) as OpenSSL computes it, in the
    /// form certkeeper shows: upper-case hex, no colons.
    pub fn sha1_thumbprint(&self, certificate: &Path) -> String {
        sha1_thumbprint(self.command(), certificate)
    }

    /// A path in the working directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir().join(name)
    }

    /// The DER of the PEM certificate at `pem`, converted by `openssl x509`.
    pub fn der(&self, pem: &Path) -> Vec<u8> {
        run(self
            .command()
            .args(["x509", "-outform", "DER", "-in"])
            .arg(pem))
        .stdout
    }

    /// The PEM certificate at `pem` written as DER to `out`.
    pub fn der_file(&self, pem: &Path, out: &Path) {
        std::fs::write(out, self.der(pem)).expect("write the DER certificate");
    }

    /// Generates a private key (unencrypted PKCS#8 PEM) named `name.key.pem`.
    pub fn generate_key(&self, algorithm: KeyAlgorithm, name: &str) -> PathBuf {
        let key = self.path(&format!("{name}.key.pem"));
        run(self
            .command()
            .arg("genpkey")
            .args(algorithm.genpkey_args())
            .arg("-out")
            .arg(&key));
        key
    }

    /// A self-signed CA certificate valid for ten years, with the given common name.
    pub fn make_ca(&self, common_name: &str, algorithm: KeyAlgorithm) -> Issued {
        let name = format!("ca-{}-{}", algorithm.name(), self.take_serial());
        let key = self.generate_key(algorithm, &name);
        let cert = self.path(&format!("{name}.cert.pem"));
        run(self
            .command()
            .args(["req", "-new", "-x509", "-utf8", "-days", "3650"])
            .arg(algorithm.signature_digest())
            .arg("-key")
            .arg(&key)
            .args(["-subj", &format!("/CN={common_name}/O=certkeeper tests")])
            .args(["-addext", "basicConstraints=critical,CA:TRUE"])
            .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            .arg("-out")
            .arg(&cert));
        Issued {
            cert,
            key,
            algorithm,
        }
    }

    /// A certificate for `subject` (OpenSSL's `/CN=.../O=...` form, UTF-8 allowed) issued by `ca`,
    /// valid for `days` from now, usable for signing and for encryption.
    pub fn issue(&self, ca: &Issued, subject: &str, algorithm: KeyAlgorithm, days: u32) -> Issued {
        self.issue_with_extensions(ca, subject, algorithm, days, "")
    }

    /// A new key (`NAME.key.pem`) and a certificate request for `subject` signed with it.
    fn key_and_request(
        &self,
        subject: &str,
        algorithm: KeyAlgorithm,
        name: &str,
    ) -> (PathBuf, PathBuf) {
        let key = self.generate_key(algorithm, name);
        let csr = self.path(&format!("{name}.csr.pem"));
        run(self
            .command()
            .args(["req", "-new", "-utf8", "-subj", subject])
            .arg(algorithm.signature_digest())
            .arg("-key")
            .arg(&key)
            .arg("-out")
            .arg(&csr));
        (key, csr)
    }

    /// Like [`OpenSsl::issue`], valid from `not_before` to `not_after` (`YYYYMMDDHHMMSSZ`, past
    /// dates allowed): `openssl ca` with a throw-away database, since `openssl x509` of OpenSSL 3.0
    /// cannot set the dates.
    pub fn issue_between(
        &self,
        ca: &Issued,
        subject: &str,
        algorithm: KeyAlgorithm,
        not_before: &str,
        not_after: &str,
    ) -> Issued {
        let serial = self.take_serial();
        let name = format!("dated-{}-{serial}", algorithm.name());
        let (key, csr) = self.key_and_request(subject, algorithm, &name);
        let database = self.path(&format!("{name}.index.txt"));
        std::fs::write(&database, "").expect("write the CA database");
        let serial_file = self.path(&format!("{name}.serial"));
        std::fs::write(&serial_file, format!("{serial:04X}\n")).expect("write the CA serial");
        let config = self.path(&format!("{name}.ca.cnf"));
        std::fs::write(
            &config,
            format!(
                "[ca]\ndefault_ca = dated\n[dated]\ndatabase = {}\nnew_certs_dir = {}\nserial = {}\n\
                 policy = any\nunique_subject = no\nemail_in_dn = no\nx509_extensions = extensions\n\
                 [any]\ncommonName = supplied\n\
                 [extensions]\nbasicConstraints = critical, CA:FALSE\n\
                 keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement\n\
                 subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid, issuer\n",
                database.display(),
                self.dir().display(),
                serial_file.display()
            ),
        )
        .expect("write the CA configuration");
        let digest = ca.algorithm.signature_digest().trim_start_matches('-');
        let cert = self.path(&format!("{name}.cert.pem"));
        run(self
            .command()
            .args(["ca", "-batch", "-notext", "-utf8", "-preserveDN", "-config"])
            .arg(&config)
            .args(["-name", "dated", "-md", digest, "-cert"])
            .arg(&ca.cert)
            .arg("-keyfile")
            .arg(&ca.key)
            .args(["-startdate", not_before, "-enddate", not_after, "-in"])
            .arg(&csr)
            .arg("-out")
            .arg(&cert));
        Issued {
            cert,
            key,
            algorithm,
        }
    }

    /// Like [`OpenSsl::issue`], with more lines for the extensions file (OpenSSL's x509v3 config
    /// syntax, e.g. `2.5.29.16 = DER:30...` or `certificatePolicies = 1.2.643.100.113.1`).
    pub fn issue_with_extensions(
        &self,
        ca: &Issued,
        subject: &str,
        algorithm: KeyAlgorithm,
        days: u32,
        extra_extensions: &str,
    ) -> Issued {
        let serial = self.take_serial();
        let name = format!("user-{}-{serial}", algorithm.name());
        let (key, csr) = self.key_and_request(subject, algorithm, &name);
        let extensions = self.path(&format!("{name}.ext"));
        std::fs::write(
            &extensions,
            "basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature, nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement\n\
             extendedKeyUsage = emailProtection, clientAuth\n\
             subjectKeyIdentifier = hash\n\
             authorityKeyIdentifier = keyid, issuer\n"
                .to_owned()
                + extra_extensions,
        )
        .expect("write the extensions file");
        let cert = self.path(&format!("{name}.cert.pem"));
        run(self
            .command()
            .args(["x509", "-req", "-in"])
            .arg(&csr)
            .arg("-CA")
            .arg(&ca.cert)
            .arg("-CAkey")
            .arg(&ca.key)
            .args([
                "-set_serial",
                &serial.to_string(),
                "-days",
                &days.to_string(),
            ])
            .arg(ca.algorithm.signature_digest())
            .arg("-extfile")
            .arg(&extensions)
            .arg("-out")
            .arg(&cert));
        Issued {
            cert,
            key,
            algorithm,
        }
    }

    /// Packs a certificate and its key into a PFX file protected by `password`.
    pub fn pfx(&self, issued: &Issued, password: &str, protection: PfxProtection) -> PathBuf {
        let pfx = self.path(&format!(
            "{}-{}.pfx",
            issued.algorithm.name(),
            self.take_serial()
        ));
        let mut command = self.command();
        command
            .args(["pkcs12", "-export", "-in"])
            .arg(&issued.cert)
            .arg("-inkey")
            .arg(&issued.key)
            .args(["-passout", &format!("pass:{password}"), "-out"])
            .arg(&pfx);
        match protection {
            PfxProtection::Aes256 => {}
            PfxProtection::Legacy3Des => {
                command.args([
                    "-keypbe",
                    "PBE-SHA1-3DES",
                    "-certpbe",
                    "PBE-SHA1-3DES",
                    "-macalg",
                    "sha1",
                ]);
            }
            PfxProtection::LegacyRc2 => {
                command.arg("-legacy");
            }
            PfxProtection::Gost => {
                command.args([
                    "-keypbe",
                    "gost89",
                    "-certpbe",
                    "gost89",
                    "-macalg",
                    "md_gost12_512",
                ]);
            }
        }
        run(&mut command);
        pfx
    }

    /// Encrypts `plaintext` to `recipients` with `openssl cms -encrypt`, returning the DER document.
    /// `cipher` is OpenSSL's content cipher option (`-aes-256-cbc`, `-gost89`,
    /// `-kuznyechik-ctr-acpkm`...); `recipient_options` follow each `-recip`, e.g.
    /// `-keyopt rsa_padding_mode:oaep`.
    pub fn cms_encrypt(
        &self,
        plaintext: &[u8],
        recipients: &[&Issued],
        cipher: &str,
        recipient_options: &[&str],
    ) -> PathBuf {
        let serial = self.take_serial();
        let input = self.path(&format!("plain-{serial}.bin"));
        std::fs::write(&input, plaintext).expect("write the plaintext");
        let document = self.path(&format!("doc-{serial}.der"));
        let mut command = self.command();
        command
            .args(["cms", "-encrypt", "-binary", "-outform", "DER", cipher])
            .arg("-in")
            .arg(&input)
            .arg("-out")
            .arg(&document);
        for recipient in recipients {
            command
                .arg("-recip")
                .arg(&recipient.cert)
                .args(recipient_options);
        }
        run(&mut command);
        document
    }

    /// Decrypts a DER CMS document with `openssl cms -decrypt` and `recipient`'s key.
    pub fn cms_decrypt(&self, document: &Path, recipient: &Issued) -> Vec<u8> {
        let output = self.path(&format!("decrypted-{}.bin", self.take_serial()));
        run(self
            .command()
            .args(["cms", "-decrypt", "-binary", "-inform", "DER", "-in"])
            .arg(document)
            .arg("-recip")
            .arg(&recipient.cert)
            .arg("-inkey")
            .arg(&recipient.key)
            .arg("-out")
            .arg(&output));
        std::fs::read(&output).expect("read the decrypted document")
    }

    /// The archived key of `thumbprint` exported by certkeeper (`cli`) as encrypted PKCS#8 and as PFX: OpenSSL
    /// with the GOST engine reads both and finds the certificate's public key (the certificate exported
    /// as PEM to `DIR/NAME.pem`, which is returned).
    pub fn check_exports(
        &self,
        cli: &dyn Fn() -> std::process::Command,
        dir: &Path,
        thumbprint: &str,
        name: &str,
    ) -> std::path::PathBuf {
        use super::secret_file;
        let out_password = secret_file(dir, &format!("{name}.out-password"), "export-1\n");
        let public_key_of = |args: &[&str], file: &Path| -> String {
            String::from_utf8_lossy(
                &run(self
                    .command()
                    .args(args)
                    .arg(file)
                    .args(["-passin", "pass:export-1"]))
                .stdout,
            )
            .into_owned()
        };
        let certificate = dir.join(format!("{name}.pem"));
        run(cli()
            .args(["export", thumbprint, "--format", "pem", "--out"])
            .arg(&certificate));
        let expected = public_key_of(&["x509", "-noout", "-pubkey", "-in"], &certificate);
        assert!(expected.contains("BEGIN PUBLIC KEY"), "{expected}");
        let pkcs8_file = dir.join(format!("{name}.key.pem"));
        run(cli()
            .args(["export", thumbprint, "--format", "pkcs8", "--out"])
            .arg(&pkcs8_file)
            .arg("--password-file")
            .arg(&out_password));
        assert_eq!(
            public_key_of(&["pkey", "-pubout", "-in"], &pkcs8_file),
            expected,
            "{name}: PKCS#8"
        );
        let pfx_out = dir.join(format!("{name}.pfx"));
        run(cli()
            .args(["export", thumbprint, "--format", "pfx", "--out"])
            .arg(&pfx_out)
            .arg("--password-file")
            .arg(&out_password));
        let key_from_pfx = dir.join(format!("{name}.from-pfx.pem"));
        run(self
            .command()
            .args([
                "pkcs12",
                "-nocerts",
                "-nodes",
                "-passin",
                "pass:export-1",
                "-in",
            ])
            .arg(&pfx_out)
            .arg("-out")
            .arg(&key_from_pfx));
        assert_eq!(
            public_key_of(&["pkey", "-pubout", "-in"], &key_from_pfx),
            expected,
            "{name}: PFX"
        );
        certificate
    }

    fn take_serial(&self) -> u64 {
        let serial = self.next_serial.get();
        self.next_serial.set(serial + 1);
        serial
    }
}

impl Default for OpenSsl {
    fn default() -> Self {
        Self::new()
    }
}

/// What `openssl pkey -text` shows of a GOST key: the parameter set's name and the numbers,
/// big-endian.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GostKeyText {
    /// The parameter set, e.g. `id-GostR3410-2001-CryptoPro-XchA-ParamSet`.
    pub param_set: String,
    /// The private scalar, big-endian.
    pub private: Vec<u8>,
    /// The public key's x, big-endian.
    pub x: Vec<u8>,
    /// The public key's y, big-endian.
    pub y: Vec<u8>,
}

impl OpenSsl {
    /// Reads a GOST private key's numbers as OpenSSL prints them, padded to `len` bytes each.
    pub fn gost_key_text(&self, key: &Path, len: usize) -> GostKeyText {
        let output = run(self
            .command()
            .args(["pkey", "-text", "-noout", "-in"])
            .arg(key));
        let text = String::from_utf8(output.stdout).expect("UTF-8");
        let value = |label: &str| -> String {
            text.lines()
                .find_map(|line| line.trim().strip_prefix(label))
                .unwrap_or_else(|| panic!("no {label} in {text}"))
                .trim()
                .to_owned()
        };
        let number = |label: &str| -> Vec<u8> {
            let hex = value(label);
            let hex = format!("{hex:0>width$}", width = 2 * len);
            (0..hex.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).expect("hex"))
                .collect()
        };
        GostKeyText {
            param_set: value("Parameter set:"),
            private: number("Private key:"),
            x: number("X:"),
            y: number("Y:"),
        }
    }

    /// Writes the public half of a key as a PEM file and returns its path.
    pub fn public_key_pem(&self, key: &Path) -> PathBuf {
        let public = key.with_extension("pub.pem");
        run(self
            .command()
            .args(["pkey", "-pubout", "-in"])
            .arg(key)
            .arg("-out")
            .arg(&public));
        public
    }
}

/// The SHA-1 thumbprint of a certificate file (PEM or DER) by `openssl` (a command for the
/// `openssl` program, with its configuration), as certkeeper shows it: upper-case hex, no colons.
pub fn sha1_thumbprint(mut openssl: Command, certificate: &Path) -> String {
    // DER starts with a SEQUENCE's tag; PEM with its armour.
    let der = std::fs::read(certificate)
        .unwrap_or_else(|error| panic!("{}: {error}", certificate.display()))
        .first()
        == Some(&0x30);
    let output = run(openssl
        .args(["x509", "-noout", "-fingerprint", "-sha1", "-inform"])
        .arg(if der { "DER" } else { "PEM" })
        .arg("-in")
        .arg(certificate));
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .rsplit('=')
        .next()
        .unwrap_or_default()
        .replace(':', "")
}
