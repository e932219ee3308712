//! A CA's answer as the network brings it (CMP PKIMessage, RFC 4210): read and checked against a
//! transaction, with and without the one-time code; the subject text a person types (RFC 4514) and
//! a certificate's hash for certConf. Typed errors, never a panic.
#![no_main]

use certkeeper_core::enroll::cmp::{self, Transaction};
use certkeeper_core::enroll::name::Subject;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

fuzz_target!(|data: &[u8]| {
    let transaction = Transaction {
        id: vec![7; 16],
        our_nonce: vec![9; 16],
        their_nonce: None,
    };
    let secret = SecretString::from("482-915".to_owned());
    let _ = cmp::decode(data, &transaction, Some(&secret));
    let _ = cmp::decode(data, &transaction, None);
    let _ = cmp::certificate_hash(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Subject::parse(text);
    }
});
