//! How strong an archive passphrase is, and the floor below which certkeeper refuses one: the
//! archive holds every key of an office, and its passphrase is all that stands between a copied
//! archive file and those keys (Argon2id slows each guess, it does not make a short word safe).
//!
//! The measure is deliberately simple and explainable, the way a person can act on it: length
//! first, then the kinds of characters, with a phrase of several words counted strong (NIST SP
//! 800-63B favours length and passphrases over composition rules), and the commonest passwords
//! refused whatever their look.

/// Passwords people pick first (the top of every leaked-password list, and the Russian ones), in
/// lower case: never accepted.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "passw0rd",
    "qwerty",
    "qwertyuiop",
    "qwerty123",
    "123456789012",
    "1234567890",
    "12345678",
    "123456789",
    "11111111",
    "00000000",
    "iloveyou",
    "admin123",
    "letmein",
    "welcome1",
    "1q2w3e4r",
    "1q2w3e4r5t6y",
    "zaq12wsx",
    "йцукен",
    "йцукенгшщз",
    "пароль",
    "пароль123",
    "бухгалтерия",
    "qwerty12345",
    "abc12345",
    "certkeeper",
];

/// The lowest [`strength`] an archive passphrase may have.
pub const FLOOR: u8 = 3;

/// Why a passphrase is below the floor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Weak {
    /// One of the passwords every guesser tries first.
    #[error("it is one of the most common passwords")]
    Common,
    /// Shorter than 12 characters (and not a phrase of four words or more).
    #[error("it has {length} characters")]
    Short {
        /// How many characters it has.
        length: usize,
    },
    /// 12 to 15 characters of a single kind (only lower-case letters, only digits, …).
    #[error("it has one kind of character only")]
    OneKind,
}

/// How strong `passphrase` looks, 0 (empty) to 4: 1 up to 7 characters, 2 up to 11, 3 up to 15, 4
/// beyond; one lower for a single kind of characters under 16; 4 for a phrase of four words or
/// more and 20 characters or more; 1 for a common password.
pub fn strength(passphrase: &str) -> u8 {
    let length = passphrase.chars().count();
    if length == 0 {
        return 0;
    }
    if is_common(passphrase) {
        return 1;
    }
    let kinds = [
        passphrase.chars().any(char::is_lowercase),
        passphrase.chars().any(char::is_uppercase),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|kind| **kind)
    .count();
    let words = passphrase.split_whitespace().count();
    let by_length = match length {
        0..=7 => 1,
        8..=11 => 2,
        12..=15 => 3,
        _ => 4,
    };
    if words >= 4 && length >= 20 {
        4
    } else if kinds <= 1 && length < 16 {
        (by_length - 1).max(1)
    } else {
        by_length
    }
}

fn is_common(passphrase: &str) -> bool {
    let lower = passphrase.trim().to_lowercase();
    COMMON.contains(&lower.as_str())
        // The same character over and over.
        || lower.chars().all(|c| lower.starts_with(c))
}

/// Whether `passphrase` may protect an archive: at least [`FLOOR`], or why not.
pub fn check(passphrase: &str) -> Result<(), Weak> {
    if strength(passphrase) >= FLOOR {
        return Ok(());
    }
    let length = passphrase.chars().count();
    if is_common(passphrase) {
        Err(Weak::Common)
    } else if length < 12 {
        Err(Weak::Short { length })
    } else {
        Err(Weak::OneKind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_grows_with_length_and_variety() {
        assert_eq!(strength(""), 0);
        assert_eq!(strength("1234"), 1);
        assert_eq!(strength("password"), 1);
        assert_eq!(strength("Passw0rd"), 1);
        assert_eq!(strength("Kx7-mn2p"), 2);
        assert_eq!(strength("Бухгалтерия-2026"), 4);
        assert_eq!(strength("зелёный чайник летит над морем"), 4);
        assert_eq!(strength("aaaaaaaaaaaaaaaaaaaa"), 1);
    }

    #[test]
    fn the_floor_refuses_short_common_and_one_kind_passphrases_and_says_why() {
        assert_eq!(check("abc"), Err(Weak::Short { length: 3 }));
        assert_eq!(check("renew-me-2"), Err(Weak::Short { length: 10 }));
        assert_eq!(check("qwerty123"), Err(Weak::Common));
        assert_eq!(check("ПАРОЛЬ123"), Err(Weak::Common));
        assert_eq!(check("абвгдеёжзийк"), Err(Weak::OneKind));
        assert_eq!(check("green-teapot-7"), Ok(()));
        assert_eq!(check("зелёный чайник летит над морем"), Ok(()));
        assert_eq!(check("абвгдеёжзийклмно"), Ok(()));
    }
}
