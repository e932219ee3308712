//! Cryptography certkeeper implements itself, where no maintained crate does.

pub mod aes_kw;
pub mod gost;
