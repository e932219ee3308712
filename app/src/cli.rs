//! The command line: `certkeeper [--archive PATH] [--passphrase-file FILE] [--json] <command>`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The version and the git commit it was built from: "0.1.0 (commit 5052bf3a1b2c)".
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("CERTKEEPER_COMMIT"),
    ")"
);

/// Keeps every qualified electronic signature certificate and key container you ever had, issues new
/// ones and opens old encrypted documents.
///
/// Without a command, certkeeper opens its desktop window on your archive.
#[derive(Debug, Parser)]
#[command(
    name = "certkeeper",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "Exit status: 0 success, 1 error, 2 wrong usage, 3 no display for the window.\n\
Language: the locale (LC_ALL, LC_MESSAGES, LANG), or CERTKEEPER_LANG=ru|en.\n\
Logging: CERTKEEPER_LOG=warn|info|debug (never shows a secret)."
)]
pub struct Cli {
    /// The archive file [default: ~/.local/share/certkeeper/archive.db].
    #[arg(long, global = true, value_name = "PATH", env = "CERTKEEPER_ARCHIVE")]
    pub archive: Option<PathBuf>,

    /// Read the archive passphrase from this file instead of asking (never give it as an argument).
    #[arg(
        long,
        global = true,
        value_name = "FILE",
        env = "CERTKEEPER_PASSPHRASE_FILE"
    )]
    pub passphrase_file: Option<PathBuf>,

    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What certkeeper can do.
// Parsed once per run: the size of the largest command's options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the desktop window (the same as running certkeeper without a command).
    Ui {
        /// Open it at this certificate's details (id or thumbprint).
        #[arg(long, value_name = "ID|THUMBPRINT", conflicts_with_all = ["renew", "requests"])]
        certificate: Option<String>,
        /// Open it at the first step of renewing this certificate (what a reminder's "Renew"
        /// does).
        #[arg(long, value_name = "ID|THUMBPRINT", conflicts_with = "requests")]
        renew: Option<String>,
        /// Open it at the certificate requests (what "Install" on an issued certificate does).
        #[arg(long)]
        requests: bool,
    },
    /// What stops working when: certificates (notAfter) and private keys (key usage period).
    ///
    /// Lists the deadlines of current certificates (not superseded by a valid newer one, not muted)
    /// from 30 days ago to --within days ahead, soonest first. Exit status 4 when something listed
    /// is not snoozed, 0 when nothing is due. CERTKEEPER_NOW (YYYY-MM-DD or RFC 3339) sets the time.
    Expiry {
        /// How many days ahead to look.
        #[arg(long, value_name = "DAYS", default_value_t = 30)]
        within: u32,
        /// Also write every future reminder day as an iCalendar file (one event per threshold).
        #[arg(long, value_name = "FILE")]
        ics: Option<PathBuf>,
    },
    /// Mute, snooze or set the thresholds of renewal reminders.
    #[command(subcommand)]
    Remind(RemindCommand),
    /// The reminder service: desktop notifications before certificates and keys expire.
    ///
    /// Checks at start, then daily and after the computer wakes from sleep; never sends the same
    /// reminder twice. Without a notification service the reminders are printed. --install sets it
    /// up as a systemd user service and an autostart entry; --once checks once (cron, tests).
    Watch {
        /// Check once and exit.
        #[arg(long, conflicts_with_all = ["install", "uninstall"])]
        once: bool,
        /// Install the systemd user unit and the autostart entry, and start the service.
        #[arg(long, conflicts_with = "uninstall")]
        install: bool,
        /// Stop the service and remove what --install wrote.
        #[arg(long)]
        uninstall: bool,
        /// Stop after this many seconds [default: run until stopped].
        #[arg(long = "for", value_name = "SECONDS", hide = true)]
        seconds: Option<u64>,
        /// Started with the desktop session: without an archive yet, leave quietly.
        #[arg(long, hide = true, conflicts_with_all = ["install", "uninstall"])]
        session: bool,
    },
    /// Unlock the archive once for the commands and the window that follow.
    ///
    /// The passphrase is asked (or read from --passphrase-file) and the key made of it is left
    /// with an agent of yours until it goes unused for the idle time, certkeeper lock, the
    /// session's lock or the computer's sleep; meanwhile no command asks again.
    Unlock {
        /// The idle time: 15m, 2h, 90s, or minutes [default: 10m].
        #[arg(long = "for", value_name = "DURATION")]
        idle: Option<String>,
    },
    /// Make the agent forget the unlocked archive: the passphrase is asked again.
    Lock,
    /// The unlock agent itself (started by unlock).
    #[command(hide = true)]
    Agent,
    /// Show and check the archive, passphrase source and language in use.
    Info,
    /// Create the archive (the passphrase is asked twice, or read from --passphrase-file).
    Init {
        /// Accept a passphrase below the strength floor (for scripts that accept the risk).
        #[arg(long, env = "CERTKEEPER_ALLOW_WEAK_PASSPHRASE", value_parser = clap::builder::FalseyValueParser::new())]
        allow_weak_passphrase: bool,
    },
    /// Archive every certificate, key container, PFX and key file found in files and folders.
    ///
    /// Containers are kept whole, sealed; their keys are taken out as well when the password is
    /// known (none, --password-file, or asked once per container at the terminal), so that old
    /// documents open later without it. A container whose password is not known is archived locked.
    Import {
        /// Files or folders (scanned recursively).
        #[arg(required_unless_present = "registry")]
        paths: Vec<PathBuf>,
        /// Import the containers of the registry store instead (on Windows the registry itself:
        /// CryptoPro's keys of the current user).
        #[arg(long, conflicts_with = "paths")]
        registry: bool,
        /// Read the container password from this file (one line), for every container that has one.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Keep the passwords that opened containers in the archive (sealed like the keys).
        #[arg(long)]
        keep_passwords: bool,
    },
    /// List the archived certificates, newest expiry first.
    List {
        /// Only those whose name, subject or issuer contains TEXT, or whose INN, INNLE, SNILS, OGRN,
        /// OGRNIP, thumbprint or serial is TEXT.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        /// Only those that expire within DAYS days (or have expired).
        #[arg(long, value_name = "DAYS")]
        expiring_within: Option<u32>,
        /// List the hidden certificates instead (certkeeper hide).
        #[arg(long, conflicts_with_all = ["search", "expiring_within"])]
        hidden: bool,
    },
    /// Hide a certificate imported by mistake from lists and reminders (nothing is deleted; its key
    /// still opens old documents; unhide shows it again).
    Hide {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
    },
    /// Show a hidden certificate again.
    Unhide {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
    },
    /// Merge the key containers that hold one certificate's key (a CryptoPro container and the
    /// same key's PEM or PFX files) into one entry; --undo separates them again.
    Merge {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
        /// Separate them again.
        #[arg(long)]
        undo: bool,
    },
    /// Show every field of one archived certificate.
    Show {
        /// The archive's id (from `list`) or the SHA-1 thumbprint.
        id_or_thumbprint: String,
    },
    /// Write an archived certificate, or its private key with it, to a file or container.
    ///
    /// pem and der write the certificate; pfx, pkcs8 and cryptopro its key too, under a new password
    /// (from --password-file, or typed twice). A key archived only inside a locked container is taken
    /// out with that container's password (--key-password-file, or typed once) and kept unlocked.
    /// Nothing is overwritten, and nothing half-written is left behind.
    Export {
        /// The archive's id (from `list`) or the SHA-1 thumbprint.
        id_or_thumbprint: String,
        /// What to write.
        #[arg(long, value_enum)]
        format: crate::commands::export::ExportFormat,
        /// The file (or, for cryptopro, the container folder) to create.
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
        /// Read the password of the file written from this file (one line).
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
        /// Read the password of the archived container that holds the key from this file.
        #[arg(long, value_name = "FILE")]
        key_password_file: Option<PathBuf>,
    },
    /// Open encrypted documents (CMS/PKCS#7: .p7m, .p7e, .enc) with whichever archived key fits.
    ///
    /// The recipients the document names are looked up in the archive (expired and superseded
    /// certificates included); a key kept locked in its container asks for that container's password
    /// once. The output appears whole or not at all. With --batch, every file of a folder is opened
    /// into --out, and a report says what opened with which certificate and what did not and why.
    Decrypt {
        /// The document (without --batch).
        #[arg(required_unless_present = "batch")]
        input: Option<PathBuf>,
        /// Where to write: the content of one document [default: beside it, without
        /// .p7m/.p7e/.cms/.enc]; with --batch, the folder the documents are written to (required).
        #[arg(
            short = 'o',
            long = "out",
            visible_alias = "output",
            value_name = "PATH"
        )]
        out: Option<PathBuf>,
        /// Open every document in this folder (recursively), into --out.
        #[arg(long, value_name = "DIR", requires = "out", conflicts_with = "input")]
        batch: Option<PathBuf>,
        /// Read the password of an archived container whose key is locked from this file.
        #[arg(long, value_name = "FILE")]
        key_password_file: Option<PathBuf>,
        /// Open the document with this content key (hexadecimal, in a file) instead of an archived
        /// key: for EncryptedData, encrypted with a key the sender and you share.
        #[arg(long, value_name = "FILE", conflicts_with = "batch")]
        content_key_file: Option<PathBuf>,
        /// Open the document with this private key file (PKCS#8, PEM or DER; encrypted ones with
        /// --key-password-file) instead of the archive's keys, whatever certificate it names.
        #[arg(long = "key", value_name = "FILE", conflicts_with_all = ["batch", "content_key_file"])]
        key_file: Option<PathBuf>,
        /// The sender's certificate (repeatable), for a document encrypted by key agreement with
        /// the sender's own key rather than a one-time one: with --key, where no archive is read.
        #[arg(long = "originator", value_name = "FILE", requires = "key_file")]
        originators: Vec<PathBuf>,
        /// Read the content key in reverse byte order (as GOST standards print keys, most
        /// significant byte first). Without it, a key that fails the document's MAC is tried this
        /// way by itself; a document without a MAC cannot tell, so it has to be asked for.
        #[arg(long, requires = "content_key_file")]
        reverse_key: bool,
        /// Decrypt Kuznyechik and Magma CTR-ACPKM content with the key stream of OpenSSL's GOST
        /// engine 3.0.x (Debian 12), which departs from the standard after the first 4 KiB / 1 KiB
        /// of its CMS documents. A document with a MAC is tried this way by itself when the
        /// standard's fails; one without cannot tell, so it has to be asked for.
        #[arg(long)]
        openssl_acpkm: bool,
        /// Read the PIN of the token that holds the key (when the archive keeps none) from this file.
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// A PKCS#11 module to look for tokens with (repeatable) [default: CERTKEEPER_PKCS11_MODULES,
        /// else Rutoken's, OpenSC's and SoftHSM2's usual places].
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// Key media: tokens (PKCS#11) with their certificates and keys, and the registry store.
    #[command(subcommand)]
    Media(MediaCommand),
    /// Copy a key with its certificate between the archive, drives, the registry store and tokens.
    ///
    /// A medium is archive, dir:PATH (a folder or USB drive), registry or token:LABEL. CryptoPro
    /// containers go byte for byte between archive, dir: and registry; RSA and EC keys go between
    /// tokens, to and from PFX files on drives, and to and from the archive; GOST keys from
    /// containers go onto tokens that sign with GOST keys (Rutoken ECP). A key leaves a token only
    /// when it is marked extractable; every copy is proven by signing with one side and verifying
    /// with the other. --certificate-only copies the certificate alone.
    Copy {
        /// The SHA-1 thumbprint of the certificate.
        thumbprint: String,
        /// Where from: archive, dir:PATH, registry or token:LABEL.
        #[arg(long, value_name = "MEDIUM", default_value = "archive")]
        from: String,
        /// Where to: archive, dir:PATH, registry or token:LABEL.
        #[arg(long, value_name = "MEDIUM")]
        to: String,
        /// Read the source's secret from this file: a token's PIN, a PFX file's password, or the
        /// password of an archived container whose key is locked.
        #[arg(long, value_name = "FILE")]
        from_secret_file: Option<PathBuf>,
        /// Read the target's secret from this file: a token's PIN or the new PFX file's password.
        #[arg(long, value_name = "FILE")]
        to_secret_file: Option<PathBuf>,
        /// Copy the certificate alone (for a key that may not leave its token).
        #[arg(long)]
        certificate_only: bool,
        /// A PKCS#11 module to use (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// Get a new certificate: a key on the medium you choose, a request, the CA, installing.
    ///
    /// As the CA's guide goes: `request new` makes the key (on a token, a drive or in the registry
    /// store) and the request; `request submit` sends it to the CA over CMP with the CA's one-time
    /// code, waits while the CA issues it and installs the certificate next to its key; for a CA that
    /// takes request files, `request new --csr-out` writes the request and `request install` takes
    /// the certificate back. Every request is kept in the archive and goes on after an interruption
    /// (`request resume`, or the reminder service).
    #[command(subcommand)]
    Request(RequestCommand),
    /// The CryptoPro "registry" key store (HDIMAGE folders on Linux; .reg files for Windows).
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Show or change this computer's settings (a JSON file in the configuration directory).
    ///
    /// pkcs11-modules: the PKCS#11 modules to load (paths separated by colons), used when neither
    /// --pkcs11-module nor CERTKEEPER_PKCS11_MODULES is given.
    Settings {
        #[command(subcommand)]
        action: Option<SettingsCommand>,
    },
    /// Change the archive passphrase (the keys inside are not touched; old backups keep the old one).
    Passwd {
        /// Read the new passphrase from this file instead of asking twice.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        /// Accept a passphrase below the strength floor (for scripts that accept the risk).
        #[arg(long, env = "CERTKEEPER_ALLOW_WEAK_PASSPHRASE", value_parser = clap::builder::FalseyValueParser::new())]
        allow_weak_passphrase: bool,
    },
    /// Write a consistent copy of the archive, also while the window or reminder service use it.
    Backup {
        /// The copy to create (it must not exist).
        path: PathBuf,
    },
    /// Replace the archive with a backup (the passphrase is the backup's).
    ///
    /// The backup is checked first (passphrase, verify); the archive it replaces is kept beside it as
    /// ARCHIVE.before-restore, never deleted. Close the window and stop the reminder service first.
    Restore {
        /// The backup file.
        path: PathBuf,
    },
    /// Check the archive: the database, every certificate, every sealed secret and the audit log.
    Verify,
    /// Show the audit log: every change to the archive, oldest first.
    Audit,
    /// Show what files and folders hold, without archiving anything.
    ///
    /// Folders are scanned recursively; a CryptoPro container folder (header.key, masks.key, ...) is
    /// shown as one item. Exit status 1 when something could not be read (the list says what and why).
    Inspect {
        /// Files or folders to look into.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Read the container password from this file (one line) to open the keys.
        #[arg(long, value_name = "FILE")]
        password_file: Option<PathBuf>,
    },
    /// Print a shell completion script.
    ///
    /// For bash: certkeeper completions bash > ~/.local/share/bash-completion/completions/certkeeper
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write what the packages hold besides the program (manual pages, completions, the reminder
    /// service's unit and autostart entry) into a folder.
    #[command(hide = true)]
    PackageFiles {
        /// The folder to write them into (created if need be).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Where the packages install the program.
        #[arg(long, value_name = "PATH", default_value = "/usr/bin/certkeeper")]
        program: PathBuf,
    },
}

/// What `media` does.
#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// List the tokens and what is on them, and the registry store.
    ///
    /// Without a PIN a token shows its certificates and public keys; with --token and --pin-file it
    /// shows its private keys too (one login attempt: a wrong PIN is reported with the token's PIN
    /// state and never tried again).
    List {
        /// A PKCS#11 module to use (repeatable) [default: CERTKEEPER_PKCS11_MODULES, or Rutoken's,
        /// OpenSC's and SoftHSM2's where installed].
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
        /// The token (its label) to log in to.
        #[arg(long, value_name = "LABEL", requires = "pin_file")]
        token: Option<String>,
        /// Read the token's user PIN from this file.
        #[arg(long, value_name = "FILE", requires = "token")]
        pin_file: Option<PathBuf>,
        /// A folder or drive to scan for containers, PFX, key and certificate files (repeatable;
        /// removable drives mounted under /media/USER and /run/media/USER are scanned anyway).
        #[arg(long = "dir", value_name = "PATH")]
        dirs: Vec<PathBuf>,
    },
    /// Generate a key pair on a token: the private key never leaves it (unless --extractable).
    ///
    /// RSA and EC through the standard mechanisms, GOST R 34.10-2012 through the TC26 ones
    /// (Rutoken and other Russian tokens). Prints the new keys' CKA_ID; --public-key-out writes the
    /// public key (PEM) for a certificate request.
    Keygen {
        /// The token (its label).
        #[arg(long, value_name = "LABEL")]
        token: String,
        /// rsa2048, rsa3072, rsa4096, ec-p256, ec-p384, gost2012-256[:A|B|C|XA|XB|TC26-A..D]
        /// (CryptoPro A by default) or gost2012-512[:A|B|C].
        #[arg(long, value_name = "ALGORITHM")]
        algorithm: String,
        /// CKA_LABEL of the new keys.
        #[arg(long, value_name = "NAME", default_value = "certkeeper")]
        label: String,
        /// CKA_ID of the new keys, hex [default: random].
        #[arg(long, value_name = "HEX")]
        id: Option<String>,
        /// Let the private key leave the token later (copies to another token).
        #[arg(long)]
        extractable: bool,
        /// Read the token's user PIN from this file [default: asked].
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// Write the public key here (PEM).
        #[arg(long, value_name = "PATH")]
        public_key_out: Option<PathBuf>,
        /// A PKCS#11 module to use (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// Print smart card readers and tokens as they are connected, inserted and removed (PC/SC).
    ///
    /// With --json, one JSON object per line: {"event": "reader_added"|"reader_removed"|
    /// "card_inserted"|"card_removed", "reader", "atr"}.
    Watch {
        /// Stop after this many seconds [default: run until interrupted].
        #[arg(long = "for", value_name = "SECONDS")]
        seconds: Option<u64>,
        /// Archive the certificates found on each token inserted, and say so (the passphrase is
        /// asked once at start, or read from --passphrase-file).
        #[arg(long)]
        archive_new: bool,
        /// A PKCS#11 module to read inserted tokens with (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
}

/// What `request` does.
// Parsed once per run: the size of `new`'s options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum RequestCommand {
    /// Make a key and a certificate request, kept in the archive as a job.
    ///
    /// A drive (dir:PATH) or the registry store gets a new CryptoPro container (GOST R 34.10-2012)
    /// with a password asked twice, which may be empty; the key is kept in the archive at once. A
    /// token (token:LABEL) makes a key that never leaves it — GOST where it has the TC26
    /// mechanisms (Rutoken ECP), else RSA or EC — and signs the request itself (its PIN is asked
    /// once). Prints the job's number; --json gives {"job", "state", "csr", "notices"}.
    New {
        /// The subject, RFC 4514 text: "CN=Иванов Иван Иванович,SNILS=11223344595,INN=500100732259,C=RU"
        /// (INN, INNLE, SNILS, OGRN and OGRNIP checked and written as CAs expect).
        #[arg(
            long,
            value_name = "DN",
            required_unless_present_any = ["like", "name"],
            conflicts_with_all = ["like", "name"]
        )]
        subject: Option<String>,
        /// The subject as a form: the full name (ФИО); the surname and given names are taken
        /// from it. With --snils (required), --inn, and for an organisation --organisation, --innle
        /// and --ogrn.
        #[arg(long, value_name = "FULL NAME", conflicts_with = "like")]
        name: Option<String>,
        /// СНИЛС (with --name).
        #[arg(long, value_name = "DIGITS", requires = "name")]
        snils: Option<String>,
        /// ИНН of the person (with --name).
        #[arg(long, value_name = "DIGITS", requires = "name")]
        inn: Option<String>,
        /// The organisation (with --name).
        #[arg(long, value_name = "NAME", requires = "name")]
        organisation: Option<String>,
        /// ИНН ЮЛ, the organisation's INN (with --organisation).
        #[arg(long, value_name = "DIGITS", requires = "name")]
        innle: Option<String>,
        /// ОГРН (with --organisation).
        #[arg(long, value_name = "DIGITS", requires = "name")]
        ogrn: Option<String>,
        /// ОГРНИП, for an individual entrepreneur (with --name).
        #[arg(long, value_name = "DIGITS", requires = "name")]
        ogrnip: Option<String>,
        /// The title (должность) (with --name).
        #[arg(long, value_name = "TEXT", requires = "name")]
        title: Option<String>,
        /// The e-mail address (with --name).
        #[arg(long, value_name = "ADDRESS", requires = "name")]
        email: Option<String>,
        /// The town or city (with --name).
        #[arg(long, value_name = "NAME", requires = "name")]
        locality: Option<String>,
        /// The region (with --name).
        #[arg(long, value_name = "NAME", requires = "name")]
        region: Option<String>,
        /// Renew this archived certificate (SHA-1 thumbprint or id): its subject is copied.
        #[arg(long, value_name = "THUMBPRINT")]
        like: Option<String>,
        /// Where the key goes: dir:PATH (a folder or USB drive), registry or token:LABEL.
        #[arg(long, value_name = "MEDIUM")]
        medium: String,
        /// gost2012-256[:A|B|C|XA|XB|TC26-A..D] (CryptoPro A by default), gost2012-512[:A|B|C],
        /// rsa2048 or ec-p256 (tokens only).
        #[arg(long, value_name = "ALGORITHM", default_value = "gost2012-256")]
        algorithm: String,
        /// Read the token's PIN from this file [default: asked].
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// Read the new container's password from this file [default: asked twice].
        #[arg(long, value_name = "FILE", conflicts_with = "no_password")]
        password_file: Option<PathBuf>,
        /// The new container gets no password (anyone with the drive can use the key).
        #[arg(long)]
        no_password: bool,
        /// Also write the request to this file (PEM) and beside it as .der, for a CA that takes
        /// request files.
        #[arg(long, value_name = "FILE")]
        csr_out: Option<PathBuf>,
        /// A PKCS#11 module to use (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// Send a request to the CA over CMP, wait while it is issued, and install the certificate.
    ///
    /// The CA's one-time code and its reference protect the request (CMP's password-based MAC); kur
    /// (a renewal made with --like) is signed with the current certificate's key instead. Waiting
    /// is saved in the archive: interrupted, it goes on with `request resume`. --json gives {"job",
    /// "state", "certificate_id", "sha1_thumbprint"}.
    Submit {
        /// The request's number (certkeeper request list).
        job: i64,
        /// The CA's CMP address, e.g. http://ca.example.ru/pkix/.
        #[arg(long, value_name = "URL")]
        cmp: String,
        /// The reference of the CA's one-time code (not for kur).
        #[arg(long, value_name = "REF", required_if_eq_any = [("command", "ir"), ("command", "cr"), ("command", "p10cr")])]
        reference: Option<String>,
        /// Read the CA's one-time code from this file (not for kur).
        #[arg(long, value_name = "FILE", required_if_eq_any = [("command", "ir"), ("command", "cr"), ("command", "p10cr")])]
        secret_file: Option<PathBuf>,
        /// The CMP message: ir (first certificate), cr, p10cr, or kur (renewal signed with the
        /// current key).
        #[arg(long = "cmd", value_name = "CMD", default_value = "ir", value_parser = ["ir", "cr", "p10cr", "kur"])]
        command: String,
        /// Return once the CA has the request, without waiting for the certificate.
        #[arg(long)]
        no_wait: bool,
        /// Read the token's PIN from this file, to install onto a token [default: asked].
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// A PKCS#11 module to use (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// Install the certificate a CA sent as a file (DER, PEM, or a PKCS#7 bundle with its chain).
    ///
    /// It must be for the request's key; otherwise nothing changes.
    Install {
        /// The request's number.
        job: i64,
        /// The certificate file.
        file: PathBuf,
        /// Read the token's PIN from this file [default: asked].
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// A PKCS#11 module to use (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// List the requests: state, subject, medium, CA, next check, last error.
    List,
    /// Go on with every request the CA has, or was sent and not answered: ask, install.
    Resume {
        /// Ask once and return, without waiting for certificates still being issued.
        #[arg(long)]
        no_wait: bool,
        /// Read the token's PIN from this file, to install onto a token [default: asked].
        #[arg(long, value_name = "FILE")]
        pin_file: Option<PathBuf>,
        /// A PKCS#11 module to use (repeatable).
        #[arg(long = "pkcs11-module", value_name = "PATH")]
        pkcs11_modules: Vec<PathBuf>,
    },
    /// Cancel a request (it stays in the list as cancelled).
    Cancel {
        /// The request's number.
        job: i64,
    },
}

/// What `remind` does.
#[derive(Debug, Subcommand)]
pub enum RemindCommand {
    /// No more reminders for this certificate.
    Mute {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
    },
    /// Reminders for this certificate again.
    Unmute {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
    },
    /// No reminders for this certificate until a date.
    Snooze {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
        /// Until this date, ahead (YYYY-MM-DD or DD.MM.YYYY) [default: for a day].
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
    },
    /// End a snooze.
    Unsnooze {
        /// Its id or SHA-1 thumbprint.
        certificate: String,
    },
    /// List the certificates whose reminders are muted or snoozed (they are left out of expiry).
    List,
    /// Show the thresholds, or set them (days before, comma-separated; default 30,14,7,3,1,0).
    Thresholds {
        /// The new thresholds.
        days: Option<String>,
    },
}

/// What `settings` does.
#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Set a setting.
    Set {
        /// Its name (pkcs11-modules).
        name: String,
        /// Its value.
        value: String,
    },
    /// Go back to a setting's default.
    Unset {
        /// Its name.
        name: String,
    },
}

/// What `registry` does.
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// Mirror every archived CryptoPro container into the registry store (idempotent).
    ///
    /// The store is CryptoPro's own (/var/opt/cprocsp/keys/USER) when CryptoPro is installed,
    /// otherwise registry/USER beside the archive in use; CERTKEEPER_REGISTRY names another root.
    /// This is the CA's advice to keep old certificates in the registry, as one command.
    Sync,
    /// Write every archived CryptoPro container as a .reg file for the Windows registry of a user.
    ExportReg {
        /// The Windows user's security identifier (whoami /user shows it), e.g. S-1-5-21-...-1001.
        #[arg(long, value_name = "SID")]
        sid: String,
        /// The .reg file to create (Windows Registry Editor 5.00, UTF-16).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// The command line's definition in `lang`: English as written here, Russian from the catalogue
/// (`messages::help`).
pub fn command(lang: crate::messages::Lang) -> clap::Command {
    use clap::CommandFactory;
    match lang {
        crate::messages::Lang::En => Cli::command(),
        crate::messages::Lang::Ru => crate::messages::help::in_russian(Cli::command()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn every_help_text_has_its_russian() {
        let mut built = Cli::command();
        built.build();
        let missing = crate::messages::help::untranslated(&built);
        assert!(missing.is_empty(), "no Russian for: {missing:#?}");
    }

    #[test]
    fn the_russian_definition_is_consistent_and_parses_the_same() {
        let russian = command(crate::messages::Lang::Ru);
        russian.clone().debug_assert();
        let matches = russian
            .try_get_matches_from(["certkeeper", "--json", "expiry", "--within", "12"])
            .expect("parsed");
        let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches).expect("the same");
        assert!(cli.json);
        assert!(matches!(
            cli.command,
            Some(Command::Expiry { within: 12, .. })
        ));
    }

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_option_takes_a_secret_as_its_value() {
        fn check(command: &clap::Command) {
            for argument in command.get_arguments() {
                let name = argument.get_id().as_str();
                if !argument.get_action().takes_values() {
                    continue;
                }
                let secret = ["passphrase", "password", "pin"]
                    .iter()
                    .any(|word| name.contains(word));
                assert!(
                    !secret || name.ends_with("_file"),
                    "--{name} of `{}` would put a secret on the command line",
                    command.get_name()
                );
            }
            command.get_subcommands().for_each(check);
        }
        check(&Cli::command());
    }
}
