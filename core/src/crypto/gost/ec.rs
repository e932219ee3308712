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
//! Scalar multiplication uses 4-bit windows over every bit of the scalar's type. Multiples of the base
//! point come from a table computed once per curve (j · 16^i · P for every window i and digit j), so a
//! signature costs one addition per window; other points get a 16-entry table per multiplication.
//! Every table look-up reads all entries and keeps the wanted one with constant-time selection, so no
//! branch and no memory address depends on a secret digit.

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Choice, NonZero, Odd, Uint};

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
    b: Fe<L>,
    /// 3·b, used by the complete addition formulas.
    b3: Fe<L>,
    /// The subgroup order q, and arithmetic modulo q.
    pub q: Odd<Uint<L>>,
    pub scalars: FixedMontyParams<L>,
    pub cofactor: u32,
    /// base_table[i][j] = j · 16^i · base.
    base_table: Vec<[Point<L>; 16]>,
}

/// A point in projective coordinates (X : Y : Z); the point at infinity is (0 : 1 : 0).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
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
            b,
            b3,
            q,
            scalars,
            cofactor: raw.cofactor,
            base_table: Vec::new(),
        };
        curve.base_table = curve.window_tables(&base);
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
        let a = &self.a;
        let b3 = &self.b3;
        let mut t0 = f.mul(x1, x2);
        let mut t1 = f.mul(y1, y2);
        let mut t2 = f.mul(z1, z2);
        let mut t3 = f.add(x1, y1);
        let mut t4 = f.add(x2, y2);
        t3 = f.mul(&t3, &t4);
        t4 = f.add(&t0, &t1);
        t3 = f.sub(&t3, &t4);
        t4 = f.add(x1, z1);
        let mut t5 = f.add(x2, z2);
        t4 = f.mul(&t4, &t5);
        t5 = f.add(&t0, &t2);
        t4 = f.sub(&t4, &t5);
        t5 = f.add(y1, z1);
        let mut x3 = f.add(y2, z2);
        t5 = f.mul(&t5, &x3);
        x3 = f.add(&t1, &t2);
        t5 = f.sub(&t5, &x3);
        let mut z3 = f.mul(a, &t4);
        x3 = f.mul(b3, &t2);
        z3 = f.add(&x3, &z3);
        x3 = f.sub(&t1, &z3);
        z3 = f.add(&t1, &z3);
        let mut y3 = f.mul(&x3, &z3);
        t1 = f.add(&t0, &t0);
        t1 = f.add(&t1, &t0);
        t2 = f.mul(a, &t2);
        t4 = f.mul(b3, &t4);
        t1 = f.add(&t1, &t2);
        t2 = f.sub(&t0, &t2);
        t2 = f.mul(a, &t2);
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

    /// The fixed-base tables of `point`: one per 4-bit window of a scalar.
    fn window_tables(&self, point: &Point<L>) -> Vec<[Point<L>; 16]> {
        let windows = (Uint::<L>::BITS / 4) as usize;
        let mut tables = Vec::with_capacity(windows);
        let mut power = *point;
        for _ in 0..windows {
            let table = self.multiples(&power);
            power = self.add(&table[15], &power);
            tables.push(table);
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

    /// k·P for the base point P: one addition per window, from the precomputed tables.
    pub fn mul_base(&self, k: &Uint<L>) -> Point<L> {
        let mut result = self.identity();
        for (window, table) in self.base_table.iter().enumerate() {
            result = self.add(&result, &select(table, Self::digit(k, window as u32)));
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
