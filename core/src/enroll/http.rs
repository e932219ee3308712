//! CMP over HTTP (RFC 6712): each message is POSTed as `application/pkixcmp` and the answer is the
//! response body. TLS, when the CA's address is `https:`, is the system's (OpenSSL on Linux, SChannel
//! on Windows) with the system's trust store.

use std::io::Read;
use std::time::Duration;

use super::cmp::{CmpError, MAX_RESPONSE};

/// Sends one CMP message and returns the answer.
pub trait Transport {
    /// POSTs `message` and returns the CA's answer.
    fn exchange(&self, message: &[u8]) -> Result<Vec<u8>, CmpError>;
}

/// A CA's CMP endpoint over HTTP(S).
pub struct Http {
    url: String,
    client: reqwest::blocking::Client,
}

impl Http {
    /// The endpoint at `url` (`http://` or `https://`).
    pub fn new(url: &str) -> Result<Self, CmpError> {
        let unreachable = |reason: String| CmpError::Unreachable {
            url: url.to_owned(),
            reason,
        };
        let parsed = reqwest::Url::parse(url).map_err(|error| unreachable(error.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(unreachable(
                "the address must start with http:// or https://".to_owned(),
            ));
        }
        let client = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_secs(20))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("certkeeper/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| unreachable(error.to_string()))?;
        Ok(Self {
            url: url.to_owned(),
            client,
        })
    }
}

/// The error and its causes, one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = cause.source();
    }
    text
}

impl Transport for Http {
    fn exchange(&self, message: &[u8]) -> Result<Vec<u8>, CmpError> {
        let unreachable = |reason: String| CmpError::Unreachable {
            url: self.url.clone(),
            reason,
        };
        let response = self
            .client
            .post(&self.url)
            .header(reqwest::header::CONTENT_TYPE, "application/pkixcmp")
            .header(reqwest::header::ACCEPT, "application/pkixcmp")
            .body(message.to_vec())
            .send()
            .map_err(|error| unreachable(chain(&error)))?;
        let status = response.status();
        // A CA may send its CMP error with an HTTP error status (RFC 6712 3.4 lets it).
        let is_cmp = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/pkixcmp"));
        if !status.is_success() && !is_cmp {
            return Err(CmpError::Http {
                url: self.url.clone(),
                status: status.as_u16(),
            });
        }
        let mut body = Vec::new();
        response
            .take(MAX_RESPONSE as u64 + 1)
            .read_to_end(&mut body)
            .map_err(|error| unreachable(chain(&error)))?;
        if body.len() > MAX_RESPONSE {
            return Err(CmpError::BadResponse {
                reason: format!("the answer is larger than {} MiB", MAX_RESPONSE >> 20),
            });
        }
        Ok(body)
    }
}
