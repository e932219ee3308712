//! Arithmetic modulo the prime p of a GOST curve, in Montgomery form, in constant time.
//!
//! A field element is `L` machine words and nothing else: the modulus and the Montgomery constants
//! live once in [`Field`], which every operation is given. (`crypto-bigint`'s run-time Montgomery
//! form carries its parameters inside each value, so a point of three coordinates copied about the
//! scalar multiplication's tables moved several hundred bytes per coordinate.) Multiplication is the
//! coarsely integrated operand scanning (CIOS) method of Koç, Acar and Kaliski ("Analyzing and
//! comparing Montgomery multiplication algorithms", 1996); every reduction ends with a subtraction
//! of p kept or dropped by a mask, never a branch. Inversion goes through `crypto-bigint`'s
//! constant-time safegcd, once per scalar multiplication.

// Multi-precision arithmetic walks several word arrays by the same index: indexed loops say it best.
#![allow(clippy::needless_range_loop)]

use crypto_bigint::modular::{FixedMontyForm, FixedMontyParams};
use crypto_bigint::{Choice, Odd, Uint, WideWord, Word};

/// An element of the field in Montgomery form (x·R mod p, R = 2^(word bits · L)), fully reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fe<const L: usize>([Word; L]);

/// The field of integers modulo an odd prime p.
#[derive(Clone, Debug)]
pub(crate) struct Field<const L: usize> {
    p: [Word; L],
    /// -p⁻¹ mod 2^(word bits).
    p_inv: Word,
    /// R mod p: one in Montgomery form.
    one: [Word; L],
    /// R² mod p: takes an integer into Montgomery form.
    r2: [Word; L],
    /// For inversion.
    params: FixedMontyParams<L>,
}

/// a + b·c + carry as (low word, high word).
#[inline(always)]
fn mac(a: Word, b: Word, c: Word, carry: Word) -> (Word, Word) {
    let wide = a as WideWord + (b as WideWord) * (c as WideWord) + carry as WideWord;
    (wide as Word, (wide >> Word::BITS) as Word)
}

/// a + b + carry as (sum, carry).
#[inline(always)]
fn adc(a: Word, b: Word, carry: Word) -> (Word, Word) {
    let wide = a as WideWord + b as WideWord + carry as WideWord;
    (wide as Word, (wide >> Word::BITS) as Word)
}

/// a − b − borrow as (difference, borrow of 0 or 1).
#[inline(always)]
fn sbb(a: Word, b: Word, borrow: Word) -> (Word, Word) {
    let wide = (a as WideWord).wrapping_sub(b as WideWord + borrow as WideWord);
    (wide as Word, ((wide >> Word::BITS) as Word) & 1)
}

impl<const L: usize> Field<L> {
    /// The field modulo `p`.
    pub fn new(p: Odd<Uint<L>>) -> Self {
        let params = FixedMontyParams::new(p);
        let one = *FixedMontyForm::one(&params).as_montgomery();
        let r2 = *FixedMontyForm::new(&one, &params).as_montgomery();
        let modulus = *p.as_ref().as_words();
        // p⁻¹ mod 2^w by Newton's iteration (each step doubles the correct low bits).
        let mut inverse: Word = 1;
        for _ in 0..7 {
            inverse =
                inverse.wrapping_mul((2 as Word).wrapping_sub(modulus[0].wrapping_mul(inverse)));
        }
        Self {
            p: modulus,
            p_inv: inverse.wrapping_neg(),
            one: *one.as_words(),
            r2: *r2.as_words(),
            params,
        }
    }

    /// `t` (high word `high`, below 2p) reduced below p: t − p unless that borrows.
    #[inline(always)]
    fn reduce(&self, t: [Word; L], high: Word) -> Fe<L> {
        let mut difference = [0; L];
        let mut borrow = 0;
        for j in 0..L {
            (difference[j], borrow) = sbb(t[j], self.p[j], borrow);
        }
        let (_, under) = sbb(high, 0, borrow);
        // All ones when t < p (keep t), zero otherwise (keep t − p).
        let keep = under.wrapping_neg();
        let mut out = [0; L];
        for j in 0..L {
            out[j] = (t[j] & keep) | (difference[j] & !keep);
        }
        Fe(out)
    }

    /// a·b·R⁻¹ mod p (CIOS).
    #[inline(always)]
    fn montgomery(&self, a: &[Word; L], b: &[Word; L]) -> Fe<L> {
        let mut t = [0 as Word; L];
        let mut high: Word = 0;
        for &word in b.iter() {
            let mut carry = 0;
            for j in 0..L {
                (t[j], carry) = mac(t[j], a[j], word, carry);
            }
            let (top, overflow) = adc(high, carry, 0);
            let m = t[0].wrapping_mul(self.p_inv);
            let (_, mut carry) = mac(t[0], m, self.p[0], 0);
            for j in 1..L {
                (t[j - 1], carry) = mac(t[j], m, self.p[j], carry);
            }
            let (last, spill) = adc(top, carry, 0);
            t[L - 1] = last;
            high = overflow + spill;
        }
        self.reduce(t, high)
    }

    pub fn mul(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        self.montgomery(&a.0, &b.0)
    }

    pub fn square(&self, a: &Fe<L>) -> Fe<L> {
        self.montgomery(&a.0, &a.0)
    }

    pub fn add(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let mut sum = [0; L];
        let mut carry = 0;
        for j in 0..L {
            (sum[j], carry) = adc(a.0[j], b.0[j], carry);
        }
        self.reduce(sum, carry)
    }

    pub fn sub(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let mut difference = [0; L];
        let mut borrow = 0;
        for j in 0..L {
            (difference[j], borrow) = sbb(a.0[j], b.0[j], borrow);
        }
        // Add p back when it borrowed.
        let mask = borrow.wrapping_neg();
        let mut carry = 0;
        for j in 0..L {
            (difference[j], carry) = adc(difference[j], self.p[j] & mask, carry);
        }
        Fe(difference)
    }

    pub fn zero(&self) -> Fe<L> {
        Fe([0; L])
    }

    pub fn one(&self) -> Fe<L> {
        Fe(self.one)
    }

    /// An integer below p into the field.
    pub fn element(&self, value: &Uint<L>) -> Fe<L> {
        self.montgomery(value.as_words(), &self.r2)
    }

    /// The integer (below p) an element stands for.
    pub fn integer(&self, a: &Fe<L>) -> Uint<L> {
        let mut unit = [0; L];
        unit[0] = 1;
        Uint::from_words(self.montgomery(&a.0, &unit).0)
    }

    /// a⁻¹, none for zero; constant time.
    pub fn invert(&self, a: &Fe<L>) -> Option<Fe<L>> {
        let form = FixedMontyForm::from_montgomery(Uint::from_words(a.0), &self.params);
        let inverse: Option<FixedMontyForm<L>> = form.invert().into();
        inverse.map(|inverse| Fe(*inverse.as_montgomery().as_words()))
    }
}

impl<const L: usize> Fe<L> {
    /// `other` when `choice` is true, else `self`, without a branch.
    pub fn select(&self, other: &Self, choice: Choice) -> Self {
        let take = (choice.to_u8() as Word).wrapping_neg();
        let mut out = [0; L];
        for (j, word) in out.iter_mut().enumerate() {
            *word = (self.0[j] & !take) | (other.0[j] & take);
        }
        Fe(out)
    }

    /// Whether this is zero. Used on public values only.
    pub fn is_zero_vartime(&self) -> bool {
        self.0.iter().all(|&word| word == 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::{U256, U512};

    /// Deterministic test values below p: a simple generator, reduced by crypto-bigint.
    fn values<const L: usize>(p: &Odd<Uint<L>>, count: usize) -> Vec<Uint<L>> {
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let modulus = crypto_bigint::NonZero::new(*p.as_ref()).expect("p");
        let mut out = vec![Uint::ZERO, Uint::ONE, p.as_ref().wrapping_sub(&Uint::ONE)];
        while out.len() < count {
            let mut words = [0 as Word; L];
            for word in words.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *word = state as Word;
            }
            out.push(Uint::from_words(words).rem(&modulus));
        }
        out
    }

    fn agrees_with_crypto_bigint<const L: usize>(p: Odd<Uint<L>>) {
        let field = Field::new(p);
        let params = FixedMontyParams::new(p);
        let all = values(&p, 40);
        for a in &all {
            let fa = field.element(a);
            assert_eq!(field.integer(&fa), *a, "round trip");
            let ma = FixedMontyForm::new(a, &params);
            for b in &all {
                let fb = field.element(b);
                let mb = FixedMontyForm::new(b, &params);
                assert_eq!(field.integer(&field.mul(&fa, &fb)), ma.mul(&mb).retrieve());
                assert_eq!(field.integer(&field.add(&fa, &fb)), ma.add(&mb).retrieve());
                assert_eq!(field.integer(&field.sub(&fa, &fb)), ma.sub(&mb).retrieve());
            }
            assert_eq!(field.integer(&field.square(&fa)), ma.square().retrieve());
            match field.invert(&fa) {
                Some(inverse) => assert_eq!(field.mul(&fa, &inverse), field.one()),
                None => assert!(bool::from(a.is_zero())),
            }
        }
    }

    #[test]
    fn matches_crypto_bigint_on_the_gost_primes() {
        for set in [
            super::super::ParamSet::CryptoProA,
            super::super::ParamSet::CryptoProB,
            super::super::ParamSet::CryptoProC,
            super::super::ParamSet::Tc26_256A,
        ] {
            let p =
                Odd::new(super::super::ec::from_hex::<{ U256::LIMBS }>(set.raw().p)).expect("odd");
            agrees_with_crypto_bigint(p);
        }
        for set in [
            super::super::ParamSet::Tc26_512A,
            super::super::ParamSet::Tc26_512B,
            super::super::ParamSet::Tc26_512C,
        ] {
            let p =
                Odd::new(super::super::ec::from_hex::<{ U512::LIMBS }>(set.raw().p)).expect("odd");
            agrees_with_crypto_bigint(p);
        }
    }
}
