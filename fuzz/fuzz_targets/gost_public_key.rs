//! Untrusted bytes as a GOST public key, digest and signature: typed errors, never a panic.
#![no_main]

use certkeeper_core::crypto::gost::{ParamSet, PublicKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let set = ParamSet::ALL[selector as usize % ParamSet::ALL.len()];
    let len = set.coordinate_len();
    let (point, rest) = rest.split_at(rest.len().min(2 * len));
    if let Ok(public) = PublicKey::from_le_bytes(set, point) {
        let (digest, signature) = rest.split_at(rest.len().min(len));
        let _ = public.verify_digest(digest, signature);
    }
});
