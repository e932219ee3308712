//! Key media: where containers and keys live besides the archive — PKCS#11 tokens ([`pkcs11`]) and
//! the CryptoPro registry store ([`registry`]: the Linux HDIMAGE folders, and `.reg` files for
//! Windows).

pub mod pkcs11;
pub mod registry;
pub mod survey;
pub mod tc26;
pub mod tokens;
pub mod volume;
pub mod watch;
