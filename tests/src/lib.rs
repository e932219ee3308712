//! Integration tests for certkeeper against real services: SoftHSM2, OpenSSL with the GOST engine,
//! pcscd with a virtual card, a notification daemon on a private D-Bus session, and Xvfb.
//!
//! The helpers are in [`support`]; the tests, one binary per area, in `tests/tests/`.

pub mod support;
