//! Cryptography certkeeper implements itself, where no maintained crate does.

pub mod gost;
