//! Published test vectors, each with its source. Numbers are printed big-endian as in the documents
//! unless a field's name says `_le`.

use hex_literal::hex;

use super::ec::Curve;
use super::params::ParamSet;
use super::r3410::{L256, L512, PrivateKey, PublicKey, curve256, curve512};
use super::vko;
use crate::error::CryptoError;

struct SignatureExample {
    source: &'static str,
    set: ParamSet,
    d: &'static [u8],
    x: &'static [u8],
    y: &'static [u8],
    /// e, the digest as the standard prints it (a big-endian number).
    e: &'static [u8],
    k: &'static [u8],
    r: &'static [u8],
    s: &'static [u8],
}

const SIGNATURE_EXAMPLES: &[SignatureExample] = &[
    SignatureExample {
        source: "GOST R 34.10-2012 appendix A.1 (also RFC 7091 section 7.1, RFC 5832 section 7.1)",
        set: ParamSet::Test256,
        d: &hex!("7A929ADE789BB9BE10ED359DD39A72C11B60961F49397EEE1D19CE9891EC3B28"),
        x: &hex!("7F2B49E270DB6D90D8595BEC458B50C58585BA1D4E9B788F6689DBD8E56FD80B"),
        y: &hex!("26F1B489D6701DD185C8413A977B3CBBAF64D1C593D26627DFFB101A87FF77DA"),
        e: &hex!("2DFBC1B372D89A1188C09C52E0EEC61FCE52032AB1022E8E67ECE6672B043EE5"),
        k: &hex!("77105C9B20BCD3122823C8CF6FCC7B956DE33814E95B7FE64FED924594DCEAB3"),
        r: &hex!("41AA28D2F1AB148280CD9ED56FEDA41974053554A42767B83AD043FD39DC0493"),
        s: &hex!("01456C64BA4642A1653C235A98A60249BCD6D3F746B631DF928014F6C5BF9C40"),
    },
    SignatureExample {
        source: "GOST R 34.10-2012 appendix A.2 (also RFC 7091 section 7.2)",
        set: ParamSet::Test512,
        d: &hex!(
            "0BA6048AADAE241BA40936D47756D7C93091A0E8514669700EE7508E508B102072E8123B2200A0563322DAD2827E2714A2636B7BFD18AADFC62967821FA18DD4"
        ),
        x: &hex!(
            "115DC5BC96760C7B48598D8AB9E740D4C4A85A65BE33C1815B5C320C854621DD5A515856D13314AF69BC5B924C8B4DDFF75C45415C1D9DD9DD33612CD530EFE1"
        ),
        y: &hex!(
            "37C7C90CD40B0F5621DC3AC1B751CFA0E2634FA0503B3D52639F5D7FB72AFD61EA199441D943FFE7F0C70A2759A3CDB84C114E1F9339FDF27F35ECA93677BEEC"
        ),
        e: &hex!(
            "3754F3CFACC9E0615C4F4A7C4D8DAB531B09B6F9C170C533A71D147035B0C5917184EE536593F4414339976C647C5D5A407ADEDB1D560C4FC6777D2972075B8C"
        ),
        k: &hex!(
            "0359E7F4B1410FEACC570456C6801496946312120B39D019D455986E364F365886748ED7A44B3E794434006011842286212273A6D14CF70EA3AF71BB1AE679F1"
        ),
        r: &hex!(
            "2F86FA60A081091A23DD795E1E3C689EE512A3C82EE0DCC2643C78EEA8FCACD35492558486B20F1C9EC197C90699850260C93BCBCD9C5C3317E19344E173AE36"
        ),
        s: &hex!(
            "1081B394696FFE8E6585E7A9362D26B6325F56778AADBC081C0BFBE933D52FF5823CE288E8C4F362526080DF7F70CE406A6EEB1F56919CB92A9853BDE73E5B4A"
        ),
    },
];

fn reversed(bytes: &[u8]) -> Vec<u8> {
    bytes.iter().rev().copied().collect()
}

fn nonce_sign(key: &PrivateKey, digest: &[u8], k: &[u8]) -> Vec<u8> {
    if key.param_set().bits() == 256 {
        let curve: &Curve<L256> = curve256(key.param_set());
        let k = crypto_bigint::Uint::from_be_slice(k);
        key.sign_with_nonce(curve, digest, &k)
            .expect("the example's k is valid")
    } else {
        let curve: &Curve<L512> = curve512(key.param_set());
        let k = crypto_bigint::Uint::from_be_slice(k);
        key.sign_with_nonce(curve, digest, &k)
            .expect("the example's k is valid")
    }
}

#[test]
fn every_parameter_set_is_consistent() {
    // Building a curve checks the base point is on it and of order q.
    for set in ParamSet::ALL {
        let key = PrivateKey::generate(set).expect("random key");
        let public = key.public_key();
        let again =
            PublicKey::from_le_bytes(set, public.to_le_bytes()).expect("own public key is valid");
        assert_eq!(again, public, "{}", set.name());
        assert_eq!(ParamSet::from_oid(set.oid()), Ok(set));
    }
}

#[test]
fn signature_examples_of_the_standard() {
    for example in SIGNATURE_EXAMPLES {
        let key = PrivateKey::from_be_bytes(example.set, example.d).expect(example.source);
        let public = key.public_key();
        assert_eq!(public.x_be(), example.x, "{}: public key x", example.source);
        assert_eq!(public.y_be(), example.y, "{}: public key y", example.source);
        // The digest as a hash function outputs it is the standard's number read little-endian.
        let digest = reversed(example.e);
        let expected = [example.s, example.r].concat();
        assert_eq!(
            nonce_sign(&key, &digest, example.k),
            expected,
            "{}: signature",
            example.source
        );
        public
            .verify_digest(&digest, &expected)
            .expect(example.source);
        let fresh = key.sign_digest(&digest).expect("random signature");
        public.verify_digest(&digest, &fresh).expect(example.source);
        assert_ne!(fresh, expected, "a random nonce gives another signature");
    }
}

#[test]
fn scalar_multiplication_examples_of_rfc_8133() {
    // RFC 8133 (SESPAKE) appendix B: multiples of the base point on the CryptoPro curves.
    // (parameter set, k, x of k·P, y of k·P)
    type Multiple = (ParamSet, &'static [u8], &'static [u8], &'static [u8]);
    let cases: &[Multiple] = &[
        (
            ParamSet::CryptoProA,
            &hex!("1F2538097D5A031FA68BBB43C84D12B3DE47B7061C0D5E24993E0C873CDBA6B3"),
            &hex!("BBC77CF42DC1E62D06227935379B4AA4D14FEA4F565DDF4CB4FA4D31579F9676"),
            &hex!("8E16604A4AFDF28246684D4996274781F6CB80ABBBA1414C1513EC988509DABF"),
        ),
        (
            ParamSet::CryptoProA,
            &hex!("DC497D9EF6324912FD367840EE509A2032AEDB1C0A890D133B45F596FCCBD45D"),
            &hex!("6097341C1BE388E83E7CA2DF47FAB86E2271FD942E5B7B2EB2409E49F742BC29"),
            &hex!("C81AA48BDB4CA6FA0EF18B9788AE25FE30857AA681B3942217F9FED151BAB7D0"),
        ),
        (
            ParamSet::CryptoProB,
            &hex!("499D72B90299CAB0DA1F8BE19D9122F622A13B32B730C46BD0664044F2144FAD"),
            &hex!("61D6F916DB717222D74877F179F7EBEF7CD4D24D8C1F523C048E34A1DF30F8DD"),
            &hex!("3EC48863049CFCFE662904082E78503F4973A4E105E2F1B18C69A5E7FB209000"),
        ),
        (
            ParamSet::CryptoProB,
            &hex!("0F69FF614957EF83668EDC2D7ED614BE76F7B253DB23C5CC9C52BF7DF8F4669D"),
            &hex!("33BC6F7E9C0BA10CFB2B72546C327171295508EA97F8C8BA9F890F2478AB4D6C"),
            &hex!("75D57B396C396F492F057E9222CCC686437A2AAD464E452EF426FC8EEED1A4A6"),
        ),
        (
            ParamSet::CryptoProC,
            &hex!("3A54AC3F19AD9D0B1EAC8ACDCEA70E581F1DAC33D13FEAFD81E762378639C1A8"),
            &hex!("96B7F09C94D297C257A7DA48364C0076E59E48D221CBA604AE111CA3933B446A"),
            &hex!("54E4953D86B77ECCEB578500931E822300F7E091F79592CA202A020D762C34A6"),
        ),
        (
            ParamSet::CryptoProC,
            &hex!("448781782BF7C0E52A1DD9E6758FD3482D90D3CFCCF42232CF357E59A4D49FD4"),
            &hex!("4B9C0AB55A938121F282F48A2CC4396EB16E7E0068B495B0C1DD4667786A3EB7"),
            &hex!("223460AA8E09383E9DF9844C5A0F2766484738E5B30128A171B69A77D9509B96"),
        ),
    ];
    for (set, k, x, y) in cases {
        let public = PrivateKey::from_be_bytes(*set, k)
            .expect("scalar")
            .public_key();
        assert_eq!(
            (public.x_be(), public.y_be()),
            (x.to_vec(), y.to_vec()),
            "{}",
            set.name()
        );
    }
}

#[test]
fn vko_2001_example() {
    // Vector of PyGOST's VKO GOST R 34.10-2001 test (test parameter set), keys little-endian.
    let set = ParamSet::Test256;
    let ukm = hex!("5172be25f852a233");
    let a = PrivateKey::from_le_bytes(
        set,
        &hex!("1df129e43dab345b68f6a852f4162dc69f36b2f84717d08755cc5c44150bf928"),
    )
    .expect("key A");
    let b = PrivateKey::from_le_bytes(
        set,
        &hex!("5b9356c6474f913f1e83885ea0edd5df1a43fd9d799d219093241157ac9ed473"),
    )
    .expect("key B");
    let kek = hex!("ee4618a0dbb10cb31777b4b86a53d9e7ef6cb3e400101410f0c0f2af46c494a6");
    assert_eq!(*vko::vko_2001(&a, &b.public_key(), &ukm).expect("VKO"), kek);
    assert_eq!(*vko::vko_2001(&b, &a.public_key(), &ukm).expect("VKO"), kek);
}

#[test]
fn vko_2012_examples_of_rfc_7836() {
    // RFC 7836 appendix A.2 (also R 50.1.113-2016): TC26 512-A keys; keys and UKM little-endian.
    let set = ParamSet::Tc26_512A;
    let ukm = hex!("1d80603c8544c727");
    let a = PrivateKey::from_le_bytes(set, &hex!("c990ecd972fce84ec4db022778f50fcac726f46708384b8d458304962d7147f8c2db41cef22c90b102f2968404f9b9be6d47c79692d81826b32b8daca43cb667")).expect("key A");
    let b = PrivateKey::from_le_bytes(set, &hex!("48c859f7b6f11585887cc05ec6ef1390cfea739b1a18c0d4662293ef63b79e3b8014070b44918590b4b996acfea4edfbbbcccc8c06edd8bf5bda92a51392d0db")).expect("key B");
    let public_a = PublicKey::from_le_bytes(set, &hex!("aab0eda4abff21208d18799fb9a8556654ba783070eba10cb9abb253ec56dcf5d3ccba6192e464e6e5bcb6dea137792f2431f6c897eb1b3c0cc14327b1adc0a7914613a3074e363aedb204d38d3563971bd8758e878c9db11403721b48002d38461f92472d40ea92f9958c0ffa4c93756401b97f89fdbe0b5e46e4a4631cdb5a")).expect("public A");
    let public_b = PublicKey::from_le_bytes(set, &hex!("192fe183b9713a077253c72c8735de2ea42a3dbc66ea317838b65fa32523cd5efca974eda7c863f4954d1147f1f2b25c395fce1c129175e876d132e94ed5a65104883b414c9b592ec4dc84826f07d0b6d9006dda176ce48c391e3f97d102e03bb598bf132a228a45f7201aba08fc524a2d77e43a362ab022ad4028f75bde3b79")).expect("public B");
    assert_eq!(a.public_key(), public_a);
    assert_eq!(b.public_key(), public_b);
    let kek_256 = hex!("c9a9a77320e2cc559ed72dce6f47e2192ccea95fa648670582c054c0ef36c221");
    assert_eq!(
        *vko::vko_2012_256(&a, &public_b, &ukm).expect("VKO"),
        kek_256
    );
    assert_eq!(
        *vko::vko_2012_256(&b, &public_a, &ukm).expect("VKO"),
        kek_256
    );
    let kek_512 = hex!(
        "79f002a96940ce7bde3259a52e015297adaad84597a0d205b50e3e1719f97bfa7ee1d2661fa9979a5aa235b558a7e6d9f88f982dd63fc35a8ec0dd5e242d3bdf"
    );
    assert_eq!(
        *vko::vko_2012_512(&a, &public_b, &ukm).expect("VKO"),
        kek_512
    );
    assert_eq!(
        *vko::vko_2012_512(&b, &public_a, &ukm).expect("VKO"),
        kek_512
    );
}

#[test]
fn bad_keys_and_signatures_are_typed_errors() {
    let set = ParamSet::Tc26_256A;
    assert!(matches!(
        PrivateKey::from_le_bytes(set, &[0; 32]),
        Err(CryptoError::PrivateKeyOutOfRange)
    ));
    assert!(matches!(
        PrivateKey::from_le_bytes(set, &[1; 31]),
        Err(CryptoError::Length { .. })
    ));
    // q itself reduces to zero.
    let q = reversed(&hex!(
        "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67"
    ));
    assert!(matches!(
        PrivateKey::from_le_bytes(set, &q),
        Err(CryptoError::PrivateKeyOutOfRange)
    ));

    let key = PrivateKey::generate(set).expect("key");
    let public = key.public_key();
    let mut off_curve = public.to_le_bytes().to_vec();
    off_curve[0] ^= 1;
    assert_eq!(
        PublicKey::from_le_bytes(set, &off_curve),
        Err(CryptoError::PublicKeyInvalid)
    );
    assert_eq!(
        PublicKey::from_le_bytes(set, &[0xff; 64]),
        Err(CryptoError::PublicKeyInvalid)
    );
    assert_eq!(
        PublicKey::from_le_bytes(set, &[0; 64]),
        Err(CryptoError::PublicKeyInvalid)
    );
    assert!(matches!(
        PublicKey::from_le_bytes(set, &[0; 63]),
        Err(CryptoError::Length { .. })
    ));

    let digest = [7u8; 32];
    let signature = key.sign_digest(&digest).expect("signature");
    public.verify_digest(&digest, &signature).expect("verifies");
    let mut tampered = signature.clone();
    tampered[10] ^= 0x40;
    assert_eq!(
        public.verify_digest(&digest, &tampered),
        Err(CryptoError::BadSignature)
    );
    assert_eq!(
        public.verify_digest(&[8u8; 32], &signature),
        Err(CryptoError::BadSignature)
    );
    assert_eq!(
        public.verify_digest(&digest, &[0; 64]),
        Err(CryptoError::BadSignature)
    );
    assert!(matches!(
        public.verify_digest(&digest, &signature[..63]),
        Err(CryptoError::Length { .. })
    ));
    assert!(matches!(
        key.sign_digest(&[0; 64]),
        Err(CryptoError::Length { .. })
    ));

    let other = PrivateKey::generate(ParamSet::CryptoProA).expect("key");
    assert_eq!(
        vko::vko_2012_256(&other, &public, &[1]).err(),
        Some(CryptoError::ParamSetMismatch)
    );
    assert_eq!(
        vko::vko_2012_256(&key, &public, &[0, 0]).err(),
        Some(CryptoError::ZeroUkm)
    );
    assert!(!format!("{key:?}").contains(&super::r3410::hex(&key.to_le_bytes())));
}

/// A small deterministic generator, so that the random-input test is repeatable.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = (self.next() % (max_len as u64 + 1)) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

#[test]
fn random_input_gives_typed_errors_and_never_panics() {
    use super::gost28147::{Sbox, unwrap_cryptopro};
    use super::r3413::{Ctr, kimp15};

    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for round in 0..400 {
        let set = ParamSet::ALL[round % ParamSet::ALL.len()];
        let len = set.coordinate_len();
        // A random string of the right length is a point of the curve with negligible probability.
        let mut point = rng.bytes(2 * len + 3);
        if round % 2 == 0 {
            point.resize(2 * len, 0x5c);
            point[0] ^= rng.next() as u8;
        }
        assert!(
            PublicKey::from_le_bytes(set, &point).is_err(),
            "{}",
            set.name()
        );
        let _ = PrivateKey::from_le_bytes(set, &rng.bytes(len + 2));

        let key = PrivateKey::from_le_bytes(set, &[0x11; 64][..len]).expect("fixed key");
        let public = key.public_key();
        let digest = rng.bytes(len + 1);
        let signature = rng.bytes(2 * len + 1);
        assert!(public.verify_digest(&digest, &signature).is_err());

        let kek = [0x42u8; 32];
        assert!(unwrap_cryptopro(&kek, &rng.bytes(50), Sbox::CryptoProA).is_err());
        assert!(
            kimp15::<kuznyechik::Kuznyechik>(&rng.bytes(60), &kek, &kek, &rng.bytes(9)).is_err()
        );
        let iv = rng.bytes(10);
        if let Ok(mut ctr) = Ctr::<magma::Magma>::new(&kek, &iv) {
            assert_eq!(iv.len(), 4);
            ctr.apply(&mut rng.bytes(40));
        }
    }
}

#[test]
fn streebog_examples_of_gost_r_34_11_2012() {
    use super::{Digest, Streebog256, Streebog512};
    // GOST R 34.11-2012 appendix A (RFC 6986 section 10): M1 and M2, results as byte strings.
    let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
    assert_eq!(
        Streebog512::digest(m1)[..],
        hex!(
            "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
            "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
        )
    );
    assert_eq!(
        Streebog256::digest(m1)[..],
        hex!("9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500")
    );
    let m2 = hex!(
        "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f1"
        "20eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
    );
    assert_eq!(
        Streebog512::digest(m2)[..],
        hex!(
            "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376"
            "035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
        )
    );
    assert_eq!(
        Streebog256::digest(m2)[..],
        hex!("9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50")
    );
}
