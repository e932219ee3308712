//! certkeeper: the command line, the desktop window and the reminder service in one binary.

mod agent;
mod cli;
mod commands;
mod messages;
mod progress;
mod prompt;
mod service;
mod settings;
mod ui;
mod views;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::commands::Context;
use crate::messages::{AppError, Lang};

/// Exit status for "no display to open the window on" (documented in `--help` and the README).
const EXIT_NO_DISPLAY: u8 = 3;
/// Exit status of `expiry` when something it lists is due (not snoozed).
const EXIT_SOMETHING_DUE: u8 = 4;

fn main() -> ExitCode {
    init_logging();
    let (lang, lang_origin) = Lang::detect();
    // Help and usage in the user's language.
    let cli = match Cli::from_arg_matches(&cli::command(lang).get_matches()) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    let context = Context {
        // The archive chosen in the window comes after --archive and CERTKEEPER_ARCHIVE.
        archive: cli.archive.or_else(|| {
            settings::Settings::load()
                .ok()
                .and_then(|settings| settings.archive)
        }),
        passphrase_file: cli.passphrase_file,
        json: cli.json,
        lang,
        lang_origin,
    };
    match run(
        cli.command.unwrap_or(Command::Ui {
            certificate: None,
            renew: None,
            requests: false,
        }),
        &context,
    ) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error, lang),
    }
}

fn run(command: Command, context: &Context) -> Result<()> {
    match command {
        Command::Ui {
            certificate,
            renew,
            requests,
        } => {
            let archive = certkeeper_storage::ArchiveLocation::resolve(context.archive.clone())?;
            let open_at = match (certificate, renew, requests) {
                (Some(certificate), _, _) => Some(ui::OpenAt::Certificate(certificate)),
                (None, Some(renew), _) => Some(ui::OpenAt::Renew(renew)),
                (None, None, true) => Some(ui::OpenAt::Requests),
                (None, None, false) => None,
            };
            ui::run(&archive, context.lang, open_at)
        }
        Command::Expiry { within, ics } => {
            if commands::reminders::expiry(context, within, ics.as_deref())? {
                Err(AppError::SomethingDue.into())
            } else {
                Ok(())
            }
        }
        Command::Remind(action) => {
            use commands::reminders::RemindAction;
            let action = match &action {
                cli::RemindCommand::Mute { certificate } => RemindAction::Mute(certificate),
                cli::RemindCommand::Unmute { certificate } => RemindAction::Unmute(certificate),
                cli::RemindCommand::Snooze { certificate, until } => {
                    RemindAction::Snooze(certificate, until.as_deref())
                }
                cli::RemindCommand::Unsnooze { certificate } => RemindAction::Unsnooze(certificate),
                cli::RemindCommand::List => RemindAction::List,
                cli::RemindCommand::Thresholds { days } => {
                    RemindAction::Thresholds(days.as_deref())
                }
            };
            commands::reminders::remind(context, action)
        }
        Command::Watch {
            once,
            install,
            uninstall,
            seconds,
            session,
        } => {
            if install || uninstall {
                commands::reminders::install(context, uninstall)
            } else {
                commands::reminders::watch(
                    context,
                    &commands::reminders::WatchOptions {
                        once,
                        seconds,
                        session,
                    },
                )
            }
        }
        Command::Info => commands::info::run(context),
        Command::Unlock { idle } => commands::unlock::unlock(context, idle.as_deref()),
        Command::Lock => commands::unlock::lock(context),
        Command::Agent => Ok(agent::serve()?),
        Command::Init {
            allow_weak_passphrase,
        } => commands::init::run(context, allow_weak_passphrase),
        Command::Import {
            paths,
            registry,
            password_file,
            keep_passwords,
        } => {
            let from = if registry {
                commands::import::From::Registry
            } else {
                commands::import::From::Paths(&paths)
            };
            match commands::import::import(context, from, password_file.as_deref(), keep_passwords)?
            {
                commands::import::Outcome::Done => Ok(()),
                commands::import::Outcome::SomethingUnreadable => {
                    Err(AppError::SomethingUnreadable.into())
                }
                commands::import::Outcome::WrongPasswords(count) => {
                    Err(AppError::WrongContainerPasswords { count }.into())
                }
            }
        }
        Command::Request(request) => run_request(context, request),
        Command::List { hidden: true, .. } => commands::archive::list_hidden(context),
        Command::List {
            search,
            expiring_within,
            ..
        } => commands::archive::list(context, search.as_deref(), expiring_within),
        Command::Hide { certificate } => commands::archive::hide(context, &certificate, true),
        Command::Unhide { certificate } => commands::archive::hide(context, &certificate, false),
        Command::Merge { certificate, undo } => {
            commands::archive::merge(context, &certificate, undo)
        }
        Command::Show { id_or_thumbprint } => commands::archive::show(context, &id_or_thumbprint),
        Command::Audit => commands::archive::audit(context),
        Command::Decrypt {
            input,
            batch,
            out,
            key_password_file,
            content_key_file,
            key_file,
            originators,
            reverse_key,
            openssl_acpkm,
            pin_file,
            pkcs11_modules,
        } => {
            let key_stream = if openssl_acpkm {
                certkeeper_core::cms::content::KeyStream::OpensslGostEngine30
            } else {
                certkeeper_core::cms::content::KeyStream::Standard
            };
            if let (Some(input), Some(key_file)) = (&input, &key_file) {
                return commands::decrypt::decrypt_with_key_file(
                    context,
                    input,
                    out.as_deref(),
                    key_file,
                    &originators,
                    key_password_file.as_deref(),
                    key_stream,
                );
            }
            if let (Some(input), Some(key_file)) = (&input, &content_key_file) {
                return commands::decrypt::decrypt_with_content_key(
                    context,
                    input,
                    out.as_deref(),
                    key_file,
                    reverse_key,
                    key_stream,
                );
            }
            let terminal = prompt::Terminal::new(context.lang);
            let prompt = prompt::Answering::new(
                prompt::Given {
                    container_password: prompt::read_given(key_password_file.as_deref())?,
                    pin: prompt::read_given(pin_file.as_deref())?,
                    ..prompt::Given::default()
                },
                &terminal,
            );
            let mut keys =
                commands::decrypt::Keys::new(context, commands::media::modules(&pkcs11_modules)?)?
                    .with_key_stream(key_stream);
            match (input, batch, out) {
                (_, Some(folder), Some(out)) => {
                    if commands::decrypt::decrypt_batch(&mut keys, &folder, &out, &prompt)? {
                        Ok(())
                    } else {
                        Err(AppError::NotAllOpened.into())
                    }
                }
                (Some(input), _, out) => {
                    commands::decrypt::decrypt(&mut keys, &input, out.as_deref(), &prompt)
                }
                _ => Err(AppError::SomethingUnreadable.into()),
            }
        }
        Command::Copy {
            thumbprint,
            from,
            to,
            from_secret_file,
            to_secret_file,
            certificate_only,
            pkcs11_modules,
        } => commands::copy::copy(
            context,
            &thumbprint,
            &commands::copy::CopyOptions {
                from: &from,
                to: &to,
                from_secret_file: from_secret_file.as_deref(),
                to_secret_file: to_secret_file.as_deref(),
                certificate_only,
                modules: &pkcs11_modules,
            },
        ),
        Command::Media(cli::MediaCommand::List {
            pkcs11_modules,
            token,
            pin_file,
            dirs,
        }) => commands::media::list(
            context,
            &pkcs11_modules,
            token.as_deref(),
            pin_file.as_deref(),
            &dirs,
        ),
        Command::Media(cli::MediaCommand::Keygen {
            token,
            algorithm,
            label,
            id,
            extractable,
            pin_file,
            public_key_out,
            pkcs11_modules,
        }) => commands::media::keygen(
            context,
            &commands::media::Keygen {
                token: &token,
                algorithm: &algorithm,
                label: &label,
                id: id.as_deref(),
                extractable,
                pin_file: pin_file.as_deref(),
                public_key_out: public_key_out.as_deref(),
                modules: &pkcs11_modules,
            },
        ),
        Command::Media(cli::MediaCommand::Watch {
            seconds,
            archive_new,
            pkcs11_modules,
        }) => commands::media::watch(context, seconds, archive_new.then_some(&pkcs11_modules[..])),
        Command::Settings { action } => commands::settings::run(context, action),
        Command::Registry(cli::RegistryCommand::Sync) => commands::registry::sync(context),
        Command::Registry(cli::RegistryCommand::ExportReg { sid, out }) => {
            commands::registry::export_reg(context, &sid, &out)
        }
        Command::Passwd {
            new_passphrase_file,
            allow_weak_passphrase,
        } => commands::maintenance::passwd(
            context,
            new_passphrase_file.as_deref(),
            allow_weak_passphrase,
        ),
        Command::Backup { path } => commands::maintenance::backup(context, &path),
        Command::Restore { path } => commands::maintenance::restore(context, &path),
        Command::Export {
            id_or_thumbprint,
            format,
            out,
            password_file,
            key_password_file,
        } => commands::export::export(
            context,
            &id_or_thumbprint,
            format,
            &commands::export::ExportOptions {
                out: &out,
                password_file: password_file.as_deref(),
                key_password_file: key_password_file.as_deref(),
            },
        ),
        Command::Verify => {
            if commands::archive::verify(context)? {
                Ok(())
            } else {
                Err(AppError::ArchiveDamaged.into())
            }
        }
        Command::Inspect {
            paths,
            password_file,
        } => {
            if commands::inspect::run(context, &paths, password_file.as_deref())? {
                Ok(())
            } else {
                Err(AppError::SomethingUnreadable.into())
            }
        }
        Command::PackageFiles { out, program } => {
            let written = commands::packaging::write(&out, &program)?;
            if !context.json {
                writeln!(
                    commands::stdout(),
                    "{}",
                    crate::messages::archive::done(
                        crate::messages::archive::Done::Written(&out),
                        context.lang
                    )
                )
                .map_err(AppError::Output)?;
            } else {
                commands::write_json(&mut commands::stdout(), &written)?;
            }
            Ok(())
        }
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "certkeeper", &mut out);
            out.flush().map_err(AppError::Output)?;
            Ok(())
        }
    }
}

/// Runs `certkeeper request …`.
fn run_request(context: &commands::Context, request: cli::RequestCommand) -> anyhow::Result<()> {
    use cli::RequestCommand;
    use commands::request;
    match request {
        RequestCommand::New {
            subject,
            name,
            snils,
            inn,
            organisation,
            innle,
            ogrn,
            ogrnip,
            title,
            email,
            locality,
            region,
            like,
            medium,
            algorithm,
            pin_file,
            password_file,
            no_password,
            csr_out,
            pkcs11_modules,
        } => request::new(
            context,
            &request::NewOptions {
                subject: subject.as_deref(),
                form: name.map(|name| {
                    use certkeeper_core::enroll::name::{Field, Fields};
                    let mut fields = Fields::default();
                    fields.set(Field::FullName, name);
                    for (field, value) in [
                        (Field::Snils, snils),
                        (Field::Inn, inn),
                        (Field::Organisation, organisation),
                        (Field::Innle, innle),
                        (Field::Ogrn, ogrn),
                        (Field::Ogrnip, ogrnip),
                        (Field::Title, title),
                        (Field::Email, email),
                        (Field::Locality, locality),
                        (Field::Region, region),
                    ] {
                        if let Some(value) = value {
                            fields.set(field, value);
                        }
                    }
                    fields
                }),
                like: like.as_deref(),
                medium: &medium,
                algorithm: &algorithm,
                pin_file: pin_file.as_deref(),
                password_file: password_file.as_deref(),
                no_password,
                csr_out: csr_out.as_deref(),
                modules: &pkcs11_modules,
            },
        ),
        RequestCommand::Submit {
            job,
            cmp,
            reference,
            secret_file,
            command,
            no_wait,
            pin_file,
            pkcs11_modules,
        } => request::submit(
            context,
            job,
            &request::SubmitOptions {
                url: &cmp,
                reference: reference.as_deref(),
                secret_file: secret_file.as_deref(),
                command: &command,
                no_wait,
                pin_file: pin_file.as_deref(),
                modules: &pkcs11_modules,
            },
        ),
        RequestCommand::Install {
            job,
            file,
            pin_file,
            pkcs11_modules,
        } => request::install(context, job, &file, pin_file.as_deref(), &pkcs11_modules),
        RequestCommand::List => request::list(context),
        RequestCommand::Resume {
            no_wait,
            pin_file,
            pkcs11_modules,
        } => {
            if request::resume(context, no_wait, pin_file.as_deref(), &pkcs11_modules)? {
                Ok(())
            } else {
                Err(AppError::RequestsFailed.into())
            }
        }
        RequestCommand::Cancel { job } => request::cancel(context, job),
    }
}

/// Tells the person what went wrong and what to do next, in their language, and picks the exit status.
fn report(error: &anyhow::Error, lang: Lang) -> ExitCode {
    tracing::debug!(error = format_args!("{error:#}"), "command failed");
    // The reader went away (`certkeeper ... | head`): nothing to tell anyone.
    if let Some(AppError::Output(source)) = error.downcast_ref::<AppError>()
        && source.kind() == std::io::ErrorKind::BrokenPipe
    {
        return ExitCode::SUCCESS;
    }
    // `expiry` printed its list; the status says that something is due.
    if matches!(
        error.downcast_ref::<AppError>(),
        Some(AppError::SomethingDue)
    ) {
        return ExitCode::from(EXIT_SOMETHING_DUE);
    }
    let text = messages::describe(error, lang);
    // Errors name files and what they hold: escaped as standard output is.
    let mut err = certkeeper_core::text::Escaping::new(std::io::stderr().lock());
    if matches!(error.downcast_ref::<AppError>(), Some(AppError::NoDisplay)) {
        // One line: the person asked for a window and should see at once how to go on without it.
        let _ = writeln!(err, "certkeeper: {} {}", text.problem, text.next_step);
        return ExitCode::from(EXIT_NO_DISPLAY);
    }
    let (problem, next) = messages::errors::headings(lang);
    let _ = writeln!(
        err,
        "{problem}: {}\n{next}: {}",
        text.problem, text.next_step
    );
    ExitCode::FAILURE
}

/// Our own warnings, and only errors from the libraries underneath (the windowing stack is chatty).
const DEFAULT_LOG_FILTER: &str =
    "error,certkeeper=warn,certkeeper_core=warn,certkeeper_storage=warn";

/// Logs go to standard error, filtered by `CERTKEEPER_LOG` (default: warnings). No code logs a secret:
/// secrets are `SecretString`s whose `Debug` is redacted.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CERTKEEPER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false)
        .init();
}
