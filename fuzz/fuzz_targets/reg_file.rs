//! Registry exports (`.reg`, UTF-16 or UTF-8) as a drive or e-mail brings them: every key read back
//! into a CryptoPro container and opened; typed errors, never a panic.
#![no_main]

use certkeeper_core::media::registry;
use libfuzzer_sys::fuzz_target;
use secrecy::SecretString;

fuzz_target!(|data: &[u8]| {
    if let Ok(keys) = registry::parse_reg_file(data) {
        for key in &keys {
            if let Ok(files) = registry::container_from_reg(key) {
                let _ = files.open(&SecretString::from(String::new()));
            }
        }
    }
});
