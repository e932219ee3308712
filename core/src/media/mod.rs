//! Key media: where containers and keys live besides the archive. So far the CryptoPro registry store
//! ([`registry`]: the Linux HDIMAGE folders, and `.reg` files for Windows).

pub mod registry;
