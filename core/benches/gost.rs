//! GOST primitives at the sizes the comparison with OpenSSL's GOST engine uses
//! (`bench/gost-vs-openssl.sh` runs this and the engine in one go and prints the ratios).

use std::hint::black_box;
use std::time::Duration;

use certkeeper_core::crypto::gost::gost28147::{Cfb, KeyMeshing, Sbox};
use certkeeper_core::crypto::gost::r3413::Ctr;
use certkeeper_core::crypto::gost::streebog::Streebog;
use certkeeper_core::crypto::gost::{Digest, ParamSet, PrivateKey, Streebog256};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const MIB_64: usize = 64 << 20;
const KEY: [u8; 32] = [0x5a; 32];

fn bulk(c: &mut Criterion) {
    let data = vec![0x3cu8; MIB_64];
    let mut group = c.benchmark_group("bulk_64MiB");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Bytes(MIB_64 as u64));
    // certkeeper's own (crypto::gost::streebog), and the RustCrypto crate it was checked against.
    group.bench_function("streebog256", |b| {
        b.iter(|| Streebog::digest_256(black_box(&data)))
    });
    group.bench_function("streebog256_crate", |b| {
        b.iter(|| Streebog256::digest(black_box(&data)))
    });
    let mut buffer = data.clone();
    group.bench_function("gost28147_cfb", |b| {
        b.iter(|| {
            Cfb::new(&KEY, &[1; 8], Sbox::Z, KeyMeshing::CryptoPro).encrypt(black_box(&mut buffer));
        })
    });
    // Decryption computes several blocks at once (no chain between them); encryption cannot.
    group.bench_function("gost28147_cfb_decrypt", |b| {
        b.iter(|| {
            Cfb::new(&KEY, &[1; 8], Sbox::Z, KeyMeshing::CryptoPro).decrypt(black_box(&mut buffer));
        })
    });
    group.bench_function("kuznyechik_ctr_acpkm", |b| {
        b.iter(|| {
            Ctr::<kuznyechik::Kuznyechik>::acpkm(&KEY, &[2; 8], 4096)
                .expect("parameters")
                .apply(black_box(&mut buffer));
        })
    });
    group.finish();
}

fn signatures(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    group.throughput(Throughput::Elements(1));
    for (name, set) in [
        ("gost2012_256", ParamSet::Tc26_256A),
        ("gost2012_512", ParamSet::Tc26_512A),
    ] {
        let key = PrivateKey::generate(set).expect("key");
        let digest = vec![0x42u8; set.coordinate_len()];
        group.bench_function(name, |b| {
            b.iter(|| key.sign_digest(black_box(&digest)).expect("sign"))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("verify");
    group.throughput(Throughput::Elements(1));
    for (name, set) in [
        ("gost2012_256", ParamSet::Tc26_256A),
        ("gost2012_512", ParamSet::Tc26_512A),
    ] {
        let key = PrivateKey::generate(set).expect("key");
        let public = key.public_key();
        let digest = vec![0x42u8; set.coordinate_len()];
        let signature = key.sign_digest(&digest).expect("sign");
        group.bench_function(name, |b| {
            b.iter(|| {
                public
                    .verify_digest(black_box(&digest), &signature)
                    .expect("verify")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bulk, signatures);
criterion_main!(benches);
