//! The domain of certkeeper: everything a qualified-signature certificate goes through, without SQL
//! and without a user interface.
//!
//! certkeeper keeps every certificate and key container a person ever had so that documents encrypted
//! years ago still open. This crate holds the parts that do not depend on where things are stored or
//! how a person is asked for something:
//!
//! - [`secret`] — how secrets (passphrases, PINs, container passwords) enter the program, and the
//!   rules that keep them out of logs, `Debug` output and error messages.
//! - [`cert`] — the X.509 certificate model with the fields of Russian qualified certificates.
//! - [`crypto`] — GOST cryptography (GOST R 34.10/34.11/34.12/34.13, 28147-89 and their key
//!   agreement, wrap and derivation schemes), proven against the standards' examples and OpenSSL.
//! - [`formats`] — the files certificates and keys come in (CryptoPro containers so far).
//! - [`open`] — opening an old encrypted document with whichever key fits, over [`open::KeySource`]s
//!   that the archive and tokens implement.
//! - [`copy`] — copying a key and its certificate between the archive, tokens, drives and the
//!   registry store, over the archive's side ([`copy::Archived`]) that storage implements.
//! - [`import`] — every certificate and key container in files and folders into the archive, over
//!   the archive's side ([`import::Keeper`]).
//! - [`enroll`] — getting a new certificate: the key on the chosen medium, the request, the CA over
//!   CMP or a request file, waiting, installing — as jobs kept in the archive ([`enroll::Requests`]).
//! - [`keys`] — a key kept locked in its container, taken out with the container's password.
//! - [`files`] — files written whole or not at all.
//! - [`error`] — the typed errors of this crate. Every variant carries enough context for the
//!   application to tell a person what went wrong and what to do next; the words themselves live in
//!   the application's message catalogue, not here.
//!
//! The crate never prompts and never prints. When it needs a PIN or a password it will ask through a
//! trait the application implements, once for the command line and once for the desktop window.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod cert;
pub mod cms;
pub mod copy;
pub mod crypto;
pub mod enroll;
pub mod error;
pub mod expiry;
pub mod files;
pub mod formats;
pub mod import;
pub mod interact;
pub mod keys;
pub mod media;
pub mod open;
pub mod passphrase;
pub mod secret;
pub mod text;

pub use error::{Error, Result};
