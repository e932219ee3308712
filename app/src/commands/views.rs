//! How certificates are shown, shared by `inspect`, `show` and the JSON output.

use certkeeper_core::cert::{Certificate, Status, format_time};
use serde::Serialize;

/// A certificate as `inspect --json` and `show --json` show it (documented in the README).
#[derive(Debug, Serialize)]
pub struct CertificateView {
    pub(crate) subject: String,
    pub(crate) issuer: String,
    pub(crate) subject_name: String,
    pub(crate) serial: String,
    pub(crate) not_before: String,
    pub(crate) not_after: String,
    pub(crate) private_key_not_before: Option<String>,
    pub(crate) private_key_not_after: Option<String>,
    pub(crate) status: Status,
    pub(crate) key_algorithm: String,
    pub(crate) key_parameters: Option<String>,
    pub(crate) key_usage: Vec<String>,
    pub(crate) extended_key_usage: Vec<String>,
    pub(crate) subject_key_id: Option<String>,
    pub(crate) authority_key_id: Option<String>,
    pub(crate) is_ca: bool,
    pub(crate) sha1_thumbprint: String,
    pub(crate) sha256_fingerprint: String,
    pub(crate) inn: Option<String>,
    pub(crate) innle: Option<String>,
    pub(crate) ogrn: Option<String>,
    pub(crate) ogrnip: Option<String>,
    pub(crate) snils: Option<String>,
    pub(crate) subject_sign_tool: Option<String>,
    pub(crate) issuer_sign_tool: Vec<String>,
    pub(crate) policies: Vec<String>,
}

impl CertificateView {
    /// The view of `certificate` at time `now` (Unix seconds).
    pub fn new(certificate: &Certificate, now: i64) -> Self {
        Self {
            subject: certificate.subject.to_string(),
            issuer: certificate.issuer.to_string(),
            subject_name: certificate.subject.display_name().to_owned(),
            serial: certificate.serial.clone(),
            not_before: format_time(certificate.not_before),
            not_after: format_time(certificate.not_after),
            private_key_not_before: certificate.private_key_not_before.map(format_time),
            private_key_not_after: certificate.private_key_not_after.map(format_time),
            status: certificate.status_at(now),
            key_algorithm: certificate.key_algorithm.name.clone(),
            key_parameters: certificate.key_algorithm.parameters.clone(),
            key_usage: certificate.key_usage.clone(),
            extended_key_usage: certificate.extended_key_usage.clone(),
            subject_key_id: certificate.subject_key_id.clone(),
            authority_key_id: certificate.authority_key_id.clone(),
            is_ca: certificate.is_ca,
            sha1_thumbprint: certificate.sha1_thumbprint.clone(),
            sha256_fingerprint: certificate.sha256_fingerprint.clone(),
            inn: certificate.inn.clone(),
            innle: certificate.innle.clone(),
            ogrn: certificate.ogrn.clone(),
            ogrnip: certificate.ogrnip.clone(),
            snils: certificate.snils.clone(),
            subject_sign_tool: certificate.subject_sign_tool.clone(),
            issuer_sign_tool: certificate.issuer_sign_tool.clone(),
            policies: certificate.policies.clone(),
        }
    }
}
