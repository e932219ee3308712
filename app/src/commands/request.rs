//! `certkeeper request new|submit|install|list|resume|cancel`: getting a new certificate (core's
//! [`certkeeper_core::enroll`]); this module parses, asks, waits and prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use certkeeper_core::copy::Medium;
use certkeeper_core::enroll::{
    self, Algorithm, Command, Environment, Job, Progress, State, SubjectFrom, Submission,
};
use certkeeper_core::secret::SecretString;
use certkeeper_storage::Archive;
use serde::Serialize;

use super::Context;
use super::archive::open_archive;
use crate::messages::AppError;
use crate::messages::requests as words;
use crate::prompt::{Answering, Given, Terminal, read_given};

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// The registry store of the archive in use.
fn registry(
    context: &Context,
) -> std::result::Result<
    certkeeper_core::media::registry::RegistryStore,
    certkeeper_core::open::SourceError,
> {
    certkeeper_storage::location::registry_store(context.archive.as_deref())
        .map_err(|error| -> certkeeper_core::open::SourceError { Box::new(error) })
}

/// A token's PIN from `--pin-file`, the only secret given in a file when a request goes on.
fn pin_only(pin_file: Option<&Path>) -> Result<Given> {
    Ok(Given {
        pin: read_given(pin_file)?,
        ..Given::default()
    })
}

/// Options of `request new`.
#[derive(Debug)]
pub struct NewOptions<'a> {
    /// RFC 4514 subject.
    pub subject: Option<&'a str>,
    /// The subject as a form's fields.
    pub form: Option<certkeeper_core::enroll::name::Fields>,
    /// The certificate renewed.
    pub like: Option<&'a str>,
    /// `dir:PATH`, `registry` or `token:LABEL`.
    pub medium: &'a str,
    /// The key algorithm.
    pub algorithm: &'a str,
    /// The token's PIN.
    pub pin_file: Option<&'a Path>,
    /// The new container's password.
    pub password_file: Option<&'a Path>,
    /// No container password.
    pub no_password: bool,
    /// Where to write the request.
    pub csr_out: Option<&'a Path>,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

#[derive(Serialize)]
struct CreatedJson<'a> {
    job: i64,
    state: State,
    csr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    csr_file: Option<&'a Path>,
    key: &'a str,
    notices: &'a [enroll::Notice],
}

/// Runs `certkeeper request new`.
pub fn new(context: &Context, options: &NewOptions<'_>) -> Result<()> {
    let medium: Medium = options.medium.parse()?;
    let algorithm =
        Algorithm::parse(options.algorithm).ok_or_else(|| AppError::UnknownKeyAlgorithm {
            given: options.algorithm.to_owned(),
        })?;
    let subject = match (options.subject, options.like, &options.form) {
        (Some(text), _, _) => SubjectFrom::Text(text),
        (None, Some(thumbprint), _) => SubjectFrom::Like(thumbprint),
        (None, None, Some(fields)) => SubjectFrom::Fields(fields),
        (None, None, None) => SubjectFrom::Text(""),
    };
    // The request file is written only where nothing is: checked before the key is made.
    if let Some(path) = options.csr_out {
        enroll::check_request_files(path)?;
    }
    let mut given = Given {
        pin: read_given(options.pin_file)?,
        new_password: read_given(options.password_file)?,
        ..Given::default()
    };
    if options.no_password {
        given.new_password = Some(SecretString::from(String::new()));
    }
    let terminal = Terminal::new(context.lang);
    let prompt = Answering::new(given, &terminal);
    let mut archive = open_archive(context)?;
    let modules = super::media::modules(options.modules)?;
    let created = enroll::new_request(
        &mut archive,
        subject,
        &medium,
        algorithm,
        &Environment {
            module_paths: &modules,
            registry: &|| registry(context),
            prompt: &prompt,
        },
    )?;
    let pem = enroll::csr_pem(&created.job);
    let written = match options.csr_out {
        Some(path) => Some(enroll::write_request_files(&created.job, path)?),
        None => None,
    };
    let mut out = super::stdout();
    if context.json {
        super::write_json(
            &mut out,
            &CreatedJson {
                job: created.job.id,
                state: created.job.state,
                csr: pem,
                csr_file: options.csr_out,
                key: &created.job.key_place,
                notices: &created.notices,
            },
        )?;
    } else {
        let files = written
            .as_ref()
            .map(|(pem, der)| (pem.display().to_string(), der.display().to_string()));
        words::write_created(
            &mut out,
            &created.job,
            &created.notices,
            files.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            context.lang,
        )
        .map_err(AppError::Output)?;
    }
    Ok(())
}

/// Where a job got to, as `--json` gives it.
#[derive(Serialize)]
struct ProgressJson {
    job: i64,
    state: State,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha1_thumbprint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_poll: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

impl ProgressJson {
    fn of(id: i64, progress: &Progress) -> Self {
        let mut json = Self {
            job: id,
            state: State::Waiting,
            certificate_id: None,
            sha1_thumbprint: None,
            next_poll: None,
            error: None,
        };
        match progress {
            Progress::Installed {
                certificate_id,
                thumbprint,
                ..
            } => {
                json.state = State::Installed;
                json.certificate_id = Some(*certificate_id);
                json.sha1_thumbprint = Some(thumbprint.clone());
            }
            Progress::Waiting { next_poll } => {
                json.next_poll = Some(certkeeper_core::cert::format_time(*next_poll));
            }
            Progress::Rejected { reason } => {
                json.state = State::Rejected;
                json.error = Some(reason.clone());
            }
            Progress::Issued { .. } => json.state = State::Issued,
        }
        json
    }
}

/// Asks the CA again whenever it said to, until the job is over (or once, with `no_wait`).
/// The same connection serves the whole transaction (a CA may keep its state per connection, as
/// OpenSSL's own CMP server does).
fn follow(
    context: &Context,
    archive: &mut Archive,
    id: i64,
    mut progress: Progress,
    no_wait: bool,
    transport: &dyn certkeeper_core::enroll::http::Transport,
    environment: &Environment<'_>,
) -> Result<Progress> {
    loop {
        let Progress::Waiting { next_poll } = progress else {
            return Ok(progress);
        };
        if no_wait {
            return Ok(progress);
        }
        {
            let mut err = certkeeper_core::text::Escaping::new(std::io::stderr().lock());
            let _ = writeln!(err, "{}", words::progress_line(id, &progress, context.lang));
        }
        let wait = (next_poll - now()).max(0) as u64;
        std::thread::sleep(std::time::Duration::from_secs(wait));
        progress = enroll::advance(archive, id, transport, environment)?;
    }
}

fn print_progress(context: &Context, id: i64, progress: &Progress) -> Result<()> {
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &ProgressJson::of(id, progress))?;
    } else {
        writeln!(out, "{}", words::progress_line(id, progress, context.lang))
            .map_err(AppError::Output)?;
    }
    if let Progress::Rejected { reason } = progress {
        return Err(AppError::RequestRejected {
            id,
            reason: reason.clone(),
        }
        .into());
    }
    Ok(())
}

/// Options of `request submit`.
#[derive(Debug)]
pub struct SubmitOptions<'a> {
    /// The CA's CMP address.
    pub url: &'a str,
    /// The one-time code's reference.
    pub reference: Option<&'a str>,
    /// The one-time code's file.
    pub secret_file: Option<&'a Path>,
    /// ir, cr, p10cr or kur.
    pub command: &'a str,
    /// Return without waiting.
    pub no_wait: bool,
    /// The token's PIN.
    pub pin_file: Option<&'a Path>,
    /// PKCS#11 modules.
    pub modules: &'a [PathBuf],
}

/// Runs `certkeeper request submit`.
pub fn submit(context: &Context, id: i64, options: &SubmitOptions<'_>) -> Result<()> {
    let command = Command::parse(options.command).unwrap_or(Command::Ir);
    let secret = read_given(options.secret_file)?;
    let terminal = Terminal::new(context.lang);
    let prompt = Answering::new(pin_only(options.pin_file)?, &terminal);
    let mut archive = open_archive(context)?;
    let modules = super::media::modules(options.modules)?;
    let environment = Environment {
        module_paths: &modules,
        registry: &|| registry(context),
        prompt: &prompt,
    };
    let transport = certkeeper_core::enroll::http::Http::new(options.url)?;
    let progress = enroll::submit(
        &mut archive,
        id,
        &Submission {
            url: options.url,
            reference: options.reference,
            secret: secret.as_ref(),
            command,
        },
        &transport,
        &environment,
    )?;
    let progress = follow(
        context,
        &mut archive,
        id,
        progress,
        options.no_wait,
        &transport,
        &environment,
    )?;
    print_progress(context, id, &progress)
}

/// Runs `certkeeper request install JOB FILE`.
pub fn install(
    context: &Context,
    id: i64,
    file: &Path,
    pin_file: Option<&Path>,
    modules: &[PathBuf],
) -> Result<()> {
    let terminal = Terminal::new(context.lang);
    let prompt = Answering::new(pin_only(pin_file)?, &terminal);
    let mut archive = open_archive(context)?;
    let modules = super::media::modules(modules)?;
    let progress = enroll::install_file(
        &mut archive,
        id,
        file,
        &Environment {
            module_paths: &modules,
            registry: &|| registry(context),
            prompt: &prompt,
        },
    )?;
    print_progress(context, id, &progress)
}

/// A job as `request list --json` gives it.
#[derive(Serialize)]
struct ListedJson<'a> {
    job: i64,
    state: State,
    subject: &'a str,
    medium: &'a str,
    key: &'a str,
    algorithm: &'a str,
    ca: Option<&'a str>,
    renews: Option<&'a str>,
    created: String,
    updated: String,
    next_poll: Option<String>,
    certificate_id: Option<i64>,
    error: Option<&'a str>,
    /// The PKCS#10 request, PEM (for a CA that takes files).
    csr: String,
}

fn listed(job: &Job) -> ListedJson<'_> {
    use certkeeper_core::cert::format_time;
    ListedJson {
        job: job.id,
        state: job.state,
        subject: &job.subject,
        medium: &job.medium,
        key: &job.key_place,
        algorithm: &job.algorithm,
        ca: job.ca.as_deref(),
        renews: job.renews.as_deref(),
        created: format_time(job.created),
        updated: format_time(job.updated),
        next_poll: job.next_poll.map(format_time),
        certificate_id: job.certificate_id,
        error: job.error.as_deref(),
        csr: enroll::csr_pem(job),
    }
}

/// Runs `certkeeper request list`.
pub fn list(context: &Context) -> Result<()> {
    let archive = open_archive(context)?;
    let jobs = archive.requests()?;
    let mut out = super::stdout();
    if context.json {
        let listed: Vec<ListedJson<'_>> = jobs.iter().map(listed).collect();
        super::write_json(&mut out, &listed)?;
    } else {
        words::write_list(&mut out, &jobs, context.lang).map_err(AppError::Output)?;
    }
    Ok(())
}

/// Runs `certkeeper request resume`: every job with the CA goes on. False when one failed (its
/// error is printed, and the others go on).
pub fn resume(
    context: &Context,
    no_wait: bool,
    pin_file: Option<&Path>,
    modules: &[PathBuf],
) -> Result<bool> {
    let terminal = Terminal::new(context.lang);
    let prompt = Answering::new(pin_only(pin_file)?, &terminal);
    let mut archive = open_archive(context)?;
    let modules = super::media::modules(modules)?;
    let environment = Environment {
        module_paths: &modules,
        registry: &|| registry(context),
        prompt: &prompt,
    };
    let open: Vec<Job> = archive
        .requests()?
        .into_iter()
        .filter(|job| matches!(job.state, State::Submitted | State::Waiting | State::Issued))
        .collect();
    let mut all_well = true;
    let mut results = Vec::new();
    for job in open.iter().rev() {
        let step = enroll::transport_of(job)
            .map_err(anyhow::Error::from)
            .and_then(|transport| {
                let progress = enroll::advance(&mut archive, job.id, &transport, &environment)?;
                follow(
                    context,
                    &mut archive,
                    job.id,
                    progress,
                    no_wait,
                    &transport,
                    &environment,
                )
            });
        match step {
            Ok(progress) => {
                if matches!(progress, Progress::Rejected { .. }) {
                    all_well = false;
                }
                if !context.json {
                    let mut out = super::stdout();
                    writeln!(
                        out,
                        "{}",
                        words::progress_line(job.id, &progress, context.lang)
                    )
                    .map_err(AppError::Output)?;
                }
                results.push(ProgressJson::of(job.id, &progress));
            }
            Err(error) => {
                all_well = false;
                let text = crate::messages::describe(&error, context.lang);
                let (problem, next) = crate::messages::errors::headings(context.lang);
                let mut err = certkeeper_core::text::Escaping::new(std::io::stderr().lock());
                let _ = writeln!(
                    err,
                    "{problem}: {}\n{next}: {}",
                    text.problem, text.next_step
                );
                results.push(ProgressJson {
                    job: job.id,
                    state: archive
                        .request(job.id)?
                        .map(|j| j.state)
                        .unwrap_or(job.state),
                    certificate_id: None,
                    sha1_thumbprint: None,
                    next_poll: None,
                    error: Some(text.problem),
                });
            }
        }
    }
    if context.json {
        super::write_json(&mut super::stdout(), &results)?;
    } else if open.is_empty() {
        writeln!(
            super::stdout(),
            "{}",
            words::nothing_to_resume(context.lang)
        )
        .map_err(AppError::Output)?;
    }
    Ok(all_well)
}

/// Runs `certkeeper request cancel JOB`.
pub fn cancel(context: &Context, id: i64) -> Result<()> {
    let mut archive = open_archive(context)?;
    let job = enroll::cancel(&mut archive, id)?;
    let mut out = super::stdout();
    if context.json {
        super::write_json(&mut out, &listed(&job))?;
    } else {
        writeln!(out, "{}", words::cancelled(id, context.lang)).map_err(AppError::Output)?;
    }
    Ok(())
}
