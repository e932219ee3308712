//! GOST R 34.11-2012 "Streebog" (RFC 6986), 256 and 512 bits, for bulk hashing (documents,
//! signed content): the compression function's two chains — the round keys K₁…K₁₃ and the
//! message's transformation — are independent within a round, so each round computes both
//! LPS transformations in one pass ([`round`]), their table look-ups side by side.
//!
//! The constants — π, the matrix A of the linear transformation ℓ and the iteration constants
//! C₁…C₁₂ — are the standard's published figures (GOST R 34.11-2012; RFC 6986 section 6), taken
//! as data from the RustCrypto `streebog` crate 0.11 (MIT OR Apache-2.0), which lists them in the
//! byte order used here (a 512-bit vector as eight little-endian 64-bit words). The table that
//! folds π, the transposition τ and ℓ into eight look-ups per output word is computed from them
//! at compile time. The tests check the standard's examples and the crate on random input.

/// π, the substitution (RFC 6986 section 6.2).
const PI: [u8; 256] = [
    252, 238, 221, 17, 207, 110, 49, 22, 251, 196, 250, 218, 35, 197, 4, 77, 233, 119, 240, 219,
    147, 46, 153, 186, 23, 54, 241, 187, 20, 205, 95, 193, 249, 24, 101, 90, 226, 92, 239, 33, 129,
    28, 60, 66, 139, 1, 142, 79, 5, 132, 2, 174, 227, 106, 143, 160, 6, 11, 237, 152, 127, 212,
    211, 31, 235, 52, 44, 81, 234, 200, 72, 171, 242, 42, 104, 162, 253, 58, 206, 204, 181, 112,
    14, 86, 8, 12, 118, 18, 191, 114, 19, 71, 156, 183, 93, 135, 21, 161, 150, 41, 16, 123, 154,
    199, 243, 145, 120, 111, 157, 158, 178, 177, 50, 117, 25, 61, 255, 53, 138, 126, 109, 84, 198,
    128, 195, 189, 13, 87, 223, 245, 36, 169, 62, 168, 67, 201, 215, 121, 214, 246, 124, 34, 185,
    3, 224, 15, 236, 222, 122, 148, 176, 188, 220, 232, 40, 80, 78, 51, 10, 74, 167, 151, 96, 115,
    30, 0, 98, 68, 26, 184, 56, 130, 100, 159, 38, 65, 173, 69, 70, 146, 39, 94, 85, 47, 140, 163,
    165, 125, 105, 213, 149, 59, 7, 88, 179, 64, 134, 172, 29, 247, 48, 55, 107, 228, 136, 217,
    231, 137, 225, 27, 131, 73, 76, 63, 248, 254, 141, 83, 170, 144, 202, 216, 133, 97, 32, 113,
    103, 164, 45, 43, 9, 91, 203, 155, 37, 208, 190, 229, 108, 82, 89, 166, 116, 210, 230, 244,
    180, 192, 209, 102, 175, 194, 57, 75, 99, 182,
];

/// The linear transformation ℓ's matrix A (RFC 6986 section 6.4), a row per bit.
const A: [u64; 64] = [
    0x641c314b2b8ee083,
    0xc83862965601dd1b,
    0x8d70c431ac02a736,
    0x07e095624504536c,
    0x0edd37c48a08a6d8,
    0x1ca76e95091051ad,
    0x3853dc371220a247,
    0x70a6a56e2440598e,
    0xa48b474f9ef5dc18,
    0x550b8e9e21f7a530,
    0xaa16012142f35760,
    0x492c024284fbaec0,
    0x9258048415eb419d,
    0x39b008152acb8227,
    0x727d102a548b194e,
    0xe4fa2054a80b329c,
    0xf97d86d98a327728,
    0xeffa11af0964ee50,
    0xc3e9224312c8c1a0,
    0x9bcf4486248d9f5d,
    0x2b838811480723ba,
    0x561b0d22900e4669,
    0xac361a443d1c8cd2,
    0x456c34887a3805b9,
    0x5b068c651810a89e,
    0xb60c05ca30204d21,
    0x71180a8960409a42,
    0xe230140fc0802984,
    0xd960281e9d1d5215,
    0xafc0503c273aa42a,
    0x439da0784e745554,
    0x86275df09ce8aaa8,
    0x0321658cba93c138,
    0x0642ca05693b9f70,
    0x0c84890ad27623e0,
    0x18150f14b9ec46dd,
    0x302a1e286fc58ca7,
    0x60543c50de970553,
    0xc0a878a0a1330aa6,
    0x9d4df05d5f661451,
    0xaccc9ca9328a8950,
    0x4585254f64090fa0,
    0x8a174a9ec8121e5d,
    0x092e94218d243cba,
    0x125c354207487869,
    0x24b86a840e90f0d2,
    0x486dd4151c3dfdb9,
    0x90dab52a387ae76f,
    0x46b60f011a83988e,
    0x8c711e02341b2d01,
    0x05e23c0468365a02,
    0x0ad97808d06cb404,
    0x14aff010bdd87508,
    0x2843fd2067adea10,
    0x5086e740ce47c920,
    0xa011d380818e8f40,
    0x83478b07b2468764,
    0x1b8e0b0e798c13c8,
    0x3601161cf205268d,
    0x6c022c38f90a4c07,
    0xd8045870ef14980e,
    0xad08b0e0c3282d1c,
    0x47107ddd9b505a38,
    0x8e20faa72ba0b470,
];

/// The iteration constants C1..C12 (RFC 6986 section 6.5), as bytes in the order used here.
const C: [[u8; 64]; 12] = [
    [
        0x07, 0x45, 0xa6, 0xf2, 0x59, 0x65, 0x80, 0xdd, 0x23, 0x4d, 0x74, 0xcc, 0x36, 0x74, 0x76,
        0x05, 0x15, 0xd3, 0x60, 0xa4, 0x08, 0x2a, 0x42, 0xa2, 0x01, 0x69, 0x67, 0x92, 0x91, 0xe0,
        0x7c, 0x4b, 0xfc, 0xc4, 0x85, 0x75, 0x8d, 0xb8, 0x4e, 0x71, 0x16, 0xd0, 0x45, 0x2e, 0x43,
        0x76, 0x6a, 0x2f, 0x1f, 0x7c, 0x65, 0xc0, 0x81, 0x2f, 0xcb, 0xeb, 0xe9, 0xda, 0xca, 0x1e,
        0xda, 0x5b, 0x08, 0xb1,
    ],
    [
        0xb7, 0x9b, 0xb1, 0x21, 0x70, 0x04, 0x79, 0xe6, 0x56, 0xcd, 0xcb, 0xd7, 0x1b, 0xa2, 0xdd,
        0x55, 0xca, 0xa7, 0x0a, 0xdb, 0xc2, 0x61, 0xb5, 0x5c, 0x58, 0x99, 0xd6, 0x12, 0x6b, 0x17,
        0xb5, 0x9a, 0x31, 0x01, 0xb5, 0x16, 0x0f, 0x5e, 0xd5, 0x61, 0x98, 0x2b, 0x23, 0x0a, 0x72,
        0xea, 0xfe, 0xf3, 0xd7, 0xb5, 0x70, 0x0f, 0x46, 0x9d, 0xe3, 0x4f, 0x1a, 0x2f, 0x9d, 0xa9,
        0x8a, 0xb5, 0xa3, 0x6f,
    ],
    [
        0xb2, 0x0a, 0xba, 0x0a, 0xf5, 0x96, 0x1e, 0x99, 0x31, 0xdb, 0x7a, 0x86, 0x43, 0xf4, 0xb6,
        0xc2, 0x09, 0xdb, 0x62, 0x60, 0x37, 0x3a, 0xc9, 0xc1, 0xb1, 0x9e, 0x35, 0x90, 0xe4, 0x0f,
        0xe2, 0xd3, 0x7b, 0x7b, 0x29, 0xb1, 0x14, 0x75, 0xea, 0xf2, 0x8b, 0x1f, 0x9c, 0x52, 0x5f,
        0x5e, 0xf1, 0x06, 0x35, 0x84, 0x3d, 0x6a, 0x28, 0xfc, 0x39, 0x0a, 0xc7, 0x2f, 0xce, 0x2b,
        0xac, 0xdc, 0x74, 0xf5,
    ],
    [
        0x2e, 0xd1, 0xe3, 0x84, 0xbc, 0xbe, 0x0c, 0x22, 0xf1, 0x37, 0xe8, 0x93, 0xa1, 0xea, 0x53,
        0x34, 0xbe, 0x03, 0x52, 0x93, 0x33, 0x13, 0xb7, 0xd8, 0x75, 0xd6, 0x03, 0xed, 0x82, 0x2c,
        0xd7, 0xa9, 0x3f, 0x35, 0x5e, 0x68, 0xad, 0x1c, 0x72, 0x9d, 0x7d, 0x3c, 0x5c, 0x33, 0x7e,
        0x85, 0x8e, 0x48, 0xdd, 0xe4, 0x71, 0x5d, 0xa0, 0xe1, 0x48, 0xf9, 0xd2, 0x66, 0x15, 0xe8,
        0xb3, 0xdf, 0x1f, 0xef,
    ],
    [
        0x57, 0xfe, 0x6c, 0x7c, 0xfd, 0x58, 0x17, 0x60, 0xf5, 0x63, 0xea, 0xa9, 0x7e, 0xa2, 0x56,
        0x7a, 0x16, 0x1a, 0x27, 0x23, 0xb7, 0x00, 0xff, 0xdf, 0xa3, 0xf5, 0x3a, 0x25, 0x47, 0x17,
        0xcd, 0xbf, 0xbd, 0xff, 0x0f, 0x80, 0xd7, 0x35, 0x9e, 0x35, 0x4a, 0x10, 0x86, 0x16, 0x1f,
        0x1c, 0x15, 0x7f, 0x63, 0x23, 0xa9, 0x6c, 0x0c, 0x41, 0x3f, 0x9a, 0x99, 0x47, 0x47, 0xad,
        0xac, 0x6b, 0xea, 0x4b,
    ],
    [
        0x6e, 0x7d, 0x64, 0x46, 0x7a, 0x40, 0x68, 0xfa, 0x35, 0x4f, 0x90, 0x36, 0x72, 0xc5, 0x71,
        0xbf, 0xb6, 0xc6, 0xbe, 0xc2, 0x66, 0x1f, 0xf2, 0x0a, 0xb4, 0xb7, 0x9a, 0x1c, 0xb7, 0xa6,
        0xfa, 0xcf, 0xc6, 0x8e, 0xf0, 0x9a, 0xb4, 0x9a, 0x7f, 0x18, 0x6c, 0xa4, 0x42, 0x51, 0xf9,
        0xc4, 0x66, 0x2d, 0xc0, 0x39, 0x30, 0x7a, 0x3b, 0xc3, 0xa4, 0x6f, 0xd9, 0xd3, 0x3a, 0x1d,
        0xae, 0xae, 0x4f, 0xae,
    ],
    [
        0x93, 0xd4, 0x14, 0x3a, 0x4d, 0x56, 0x86, 0x88, 0xf3, 0x4a, 0x3c, 0xa2, 0x4c, 0x45, 0x17,
        0x35, 0x04, 0x05, 0x4a, 0x28, 0x83, 0x69, 0x47, 0x06, 0x37, 0x2c, 0x82, 0x2d, 0xc5, 0xab,
        0x92, 0x09, 0xc9, 0x93, 0x7a, 0x19, 0x33, 0x3e, 0x47, 0xd3, 0xc9, 0x87, 0xbf, 0xe6, 0xc7,
        0xc6, 0x9e, 0x39, 0x54, 0x09, 0x24, 0xbf, 0xfe, 0x86, 0xac, 0x51, 0xec, 0xc5, 0xaa, 0xee,
        0x16, 0x0e, 0xc7, 0xf4,
    ],
    [
        0x1e, 0xe7, 0x02, 0xbf, 0xd4, 0x0d, 0x7f, 0xa4, 0xd9, 0xa8, 0x51, 0x59, 0x35, 0xc2, 0xac,
        0x36, 0x2f, 0xc4, 0xa5, 0xd1, 0x2b, 0x8d, 0xd1, 0x69, 0x90, 0x06, 0x9b, 0x92, 0xcb, 0x2b,
        0x89, 0xf4, 0x9a, 0xc4, 0xdb, 0x4d, 0x3b, 0x44, 0xb4, 0x89, 0x1e, 0xde, 0x36, 0x9c, 0x71,
        0xf8, 0xb7, 0x4e, 0x41, 0x41, 0x6e, 0x0c, 0x02, 0xaa, 0xe7, 0x03, 0xa7, 0xc9, 0x93, 0x4d,
        0x42, 0x5b, 0x1f, 0x9b,
    ],
    [
        0xdb, 0x5a, 0x23, 0x83, 0x51, 0x44, 0x61, 0x72, 0x60, 0x2a, 0x1f, 0xcb, 0x92, 0xdc, 0x38,
        0x0e, 0x54, 0x9c, 0x07, 0xa6, 0x9a, 0x8a, 0x2b, 0x7b, 0xb1, 0xce, 0xb2, 0xdb, 0x0b, 0x44,
        0x0a, 0x80, 0x84, 0x09, 0x0d, 0xe0, 0xb7, 0x55, 0xd9, 0x3c, 0x24, 0x42, 0x89, 0x25, 0x1b,
        0x3a, 0x7d, 0x3a, 0xde, 0x5f, 0x16, 0xec, 0xd8, 0x9a, 0x4c, 0x94, 0x9b, 0x22, 0x31, 0x16,
        0x54, 0x5a, 0x8f, 0x37,
    ],
    [
        0xed, 0x9c, 0x45, 0x98, 0xfb, 0xc7, 0xb4, 0x74, 0xc3, 0xb6, 0x3b, 0x15, 0xd1, 0xfa, 0x98,
        0x36, 0xf4, 0x52, 0x76, 0x3b, 0x30, 0x6c, 0x1e, 0x7a, 0x4b, 0x33, 0x69, 0xaf, 0x02, 0x67,
        0xe7, 0x9f, 0x03, 0x61, 0x33, 0x1b, 0x8a, 0xe1, 0xff, 0x1f, 0xdb, 0x78, 0x8a, 0xff, 0x1c,
        0xe7, 0x41, 0x89, 0xf3, 0xf3, 0xe4, 0xb2, 0x48, 0xe5, 0x2a, 0x38, 0x52, 0x6f, 0x05, 0x80,
        0xa6, 0xde, 0xbe, 0xab,
    ],
    [
        0x1b, 0x2d, 0xf3, 0x81, 0xcd, 0xa4, 0xca, 0x6b, 0x5d, 0xd8, 0x6f, 0xc0, 0x4a, 0x59, 0xa2,
        0xde, 0x98, 0x6e, 0x47, 0x7d, 0x1d, 0xcd, 0xba, 0xef, 0xca, 0xb9, 0x48, 0xea, 0xef, 0x71,
        0x1d, 0x8a, 0x79, 0x66, 0x84, 0x14, 0x21, 0x80, 0x01, 0x20, 0x61, 0x07, 0xab, 0xeb, 0xbb,
        0x6b, 0xfa, 0xd8, 0x94, 0xfe, 0x5a, 0x63, 0xcd, 0xc6, 0x02, 0x30, 0xfb, 0x89, 0xc8, 0xef,
        0xd0, 0x9e, 0xcd, 0x7b,
    ],
    [
        0x20, 0xd7, 0x1b, 0xf1, 0x4a, 0x92, 0xbc, 0x48, 0x99, 0x1b, 0xb2, 0xd9, 0xd5, 0x17, 0xf4,
        0xfa, 0x52, 0x28, 0xe1, 0x88, 0xaa, 0xa4, 0x1d, 0xe7, 0x86, 0xcc, 0x91, 0x18, 0x9d, 0xef,
        0x80, 0x5d, 0x9b, 0x9f, 0x21, 0x30, 0xd4, 0x12, 0x20, 0xf8, 0x77, 0x1d, 0xdf, 0xbc, 0x32,
        0x3c, 0xa4, 0xcd, 0x7a, 0xb1, 0x49, 0x04, 0xb0, 0x80, 0x13, 0xd2, 0xba, 0x31, 0x16, 0xf1,
        0x67, 0xe7, 0x8e, 0x37,
    ],
];

/// C₁…C₁₂ as words.
const C64: [[u64; 8]; 12] = {
    let mut words = [[0u64; 8]; 12];
    let mut i = 0;
    while i < 12 {
        let mut j = 0;
        while j < 8 {
            let mut bytes = [0u8; 8];
            let mut k = 0;
            while k < 8 {
                bytes[k] = C[i][8 * j + k];
                k += 1;
            }
            words[i][j] = u64::from_le_bytes(bytes);
            j += 1;
        }
        i += 1;
    }
    words
};

/// `TABLE[j][b]`: ℓ of the word whose byte `j` is π(b) and whose other bytes are zero, after τ
/// has brought it there: the XOR of A's rows for the set bits of π(b).
static TABLE: [[u64; 256]; 8] = {
    let mut table = [[0u64; 256]; 8];
    let mut j = 0;
    while j < 8 {
        let mut b = 0;
        while b < 256 {
            let mut sum = 0u64;
            let mut bit = 0;
            while bit < 8 {
                if PI[b] & (1 << bit) != 0 {
                    sum ^= A[8 * j + bit];
                }
                bit += 1;
            }
            table[j][b] = sum;
            b += 1;
        }
        j += 1;
    }
    table
};

/// One round of the compression's two chains in one pass: the message state becomes
/// LPS(state ⊕ K) and the key LPS(K ⊕ C), both from the same K. The inputs are read as bytes from
/// memory (a byte load each) rather than shifted out of registers: fewer instructions per
/// look-up, and the registers stay free for the two sums.
#[inline(always)]
fn round(state: &mut [u64; 8], key: &mut [u64; 8], constant: &[u64; 8]) {
    let first: [[u8; 8]; 8] = std::array::from_fn(|j| (state[j] ^ key[j]).to_le_bytes());
    let second: [[u8; 8]; 8] = std::array::from_fn(|j| (key[j] ^ constant[j]).to_le_bytes());
    for i in 0..8 {
        let (mut p, mut q) = (0u64, 0u64);
        for j in 0..8 {
            p ^= TABLE[j][first[j][i] as usize];
            q ^= TABLE[j][second[j][i] as usize];
        }
        state[i] = p;
        key[i] = q;
    }
}

/// LPS(a ⊕ x).
#[inline(always)]
fn lps(a: &mut [u64; 8], x: &[u64; 8]) {
    let input: [[u8; 8]; 8] = std::array::from_fn(|j| (a[j] ^ x[j]).to_le_bytes());
    for i in 0..8 {
        let mut p = 0u64;
        for j in 0..8 {
            p ^= TABLE[j][input[j][i] as usize];
        }
        a[i] = p;
    }
}

/// The compression function g_N(h, m) = E(LPS(h ⊕ N), m) ⊕ h ⊕ m.
fn compress(h: &mut [u64; 8], n: &[u64; 8], m: &[u64; 8]) {
    let mut key = *h;
    lps(&mut key, n);
    let mut state = *m;
    for constant in &C64 {
        round(&mut state, &mut key, constant);
    }
    for i in 0..8 {
        h[i] ^= state[i] ^ key[i] ^ m[i];
    }
}

/// Adds `value` to the 512-bit number `sum` (modulo 2⁵¹²).
fn add_512(sum: &mut [u64; 8], value: &[u64; 8]) {
    let mut carry = false;
    for (word, add) in sum.iter_mut().zip(value) {
        let (partial, first) = word.overflowing_add(*add);
        let (total, second) = partial.overflowing_add(u64::from(carry));
        *word = total;
        carry = first || second;
    }
}

fn words(block: &[u8; 64]) -> [u64; 8] {
    std::array::from_fn(|i| {
        u64::from_le_bytes(block[8 * i..8 * i + 8].try_into().unwrap_or([0; 8]))
    })
}

/// A Streebog hash being computed; data may come in pieces of any size.
#[derive(Clone)]
pub struct Streebog {
    h: [u64; 8],
    n: [u64; 8],
    sigma: [u64; 8],
    buffer: [u8; 64],
    buffered: usize,
    size: Size,
}

/// The digest's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// 256 bits (32 bytes).
    Bits256,
    /// 512 bits (64 bytes).
    Bits512,
}

impl Streebog {
    /// A new hash of `size`.
    pub fn new(size: Size) -> Self {
        let start = match size {
            Size::Bits256 => 0x0101_0101_0101_0101,
            Size::Bits512 => 0,
        };
        Self {
            h: [start; 8],
            n: [0; 8],
            sigma: [0; 8],
            buffer: [0; 64],
            buffered: 0,
            size,
        }
    }

    fn block(&mut self, block: &[u8; 64], bits: u64) {
        let m = words(block);
        compress(&mut self.h, &self.n, &m);
        add_512(&mut self.n, &[bits, 0, 0, 0, 0, 0, 0, 0]);
        add_512(&mut self.sigma, &m);
    }

    /// Hashes `data` after what came before.
    pub fn update(&mut self, mut data: &[u8]) {
        if self.buffered > 0 {
            let take = (64 - self.buffered).min(data.len());
            self.buffer[self.buffered..self.buffered + take].copy_from_slice(&data[..take]);
            self.buffered += take;
            data = &data[take..];
            if self.buffered < 64 {
                return;
            }
            let block = self.buffer;
            self.block(&block, 512);
            self.buffered = 0;
        }
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            let block: &[u8; 64] = block.try_into().unwrap_or(&[0; 64]);
            self.block(block, 512);
        }
        let rest = blocks.remainder();
        self.buffer[..rest.len()].copy_from_slice(rest);
        self.buffered = rest.len();
    }

    /// The digest, in the byte order certificates, signatures and OpenSSL use (32 or 64 bytes).
    pub fn finalize(mut self) -> Vec<u8> {
        let mut last = [0u8; 64];
        last[..self.buffered].copy_from_slice(&self.buffer[..self.buffered]);
        last[self.buffered] = 1;
        let bits = 8 * self.buffered as u64;
        self.block(&last, bits);
        let zero = [0u64; 8];
        let (n, sigma) = (self.n, self.sigma);
        compress(&mut self.h, &zero, &n);
        compress(&mut self.h, &zero, &sigma);
        let bytes: Vec<u8> = self.h.iter().flat_map(|word| word.to_le_bytes()).collect();
        match self.size {
            Size::Bits256 => bytes[32..].to_vec(),
            Size::Bits512 => bytes,
        }
    }

    /// The 256-bit digest of `data`.
    pub fn digest_256(data: &[u8]) -> [u8; 32] {
        let mut hash = Self::new(Size::Bits256);
        hash.update(data);
        let mut out = [0u8; 32];
        out.copy_from_slice(&hash.finalize());
        out
    }

    /// The 512-bit digest of `data`.
    pub fn digest_512(data: &[u8]) -> [u8; 64] {
        let mut hash = Self::new(Size::Bits512);
        hash.update(data);
        let mut out = [0u8; 64];
        out.copy_from_slice(&hash.finalize());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use digest::Digest;
    use hex_literal::hex;

    /// GOST R 34.11-2012's examples (RFC 6986 section 10): M1, 63 bytes of digits, and M2,
    /// 72 bytes of Cyrillic in Windows-1251, as byte strings (reversed from the standard's
    /// notation, as every implementation writes them).
    #[test]
    fn the_standards_examples() {
        let m1 = b"012345678901234567890123456789012345678901234567890123456789012";
        assert_eq!(
            Streebog::digest_512(m1),
            hex!(
                "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa"
                "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
            )
        );
        assert_eq!(
            Streebog::digest_256(m1),
            hex!("9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500")
        );
        let m2 = hex!(
            "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f1"
            "20eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb"
        );
        assert_eq!(
            Streebog::digest_512(&m2),
            hex!(
                "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376"
                "035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
            )
        );
        assert_eq!(
            Streebog::digest_256(&m2),
            hex!("9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50")
        );
    }

    /// The same digests as the `streebog` crate, for every length around the block size and for
    /// random data fed in random pieces.
    #[test]
    fn the_same_as_the_streebog_crate_on_random_input() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let data: Vec<u8> = (0..5_000).map(|_| next() as u8).collect();
        for length in (0..200).chain([511, 512, 513, 4_095, 4_096, 5_000]) {
            let input = &data[..length];
            assert_eq!(
                Streebog::digest_256(input)[..],
                ::streebog::Streebog256::digest(input)[..],
                "{length}"
            );
            assert_eq!(
                Streebog::digest_512(input)[..],
                ::streebog::Streebog512::digest(input)[..],
                "{length}"
            );
        }
        let mut hash = Streebog::new(Size::Bits256);
        let mut at = 0;
        while at < data.len() {
            let end = (at + (next() % 300) as usize).min(data.len());
            hash.update(&data[at..end]);
            at = end;
        }
        assert_eq!(
            hash.finalize()[..],
            ::streebog::Streebog256::digest(&data)[..]
        );
    }
}
