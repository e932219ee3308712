//! The command line's side of `certkeeper_core::interact`: asks at the terminal, once per request,
//! with nothing echoed. The window implements the same trait with dialogs.

use certkeeper_core::interact::{Declined, Prompt, Request};
use certkeeper_core::secret::SecretString;

use crate::messages::Lang;

/// Asks at the terminal in the person's language.
#[derive(Debug, Clone, Copy)]
pub struct Terminal {
    lang: Lang,
}

impl Terminal {
    /// A terminal prompt in `lang`.
    pub fn new(lang: Lang) -> Self {
        Self { lang }
    }

    fn text(&self, request: &Request<'_>) -> String {
        // The request names a container or a file from a drive: escaped, as all terminal output is.
        certkeeper_core::text::printable(&crate::messages::prompts::terminal_line(
            request, self.lang,
        ))
        .into_owned()
    }
}

impl Prompt for Terminal {
    fn secret(&self, request: &Request<'_>) -> Result<SecretString, Declined> {
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return Err(Declined::NoOneToAsk);
        }
        let ask = |text: String| {
            // A progress bar being drawn gives its line to the question.
            crate::progress::clear_line();
            rpassword::prompt_password(text)
                .map(SecretString::from)
                .map_err(|_| Declined::Cancelled)
        };
        let first = ask(self.text(request))?;
        // A new secret is typed twice, so a typing mistake never locks a new file or archive.
        if let Some(again) = crate::messages::prompts::terminal_again(request, self.lang) {
            use certkeeper_core::secret::ExposeSecret;
            let again = ask(again.to_owned())?;
            if again.expose_secret() != first.expose_secret() {
                return Err(Declined::Differ);
            }
        }
        Ok(first)
    }
}

/// A password for a file or container about to be written, asked through `prompt` (typed twice
/// there); empty only when `allow_empty`.
pub fn new_password(
    prompt: &dyn Prompt,
    allow_empty: bool,
) -> Result<SecretString, crate::messages::AppError> {
    use crate::messages::{AppError, Asked};
    use certkeeper_core::secret::ExposeSecret;
    let what = Asked::NewPassword;
    let password = prompt
        .secret(&Request::NewPassword { allow_empty })
        .map_err(|why| match why {
            Declined::Differ => AppError::PasswordsDiffer,
            Declined::Cancelled => AppError::SecretNotGiven { what },
            _ => AppError::NoTerminal { what },
        })?;
    if password.expose_secret().is_empty() && !allow_empty {
        return Err(AppError::EmptyPassword);
    }
    Ok(password)
}

/// A new passphrase for the archive, asked through `prompt` (typed twice there).
pub fn new_passphrase(prompt: &dyn Prompt) -> Result<SecretString, crate::messages::AppError> {
    use crate::messages::{AppError, Asked};
    let what = Asked::Passphrase;
    prompt
        .secret(&Request::NewArchivePassphrase)
        .map_err(|why| match why {
            Declined::Differ => AppError::PassphrasesDiffer,
            Declined::Cancelled => AppError::SecretNotGiven { what },
            _ => AppError::NoTerminal { what },
        })
}

/// Asks no one: for work that needs nothing asked (the archive already open).
pub struct Nobody;

impl Prompt for Nobody {
    fn secret(&self, _request: &Request<'_>) -> Result<SecretString, Declined> {
        Err(Declined::NoOneToAsk)
    }
}

/// Secrets given in files on the command line (`--passphrase-file`, `--pin-file`,
/// `--key-password-file`, …), read once when the command starts and answered before anyone is
/// asked. A request no file answers goes to the next prompt (the terminal, or the window).
#[derive(Default)]
pub struct Given {
    /// The archive's passphrase.
    pub passphrase: Option<SecretString>,
    /// A new passphrase for the archive.
    pub new_passphrase: Option<SecretString>,
    /// The password of a container that exists (an archived one whose key is locked, a PFX file).
    pub container_password: Option<SecretString>,
    /// A token's PIN (any token's).
    pub pin: Option<SecretString>,
    /// The PIN of a token by its label (a copy between two tokens has one each).
    pub pins: Vec<(String, SecretString)>,
    /// The password of a file or container about to be written.
    pub new_password: Option<SecretString>,
}

/// Reads a secret file given on the command line, when one is.
pub fn read_given(
    file: Option<&std::path::Path>,
) -> Result<Option<SecretString>, certkeeper_core::error::SecretFileError> {
    file.map(certkeeper_core::secret::read_secret_file)
        .transpose()
}

/// [`Given`] answers first, then `then`.
pub struct Answering<'a> {
    given: Given,
    then: &'a dyn Prompt,
}

impl<'a> Answering<'a> {
    /// Answers from `given`, else asks `then`.
    pub fn new(given: Given, then: &'a dyn Prompt) -> Self {
        Self { given, then }
    }
}

fn copy_of(secret: &SecretString) -> SecretString {
    use certkeeper_core::secret::ExposeSecret;
    // A second zeroizing box of the same secret, for one use by the caller.
    SecretString::from(secret.expose_secret().to_owned())
}

impl Prompt for Answering<'_> {
    fn secret(&self, request: &Request<'_>) -> Result<SecretString, Declined> {
        let given = match request {
            Request::ArchivePassphrase => self.given.passphrase.as_ref(),
            Request::NewArchivePassphrase => self.given.new_passphrase.as_ref(),
            Request::ContainerPassword { .. } | Request::PasswordToArchive { .. } => {
                self.given.container_password.as_ref()
            }
            Request::Pin { token, .. } => self
                .given
                .pins
                .iter()
                .find(|(label, _)| label == token)
                .map(|(_, pin)| pin)
                .or(self.given.pin.as_ref()),
            Request::NewPassword { .. } => self.given.new_password.as_ref(),
            _ => None,
        };
        match given {
            Some(secret) => Ok(copy_of(secret)),
            None => self.then.secret(request),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certkeeper_core::media::pkcs11::PinState;

    #[test]
    fn the_pin_prompt_says_the_state_first_in_both_languages() {
        let state = PinState {
            count_low: true,
            final_try: true,
            locked: false,
            to_be_changed: false,
        };
        let request = Request::Pin {
            token: "Рутокен",
            state,
        };
        assert_eq!(
            Terminal::new(Lang::En).text(&request),
            "PIN of token «Рутокен» (last try before it locks!): "
        );
        assert_eq!(
            Terminal::new(Lang::Ru).text(&request),
            "PIN токена «Рутокен» (последняя попытка до блокировки!): "
        );
        let once_wrong = Request::Pin {
            token: "T",
            state: PinState {
                count_low: true,
                ..PinState::default()
            },
        };
        assert!(
            Terminal::new(Lang::En)
                .text(&once_wrong)
                .contains("a wrong PIN was entered before")
        );
    }
}
