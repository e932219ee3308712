//! Elliptic curve arithmetic over the GOST R 34.10 curves, in constant time.
//!
//! Field elements are plain words in Montgomery form with the modulus kept once in the curve
//! ([`super::field`]; one type serves every parameter set of a size). Points are kept in projective coordinates and added with the
//! complete formulas of Renes, Costello and Batina ("Complete addition formulas for prime order
//! elliptic curves", 2016, algorithm 1, any `a`): the same sequence of field operations whatever the
//! inputs, with no exceptional case for doubling or the point at infinity. They are complete on the
//! odd-order subgroup every key and signature lives in, also on the cofactor-4 curves TC26 256-A and
//! 512-C.
//!
//! Multiples of the base point (key generation, signing) come from tables computed once per curve:
//! the scalar is recoded into signed 5-bit digits (−16 … 15), and for every window i the table holds
//! j · 32^i · P for j = 1 … 16 in affine form, so a signature costs one mixed addition (the same
//! formulas with Z₂ = 1, algorithm 2 of the paper) per window: 52 for 256-bit scalars, 103 for
//! 512-bit. A negative digit negates y; a zero digit adds an entry and keeps the sum from before,
//! by selection. Other points get a 16-entry table of 4-bit windows per multiplication. Every table
//! look-up reads all entries and keeps the wanted one with constant-time selection, so no branch and
//! no memory address depends on a secret digit.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Choice, NonZero, Odd, Uint, Word};

use super::field::{Fe, Field};
use super::params::{ParamSet, RawParams};

/// An integer modulo the subgroup order q (`crypto-bigint`'s Montgomery form: a few operations per
/// signature, not worth a type of their own).
pub(crate) type Scalar<const L: usize> = FixedMontyForm<L>;

/// A curve with its parameters in the forms the arithmetic needs.
#[derive(Clone, Debug)]
pub(crate) struct Curve<const L: usize> {
    pub set: ParamSet,
    field: Field<L>,
    pub p: Odd<Uint<L>>,
    a: Fe<L>,
    /// a = −3 (CryptoPro A, B, C and TC26 512-A, B), which saves multiplications.
    a_is_minus_3: bool,
    b: Fe<L>,
    /// 3·b, used by the complete addition formulas.
    b3: Fe<L>,
    /// The subgroup order q, and arithmetic modulo q.
    pub q: Odd<Uint<L>>,
    pub scalars: FixedMontyParams<L>,
    pub cofactor: u32,
    /// base_table[i][j] = (j + 1) · 32^i · base, affine.
    base_table: Vec<[Affine<L>; BASE_ENTRIES]>,
}

/// Bits per window of a base point multiplication (digits −16 … 15).
const BASE_WINDOW: u32 = 5;
/// Entries per window table: the magnitudes 1 … 2^(BASE_WINDOW − 1).
const BASE_ENTRIES: usize = 1 << (BASE_WINDOW - 1);

/// A point in projective coordinates (X : Y : Z); the point at infinity is (0 : 1 : 0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

/// An affine point (x, y) other than infinity: the entries of the base point's tables.
#[derive(Clone, Copy, Debug)]
struct Affine<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
}

/// Big-endian hex of a trusted constant to an integer.
pub(crate) fn from_hex<const L: usize>(hex: &str) -> Uint<L> {
    let mut bytes = vec![0u8; L * crypto_bigint::Limb::BYTES];
    let digits = hex.as_bytes();
    assert!(
        digits.len().is_multiple_of(2) && digits.len() / 2 <= bytes.len(),
        "parameter constant length"
    );
    let offset = bytes.len() - digits.len() / 2;
    for (index, pair) in digits.chunks(2).enumerate() {
        let text = std::str::from_utf8(pair).expect("ASCII hex");
        bytes[offset + index] =
            u8::from_str_radix(text, 16).expect("hex digit in a parameter constant");
    }
    Uint::from_be_slice(&bytes)
}

impl<const L: usize> Curve<L> {
    /// Builds the curve of `set` and checks it: the base point lies on the curve and has order q.
    /// The constants are the standards' own, so a failure is a programming error.
    pub fn new(set: ParamSet) -> Self {
        let raw: &RawParams = set.raw();
        let p = Odd::new(from_hex::<L>(raw.p)).expect("p is odd");
        let field = Field::new(p);
        let q = Odd::new(from_hex::<L>(raw.q)).expect("q is odd");
        let scalars = FixedMontyParams::new(q);
        let a = field.element(&from_hex::<L>(raw.a));
        let b = field.element(&from_hex::<L>(raw.b));
        let b3 = field.add(&field.add(&b, &b), &b);
        let a_is_minus_3 = field.add(&a, &field.element(&Uint::from_u64(3))) == field.zero();
        let base = Point {
            x: field.element(&from_hex::<L>(raw.x)),
            y: field.element(&from_hex::<L>(raw.y)),
            z: field.one(),
        };
        let mut curve = Self {
            set,
            field,
            p,
            a,
            a_is_minus_3,
            b,
            b3,
            q,
            scalars,
            cofactor: raw.cofactor,
            base_table: Vec::new(),
        };
        curve.base_table = curve.base_tables(&base);
        assert!(
            curve.is_on_curve(&base),
            "{}: base point not on the curve",
            set.name()
        );
        assert!(
            curve.mul_base(&q.get()).is_identity() && curve.mul(&base, &q.get()).is_identity(),
            "{}: base point order is not q",
            set.name()
        );
        curve
    }

    pub fn identity(&self) -> Point<L> {
        Point {
            x: self.field.zero(),
            y: self.field.one(),
            z: self.field.zero(),
        }
    }

    /// The affine point (x, y), both already reduced below p.
    pub fn point(&self, x: &Uint<L>, y: &Uint<L>) -> Point<L> {
        Point {
            x: self.field.element(x),
            y: self.field.element(y),
            z: self.field.one(),
        }
    }

    /// Whether the projective point satisfies Y²Z = X³ + aXZ² + bZ³.
    pub fn is_on_curve(&self, point: &Point<L>) -> bool {
        let f = &self.field;
        let Point { x, y, z } = point;
        let z2 = f.square(z);
        let left = f.mul(&f.square(y), z);
        let x3 = f.mul(&f.square(x), x);
        let axz2 = f.mul(&f.mul(&self.a, x), &z2);
        let bz3 = f.mul(&f.mul(&self.b, &z2), z);
        let right = f.add(&f.add(&x3, &axz2), &bz3);
        left == right
    }

    /// P + Q by RCB16 algorithm 1.
    pub fn add(&self, p1: &Point<L>, p2: &Point<L>) -> Point<L> {
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2, z2) = (&p2.x, &p2.y, &p2.z);
        let f = &self.field;
        let t0 = f.mul(x1, x2);
        let t1 = f.mul(y1, y2);
        let t2 = f.mul(z1, z2);
        let mut t3 = f.mul(&f.add(x1, y1), &f.add(x2, y2));
        t3 = f.sub(&t3, &f.add(&t0, &t1));
        let mut t4 = f.mul(&f.add(x1, z1), &f.add(x2, z2));
        t4 = f.sub(&t4, &f.add(&t0, &t2));
        let mut t5 = f.mul(&f.add(y1, z1), &f.add(y2, z2));
        t5 = f.sub(&t5, &f.add(&t1, &t2));
        self.add_tail([t0, t1, t2, t3, t4, t5])
    }

    /// P + Q for an affine Q (Z₂ = 1): RCB16 algorithm 2, complete as long as Q is not infinity.
    fn add_affine(&self, p1: &Point<L>, p2: &Affine<L>) -> Point<L> {
        let (x1, y1, z1) = (&p1.x, &p1.y, &p1.z);
        let (x2, y2) = (&p2.x, &p2.y);
        let f = &self.field;
        let t0 = f.mul(x1, x2);
        let t1 = f.mul(y1, y2);
        let mut t3 = f.mul(&f.add(x1, y1), &f.add(x2, y2));
        t3 = f.sub(&t3, &f.add(&t0, &t1));
        let t4 = f.add(&f.mul(x2, z1), x1);
        let t5 = f.add(&f.mul(y2, z1), y1);
        self.add_tail([t0, t1, *z1, t3, t4, t5])
    }

    /// a·t: three additions instead of a multiplication on the curves with a = −3 (whether a curve
    /// has it is public).
    #[inline(always)]
    fn times_a(&self, t: &Fe<L>) -> Fe<L> {
        let f = &self.field;
        if self.a_is_minus_3 {
            f.sub(&f.zero(), &f.add(&f.add(t, t), t))
        } else {
            f.mul(&self.a, t)
        }
    }

    /// The part of both addition formulas after the products of the inputs: t0 = X₁X₂, t1 = Y₁Y₂,
    /// t2 = Z₁Z₂, t3 = X₁Y₂ + X₂Y₁, t4 = X₁Z₂ + X₂Z₁, t5 = Y₁Z₂ + Y₂Z₁.
    #[inline(always)]
    fn add_tail(&self, [mut t0, mut t1, mut t2, t3, mut t4, t5]: [Fe<L>; 6]) -> Point<L> {
        let f = &self.field;
        let b3 = &self.b3;
        let mut z3 = self.times_a(&t4);
        let mut x3 = f.mul(b3, &t2);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        t1 = f.add(&t0, &t0);
        t1 = f.add(&t1, &t0);
        t2 = self.times_a(&t2);
        t4 = f.mul(b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.sub(&t0, &t2);
        t2 = self.times_a(&t2);
        t4 = f.add(&t4, &t2);
        t0 = f.mul(&t1, &t4);
        y3 = f.add(&y3, &t0);
        t0 = f.mul(&t5, &t4);
        x3 = f.mul(&t3, &x3);
        x3 = f.sub(&x3, &t0);
        t0 = f.mul(&t3, &t1);
        z3 = f.mul(&z3, &t5);
        z3 = f.add(&z3, &t0);
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// The 16 multiples 0·P .. 15·P.
    fn multiples(&self, point: &Point<L>) -> [Point<L>; 16] {
        let mut table = [self.identity(); 16];
        for j in 1..16 {
            table[j] = self.add(&table[j - 1], point);
        }
        table
    }

    /// Windows of signed digits for a scalar of `L` words: one more bit than the scalar has, for the
    /// carry out of the top digit.
    const BASE_WINDOWS: u32 = Uint::<L>::BITS / BASE_WINDOW + 1;

    /// The base point tables: (j + 1) · 32^i · `base` for every window i, made affine with one
    /// inversion for all of them (Montgomery's trick). None of them is infinity: the base point has
    /// prime order q, and q, far above 16, divides no (j + 1) · 2^(5i).
    fn base_tables(&self, base: &Point<L>) -> Vec<[Affine<L>; BASE_ENTRIES]> {
        let f = &self.field;
        let windows = Self::BASE_WINDOWS as usize;
        let mut points = Vec::with_capacity(windows * BASE_ENTRIES);
        let mut power = *base;
        for _ in 0..windows {
            let mut multiple = power;
            for _ in 0..BASE_ENTRIES {
                points.push(multiple);
                multiple = self.add(&multiple, &power);
            }
            // The next window's power: the largest entry (16 · power) doubled.
            let largest = points[points.len() - 1];
            power = self.add(&largest, &largest);
        }
        let mut products = Vec::with_capacity(points.len());
        let mut product = f.one();
        for point in &points {
            product = f.mul(&product, &point.z);
            products.push(product);
        }
        let mut inverse = f
            .invert(&product)
            .expect("no multiple of the base point below q is infinity");
        let mut tables = vec![
            [Affine {
                x: f.zero(),
                y: f.zero()
            }; BASE_ENTRIES];
            windows
        ];
        for index in (0..points.len()).rev() {
            let z_inverse = match index {
                0 => inverse,
                _ => f.mul(&inverse, &products[index - 1]),
            };
            inverse = f.mul(&inverse, &points[index].z);
            tables[index / BASE_ENTRIES][index % BASE_ENTRIES] = Affine {
                x: f.mul(&points[index].x, &z_inverse),
                y: f.mul(&points[index].y, &z_inverse),
            };
        }
        tables
    }

    /// The 4-bit digit of `k` at `window` (window 0 is the least significant).
    fn digit(k: &Uint<L>, window: u32) -> u32 {
        let limb_bits = crypto_bigint::Limb::BITS;
        let limb = k.as_words()[(window * 4 / limb_bits) as usize];
        ((limb >> (window * 4 % limb_bits)) & 0xf) as u32
    }

    /// k·P with a 4-bit fixed window over all bits of `k`'s type.
    pub fn mul(&self, point: &Point<L>, k: &Uint<L>) -> Point<L> {
        let table = self.multiples(point);
        let mut result = self.identity();
        for window in (0..Uint::<L>::BITS / 4).rev() {
            for _ in 0..4 {
                result = self.add(&result, &result);
            }
            result = self.add(&result, &select(&table, Self::digit(k, window)));
        }
        result
    }

    /// k·P for the base point P: one mixed addition per signed 5-bit digit, from the precomputed
    /// tables. Digits run from the least significant; the carry of a digit above 15 goes to the next.
    pub fn mul_base(&self, k: &Uint<L>) -> Point<L> {
        let f = &self.field;
        let words = k.as_words();
        let mut result = self.identity();
        let mut carry: u32 = 0;
        for (window, table) in self.base_table.iter().enumerate() {
            // The window's five bits, which may straddle two words (which words is public).
            let start = window as u32 * BASE_WINDOW;
            let (word, shift) = ((start / Word::BITS) as usize, start % Word::BITS);
            let mut bits = words.get(word).map_or(0, |&w| w >> shift);
            if shift > Word::BITS - BASE_WINDOW {
                bits |= words
                    .get(word + 1)
                    .map_or(0, |&w| w << (Word::BITS - shift));
            }
            let value = (bits as u32 & ((1 << BASE_WINDOW) - 1)) + carry;
            // value 0 … 32 as digit − 32·carry with the digit in −16 … 15.
            carry = (value + BASE_ENTRIES as u32) >> BASE_WINDOW;
            let digit = value.wrapping_sub(carry << BASE_WINDOW);
            let negative = digit >> 31;
            let magnitude = (digit ^ negative.wrapping_neg()).wrapping_add(negative);
            let mut entry = table[0];
            for (j, candidate) in table.iter().enumerate().skip(1) {
                let choice = Choice::from_u32_eq(j as u32 + 1, magnitude);
                entry.x = entry.x.select(&candidate.x, choice);
                entry.y = entry.y.select(&candidate.y, choice);
            }
            entry.y = entry
                .y
                .select(&f.sub(&f.zero(), &entry.y), Choice::from_u32_lsb(negative));
            let sum = self.add_affine(&result, &entry);
            let nonzero = !Choice::from_u32_eq(magnitude, 0);
            result = Point {
                x: result.x.select(&sum.x, nonzero),
                y: result.y.select(&sum.y, nonzero),
                z: result.z.select(&sum.z, nonzero),
            };
        }
        result
    }

    /// (x, y) of a point other than infinity. The inversion is constant time.
    pub fn to_affine(&self, point: &Point<L>) -> Option<(Uint<L>, Uint<L>)> {
        let f = &self.field;
        let z_inverse = f.invert(&point.z)?;
        Some((
            f.integer(&f.mul(&point.x, &z_inverse)),
            f.integer(&f.mul(&point.y, &z_inverse)),
        ))
    }

    /// q as a non-zero modulus for reductions.
    pub fn q_nonzero(&self) -> NonZero<Uint<L>> {
        NonZero::new(self.q.get()).expect("q is not zero")
    }
}

impl<const L: usize> Point<L> {
    /// Whether this is the point at infinity (Z = 0). Used on public values only.
    pub fn is_identity(&self) -> bool {
        self.z.is_zero_vartime()
    }
}

/// table[digit], reading every entry: the memory access pattern does not depend on the digit.
fn select<const L: usize>(table: &[Point<L>; 16], digit: u32) -> Point<L> {
    let mut chosen = table[0];
    for (j, entry) in table.iter().enumerate().skip(1) {
        let choice = Choice::from_u32_eq(j as u32, digit);
        chosen = Point {
            x: chosen.x.select(&entry.x, choice),
            y: chosen.y.select(&entry.y, choice),
            z: chosen.z.select(&entry.z, choice),
        };
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::gost::r3410::{curve256, curve512};

    /// Scalars whose signed digits hit every edge: zero digits, 15 and 16 (−16 with a carry), carries
    /// running through every window, the top window, and multiples of q.
    fn edge_scalars<const L: usize>(curve: &Curve<L>) -> Vec<Uint<L>> {
        let q = curve.q.get();
        let mut every_window = |digit: u64| {
            let mut k = Uint::<L>::ZERO;
            for _ in 0..Uint::<L>::BITS / BASE_WINDOW {
                k = k
                    .shl_vartime(BASE_WINDOW)
                    .wrapping_add(&Uint::from_u64(digit));
            }
            k
        };
        let mut scalars: Vec<Uint<L>> = [0, 1, 2, 15, 16, 17, 31, 32, 33, 0x3ff, 0x210]
            .map(Uint::from_u64)
            .to_vec();
        scalars.extend([15, 16, 17, 31].map(&mut every_window));
        scalars.extend([
            Uint::MAX,
            Uint::MAX.shr_vartime(1),
            Uint::ONE.shl_vartime(Uint::<L>::BITS - 1),
            q,
            q.wrapping_sub(&Uint::ONE),
            q.wrapping_add(&Uint::ONE),
            q.wrapping_add(&q),
        ]);
        // A few pseudo-random ones (an LCG: reproducible, no dependency).
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..8 {
            let mut words = [0 as Word; L];
            for word in &mut words {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                *word = state as Word;
            }
            scalars.push(Uint::from_words(words));
        }
        scalars
    }

    fn agrees<const L: usize>(curve: &Curve<L>) {
        let raw = curve.set.raw();
        // Both ways of multiplying by a are exercised: a = −3 exactly on the CryptoPro curves (and
        // TC26 256-B…D, the same curves) and TC26 512-A and B.
        use ParamSet::*;
        let minus_3 = [
            CryptoProA,
            CryptoProB,
            CryptoProC,
            CryptoProXchA,
            CryptoProXchB,
        ];
        let minus_3_too = [Tc26_256B, Tc26_256C, Tc26_256D, Tc26_512A, Tc26_512B];
        assert_eq!(
            curve.a_is_minus_3,
            minus_3.contains(&curve.set) || minus_3_too.contains(&curve.set),
            "{}",
            curve.set.name()
        );
        let base = curve.point(&from_hex(raw.x), &from_hex(raw.y));
        for k in edge_scalars(curve) {
            let fixed = curve.mul_base(&k);
            let variable = curve.mul(&base, &k);
            assert_eq!(
                curve.to_affine(&fixed),
                curve.to_affine(&variable),
                "{}: k = {k:x}",
                curve.set.name()
            );
            assert_eq!(fixed.is_identity(), variable.is_identity());
        }
    }

    #[test]
    fn base_point_tables_agree_with_the_variable_base_multiplication() {
        for set in ParamSet::ALL {
            match set.bits() {
                256 => agrees(curve256(set)),
                _ => agrees(curve512(set)),
            }
        }
    }
}
