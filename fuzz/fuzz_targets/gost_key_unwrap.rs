//! Untrusted wrapped keys (GOST 28147-89 CryptoPro wrap, KImp15): typed errors, never a panic.
#![no_main]

use certkeeper_core::crypto::gost::gost28147::{Sbox, unwrap_cryptopro};
use certkeeper_core::crypto::gost::r3413::kimp15;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let kek = [0x42u8; 32];
    let _ = unwrap_cryptopro(&kek, data, Sbox::CryptoProA);
    let (iv, exported) = data.split_at(data.len().min(8));
    let _ = kimp15::<kuznyechik::Kuznyechik>(exported, &kek, &kek, iv);
    let _ = kimp15::<magma::Magma>(exported, &kek, &kek, &iv[..iv.len().min(4)]);
});
