//! Proves the test harness against the real services every later test relies on.

use std::time::Duration;

use certkeeper_tests::support::dbus::NotificationDaemon;
use certkeeper_tests::support::openssl::{KeyAlgorithm, OpenSsl, PfxProtection};
use certkeeper_tests::support::pcsc::{Pcscd, VIRTUAL_READER};
use certkeeper_tests::support::run;
use certkeeper_tests::support::softhsm::SoftHsm;

#[test]
fn softhsm_tokens_live_in_the_test_directory_and_nowhere_else() {
    let first = SoftHsm::new();
    let token = first.init_token("certkeeper-A", "87654321", "12345678");
    first.init_token("certkeeper-B", "87654321", "12345678");

    let slots = String::from_utf8(run(first.pkcs11_tool().arg("--list-token-slots")).stdout)
        .expect("UTF-8");
    assert!(
        slots.contains("certkeeper-A") && slots.contains("certkeeper-B"),
        "{slots}"
    );

    // A key generated on the token by the independent peer is stored in this test's directory.
    run(&mut first.key_pair(&token, "EC:prime256v1", "01", "harness-key"));
    let objects = String::from_utf8(run(first.logged_in(&token).args(["--list-objects"])).stdout)
        .expect("UTF-8");
    assert!(
        objects.contains("Private Key Object; EC") && objects.contains("harness-key"),
        "{objects}"
    );
    let token_dirs = std::fs::read_dir(first.token_dir())
        .expect("token dir")
        .count();
    assert_eq!(
        token_dirs, 2,
        "one folder per token in the private token directory"
    );

    // Another installation does not see these tokens.
    let second = SoftHsm::new();
    let slots = String::from_utf8(run(second.pkcs11_tool().arg("--list-token-slots")).stdout)
        .expect("UTF-8");
    assert!(!slots.contains("certkeeper-A"), "{slots}");
}

#[test]
fn openssl_makes_ca_certificates_pfx_and_cms_for_every_key_family() {
    let openssl = OpenSsl::new();
    for algorithm in KeyAlgorithm::EACH_FAMILY {
        let ca = openssl.make_ca(&format!("Test CA {}", algorithm.name()), algorithm);
        let user = openssl.issue(
            &ca,
            "/CN=Иванов Иван Иванович/O=ООО \"Ромашка\"",
            algorithm,
            365,
        );

        run(openssl
            .command()
            .arg("verify")
            .arg("-CAfile")
            .arg(&ca.cert)
            .arg(&user.cert));
        let subject = String::from_utf8(
            run(openssl
                .command()
                .args(["x509", "-noout", "-subject", "-nameopt", "utf8", "-in"])
                .arg(&user.cert))
            .stdout,
        )
        .expect("UTF-8");
        assert!(subject.contains("Иванов Иван Иванович"), "{subject}");

        let protection = if algorithm.is_gost() {
            PfxProtection::Gost
        } else {
            PfxProtection::Aes256
        };
        let pfx = openssl.pfx(&user, "пароль-1", protection);
        let info = String::from_utf8_lossy(
            &run(openssl
                .command()
                .args([
                    "pkcs12",
                    "-info",
                    "-noout",
                    "-passin",
                    "pass:пароль-1",
                    "-in",
                ])
                .arg(&pfx))
            .stderr,
        )
        .into_owned();
        let expected_pbe = if algorithm.is_gost() {
            "gost89"
        } else {
            "AES-256-CBC"
        };
        assert!(info.contains(expected_pbe), "{}: {info}", algorithm.name());

        let cipher = if algorithm.is_gost() {
            "-gost89"
        } else {
            "-aes-256-cbc"
        };
        let plaintext = format!("Договор № 17 для {}\n", algorithm.name()).into_bytes();
        let document = openssl.cms_encrypt(&plaintext, &[&user], cipher, &[]);
        assert_eq!(
            openssl.cms_decrypt(&document, &user),
            plaintext,
            "{}",
            algorithm.name()
        );
    }
}

#[test]
fn openssl_covers_legacy_pfx_rsa_oaep_and_gost_2015_ciphers() {
    let openssl = OpenSsl::new();
    let rsa_ca = openssl.make_ca("RSA CA", KeyAlgorithm::Rsa2048);
    let rsa = openssl.issue(&rsa_ca, "/CN=RSA user", KeyAlgorithm::Rsa2048, 30);
    let legacy = openssl.pfx(&rsa, "old", PfxProtection::Legacy3Des);
    let info = String::from_utf8_lossy(
        &run(openssl
            .command()
            .args(["pkcs12", "-info", "-noout", "-passin", "pass:old", "-in"])
            .arg(&legacy))
        .stderr,
    )
    .into_owned();
    assert!(info.contains("pbeWithSHA1And3-KeyTripleDES-CBC"), "{info}");
    let document = openssl.cms_encrypt(
        b"OAEP",
        &[&rsa],
        "-aes-128-cbc",
        &["-keyopt", "rsa_padding_mode:oaep"],
    );
    assert_eq!(openssl.cms_decrypt(&document, &rsa), b"OAEP");

    let gost_ca = openssl.make_ca("Тестовый УЦ", KeyAlgorithm::Gost2012_512("A"));
    let gost = openssl.issue(&gost_ca, "/CN=Петров", KeyAlgorithm::Gost2012_256("XA"), 30);
    for cipher in [
        "-kuznyechik-ctr-acpkm",
        "-kuznyechik-ctr-acpkm-omac",
        "-magma-ctr-acpkm",
        "-magma-ctr-acpkm-omac",
    ] {
        let document = openssl.cms_encrypt(b"2015", &[&gost], cipher, &[]);
        assert_eq!(openssl.cms_decrypt(&document, &gost), b"2015", "{cipher}");
    }
}

#[test]
fn pcscd_sees_the_virtual_card_come_and_go() {
    let pcscd = Pcscd::start();
    assert!(
        pcscd
            .readers()
            .iter()
            .any(|reader| reader == VIRTUAL_READER)
    );
    assert!(
        !pcscd.card_present(VIRTUAL_READER),
        "no card before insertion"
    );

    let card = pcscd.insert_card();
    assert!(pcscd.card_present(VIRTUAL_READER));
    let context = pcsc::Context::establish(pcsc::Scope::User).expect("connect to pcscd");
    let reader = std::ffi::CString::new(VIRTUAL_READER).expect("reader name");
    let connection = context
        .connect(&reader, pcsc::ShareMode::Shared, pcsc::Protocols::ANY)
        .expect("connect to the virtual card");
    let status = connection.status2_owned().expect("card status");
    assert!(!status.atr().is_empty(), "the card answers to reset");
    // SELECT the master file without response data (P2 = 0C): the card answers 90 00.
    let mut response = [0u8; 258];
    let answer = connection
        .transmit(&[0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00], &mut response)
        .expect("transmit an APDU");
    assert_eq!(answer, [0x90, 0x00]);
    drop(connection);

    card.remove();
    certkeeper_tests::support::wait_until(
        "the card to leave the reader",
        Duration::from_secs(10),
        || !pcscd.card_present(VIRTUAL_READER),
    );
}

#[test]
fn notification_daemon_receives_summary_body_and_actions() {
    let daemon = NotificationDaemon::start();
    run(daemon.bus().command("gdbus").args([
        "call",
        "--session",
        "--dest",
        "org.freedesktop.Notifications",
        "--object-path",
        "/org/freedesktop/Notifications",
        "--method",
        "org.freedesktop.Notifications.Notify",
        "certkeeper",
        "0",
        "",
        "Сертификат истекает через 7 дней",
        "ООО «Ромашка», до 02.12.2026",
        "['renew', 'Renew', 'snooze', 'Snooze']",
        "{}",
        "60000",
    ]));
    let received = daemon.wait_for(1, Duration::from_secs(10));
    assert_eq!(received.len(), 1, "{received:?}");
    assert_eq!(received[0].app_name, "certkeeper");
    assert_eq!(received[0].summary, "Сертификат истекает через 7 дней");
    assert_eq!(received[0].body, "ООО «Ромашка», до 02.12.2026");
    assert_eq!(
        received[0].actions,
        vec![
            ("renew".to_owned(), "Renew".to_owned()),
            ("snooze".to_owned(), "Snooze".to_owned())
        ]
    );
    assert_eq!(daemon.displayed(), 1, "dunst shows it");
}
