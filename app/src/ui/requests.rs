//! The requests page: getting a new certificate as the CA guide walks through it, over core's
//! [`certkeeper_core::enroll`] — the same calls `certkeeper request …` makes. Everything that
//! touches a token, the network or the key's derivation runs off the window's thread; a job waiting
//! at the CA is followed on one connection while the window is open, and by the reminder service
//! when it is not.

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use anyhow::Result;
use certkeeper_core::cert::Certificate;
use certkeeper_core::enroll::name::{Field, Fields, Subject, SubjectError};
use certkeeper_core::enroll::{
    self, Algorithm, Environment, Job, Progress, Requests, Secret, State, SubjectFrom, Submission,
};
use certkeeper_core::formats::pkcs8::KeyInfo;
use certkeeper_core::import::FileImport;
use certkeeper_core::media::registry::RegistryStore;
use certkeeper_core::open::SourceError;
use certkeeper_core::secret::SecretString;
use certkeeper_storage::Archive;
use slint::{ComponentHandle, Model, ModelRc, VecModel};

use super::{
    AppState, AppWindow, DueRow, FormField, JobRow, PlaceRow, RequestsAdapter, ReviewLine, Shared,
};
use crate::messages::Lang;
use crate::messages::requests as words;

/// The form's fields for a new certificate, in the CA guide's order.
pub(crate) const FORM: [Field; 8] = [
    Field::FullName,
    Field::Snils,
    Field::Inn,
    Field::Organisation,
    Field::Innle,
    Field::Ogrn,
    Field::Title,
    Field::Email,
];

/// The key algorithms offered, as the view's list shows them.
const ALGORITHMS: [&str; 4] = ["gost2012-256", "gost2012-512", "rsa2048", "ec-p256"];

/// How long a CA's one-time code lives (the CA guide: five minutes).
const CODE_LIFETIME: Duration = Duration::from_secs(300);

/// The request being made in the window.
#[derive(Default)]
pub(crate) struct Wizard {
    /// Certificates that can be renewed: archive id and name, as the list shows them.
    renewable: Vec<(i64, String)>,
    /// What was typed in the form.
    values: Vec<(Field, String)>,
    /// The job made (from step 5 on).
    job: Option<i64>,
    /// Until when the one-time code typed is valid.
    code_until: Option<Instant>,
    /// The certificate installed (step 7), and the media offered for a copy of its key.
    installed: Option<String>,
    targets: Vec<String>,
    /// Jobs followed at the CA now (one connection each).
    followed: std::collections::HashSet<i64>,
}

/// The archive as a CMP exchange in the window sees it: the CA is asked and its certificate
/// confirmed, but installing waits for the person's "Install" (the CA guide's last step).
pub(crate) struct Confirming<'a>(pub &'a mut Archive);

impl Requests for Confirming<'_> {
    fn create(&mut self, job: &Job, key: Option<&FileImport<'_>>) -> Result<i64, SourceError> {
        self.0.create(job, key)
    }
    fn save(&mut self, job: &Job, secret: Secret<'_>) -> Result<(), SourceError> {
        self.0.save(job, secret)
    }
    fn secret(&mut self, id: i64) -> Result<Option<SecretString>, SourceError> {
        self.0.secret(id)
    }
    fn job(&mut self, id: i64) -> Result<Option<Job>, SourceError> {
        Requests::job(self.0, id)
    }
    fn jobs(&mut self) -> Result<Vec<Job>, SourceError> {
        Requests::jobs(self.0)
    }
    fn install(&mut self, job: &Job, files: &[FileImport<'_>]) -> Result<i64, SourceError> {
        self.0.install(job, files)
    }
    fn certificate(&mut self, thumbprint: &str) -> Result<Option<Certificate>, SourceError> {
        self.0.certificate(thumbprint)
    }
    fn private_key(&mut self, certificate: &Certificate) -> Result<Option<KeyInfo>, SourceError> {
        Requests::private_key(self.0, certificate)
    }
    fn can_install(&self) -> bool {
        false
    }
}

/// The registry store beside the archive at `archive`.
fn registry(archive: Option<&std::path::Path>) -> Result<RegistryStore, SourceError> {
    certkeeper_storage::location::registry_store(archive)
        .map_err(|error| -> SourceError { Box::new(error) })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0)
}

/// What the form says is wrong, field by field. While typing (`all` false) a field left empty or
/// not yet long enough is not an error; on Continue everything is.
pub(crate) fn form_errors(values: &[(Field, String)], all: bool) -> Vec<(Field, SubjectError)> {
    let fields = Fields {
        values: values.to_vec(),
    };
    match Subject::from_fields(&fields) {
        Ok(_) => Vec::new(),
        Err(errors) => errors
            .into_iter()
            .filter(|error| {
                all || !matches!(
                    error.problem,
                    SubjectError::Missing { .. } | SubjectError::Length { .. }
                )
            })
            .map(|error| (error.field, error.problem))
            .collect(),
    }
}

/// The form's rows: each field with what was typed and what is wrong with it.
pub(crate) fn form_rows(values: &[(Field, String)], all: bool, lang: Lang) -> Vec<FormField> {
    let errors = form_errors(values, all);
    FORM.iter()
        .map(|field| FormField {
            key: field.key().into(),
            label: words::field_label(*field, lang).into(),
            value: values
                .iter()
                .find(|(which, _)| which == field)
                .map(|(_, value)| value.as_str())
                .unwrap_or_default()
                .into(),
            error: errors
                .iter()
                .filter(|(which, _)| which == field)
                .map(|(_, problem)| words::field_problem(problem, lang))
                .collect::<Vec<_>>()
                .join(" ")
                .into(),
        })
        .collect()
}

/// Every field that goes into the request, in words a person reads.
pub(crate) fn review(
    archive: &mut Archive,
    renews: Option<i64>,
    values: &[(Field, String)],
    lang: Lang,
) -> Result<Vec<ReviewLine>> {
    let lines = match renews {
        Some(id) => {
            let certificate = Requests::certificate(archive, &id.to_string())
                .map_err(enroll::EnrollError::from)?
                .and_then(|certificate| certificate.subject_der())
                .unwrap_or_default();
            certkeeper_core::enroll::name::review_der(&certificate)
        }
        None => Subject::from_fields(&Fields {
            values: values.to_vec(),
        })
        .map_err(enroll::EnrollError::Fields)?
        .review(),
    };
    Ok(words::review_lines(lines, lang)
        .into_iter()
        .map(|(label, value)| ReviewLine {
            label: label.into(),
            value: value.into(),
        })
        .collect())
}

/// The list's rows: every job, newest first.
pub(crate) fn job_rows(jobs: &[Job], lang: Lang) -> Vec<JobRow> {
    jobs.iter()
        .map(|job| JobRow {
            id: i32::try_from(job.id).unwrap_or_default(),
            subject: super::shown(&job.subject),
            state: words::state_name(job.state, lang).into(),
            detail: super::shown(&words::job_detail(job, lang)),
            kind: match job.state {
                State::KeyGenerated | State::RequestMade => "made",
                State::Submitted | State::Waiting => "waiting",
                State::Issued => "issued",
                State::Installed => "installed",
                State::Rejected => "rejected",
                State::Cancelled => "cancelled",
            }
            .into(),
        })
        .collect()
}

/// The certificates due for renewal (what the reminders warn about), without those a request
/// under way already renews.
pub(crate) fn due_rows(
    shared: &Shared,
    jobs: &[Job],
    archive: &Archive,
    lang: Lang,
) -> Vec<DueRow> {
    let now = super::reminders::now();
    let renewing: Vec<&str> = jobs
        .iter()
        .filter(|job| !matches!(job.state, State::Cancelled | State::Rejected))
        .filter_map(|job| job.renews.as_deref())
        .collect();
    super::reminders::rows(&shared.location(), now, lang)
        .unwrap_or_default()
        .into_iter()
        .filter(|row| !row.muted)
        .filter(|row| {
            let thumbprint = archive
                .certificate_der(&row.id.to_string())
                .ok()
                .flatten()
                .and_then(|(_, der)| Certificate::from_der(&der).ok())
                .map(|certificate| certificate.sha1_thumbprint);
            !thumbprint.is_some_and(|thumbprint| renewing.contains(&thumbprint.as_str()))
        })
        .map(|row| DueRow {
            id: row.id,
            summary: row.summary,
            detail: row.detail,
            days: row.days,
        })
        .collect()
}

/// Shows the list again (and the job followed, on steps 6 and 7).
pub(crate) fn refresh(window: &AppWindow, shared: &Shared) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    let archive = shared.archive.borrow();
    let Some(archive) = archive.as_ref() else {
        return;
    };
    let jobs = match archive.requests() {
        Ok(jobs) => jobs,
        Err(error) => {
            status(window, &super::session::shown(&error.into(), lang), false);
            return;
        }
    };
    adapter.set_jobs(ModelRc::new(VecModel::from(job_rows(&jobs, lang))));
    adapter.set_due(ModelRc::new(VecModel::from(due_rows(
        shared, &jobs, archive, lang,
    ))));
    let followed = shared.wizard.borrow().job;
    if let Some(job) = followed.and_then(|id| jobs.iter().find(|job| job.id == id)) {
        adapter.set_job_line(super::shown(&words::job_line(job, lang)));
        let step = adapter.get_step();
        if step == 6 && job.state == State::Issued {
            adapter.set_step(7);
        }
        if (6..=7).contains(&step) && job.state == State::Rejected {
            status(window, &words::job_line(job, lang), false);
        }
    }
}

fn status(window: &AppWindow, text: &str, good: bool) {
    let adapter = window.global::<RequestsAdapter>();
    adapter.set_status(super::shown(text));
    adapter.set_status_good(good);
}

fn error_status(window: &AppWindow, error: anyhow::Error, lang: Lang) {
    let text =
        words::in_window(&error, lang).unwrap_or_else(|| super::session::shown(&error, lang));
    status(window, &text, false);
}

/// Step 1 for a new certificate (`renew` 0) or the renewal of archived certificate `renew`.
pub(crate) fn start(window: &AppWindow, shared: &Shared, renew: i64) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    let mut renewable = Vec::new();
    if let Some(archive) = shared.archive.borrow().as_ref()
        && let Ok(listed) = archive.list_certificates(None, None)
    {
        let mut current: Vec<_> = listed
            .into_iter()
            .filter(|item| item.superseded_by.is_none())
            .collect();
        current.sort_by_key(|item| item.not_after);
        renewable = current
            .iter()
            .map(|item| {
                (
                    item.id,
                    words::renewable_name(
                        super::certificates::short_name(&item.subject_name),
                        item.not_after,
                        lang,
                    ),
                )
            })
            .collect();
    }
    let index = renewable.iter().position(|(id, _)| *id == renew);
    let names: Vec<slint::SharedString> = renewable
        .iter()
        .map(|(_, name)| super::shown(name))
        .collect();
    {
        let mut wizard = shared.wizard.borrow_mut();
        wizard.renewable = renewable;
        wizard.job = None;
        wizard.code_until = None;
        wizard.installed = None;
    }
    adapter.set_renewable_names(ModelRc::new(VecModel::from(names)));
    adapter.set_renewable_index(index.and_then(|i| i32::try_from(i).ok()).unwrap_or(0));
    adapter.set_renewing(index.is_some());
    adapter.set_fields(ModelRc::new(VecModel::from(form_rows(
        &shared.wizard.borrow().values,
        false,
        lang,
    ))));
    adapter.set_consent(false);
    adapter.set_place("".into());
    adapter.set_code("".into());
    adapter.set_use_kur(false);
    adapter.set_installed(false);
    adapter.set_status("".into());
    adapter.set_step(1);
    window.global::<AppState>().set_page("requests".into());
}

/// The archive id of the certificate renewed, when step 1 says renew.
fn renewed(window: &AppWindow, shared: &Shared) -> Option<i64> {
    let adapter = window.global::<RequestsAdapter>();
    if !adapter.get_renewing() {
        return None;
    }
    let index = usize::try_from(adapter.get_renewable_index()).ok()?;
    shared
        .wizard
        .borrow()
        .renewable
        .get(index)
        .map(|(id, _)| *id)
}

/// The media a key can go to — tokens, the registry store, drives — read off the window's thread;
/// `done` gets them on it.
fn key_media(
    window: &AppWindow,
    shared: &Rc<Shared>,
    done: impl FnOnce(&AppWindow, &Rc<Shared>, Result<Vec<super::media::Medium>>) + 'static,
) {
    let Some(Ok(archive)) = shared.archive.borrow().as_ref().map(Archive::another) else {
        return;
    };
    let lang = shared.lang.get();
    let weak = window.as_weak();
    let shared = shared.clone();
    super::session::off_the_window(
        move || {
            let mut media = super::media::survey(&archive, lang)?;
            media.retain(|medium| {
                matches!(medium.row.kind.as_str(), "token" | "registry" | "drive")
            });
            Ok(media)
        },
        move |surveyed| {
            if let Some(window) = weak.upgrade() {
                done(&window, &shared, surveyed);
            }
        },
    );
}

/// The places a key can go (step 3), with the guide's hint beside each.
fn load_places(window: &AppWindow, shared: &Rc<Shared>) {
    window.global::<RequestsAdapter>().set_places_loading(true);
    key_media(window, shared, |window, shared, surveyed| {
        let lang = shared.lang.get();
        let adapter = window.global::<RequestsAdapter>();
        adapter.set_places_loading(false);
        match surveyed {
            Ok(media) => {
                let places: Vec<PlaceRow> = media
                    .iter()
                    .map(|medium| PlaceRow {
                        medium: medium.row.medium.clone(),
                        kind: medium.row.kind.clone(),
                        name: medium.row.name.clone(),
                        detail: medium.row.detail.clone(),
                        hint: words::place_hint(&medium.row.kind, &medium.generates, lang).into(),
                        warning: medium.row.warning.clone(),
                    })
                    .collect();
                adapter.set_places(ModelRc::new(VecModel::from(places)));
            }
            Err(error) => error_status(window, error, lang),
        }
    });
}

/// The medium chosen on step 3, as `--medium` names it.
fn chosen_medium(window: &AppWindow) -> Option<String> {
    let adapter = window.global::<RequestsAdapter>();
    let place = adapter.get_place();
    if place == "folder" {
        let folder = adapter.get_folder();
        let folder = folder.trim();
        return (!folder.is_empty()).then(|| format!("dir:{folder}"));
    }
    (!place.is_empty()).then(|| place.to_string())
}

/// Runs `work` off the window's thread on another connection to the archive, with the token
/// drivers and the window's PIN and password dialog; the page is busy meanwhile and `done` gets
/// the result on the window's thread. Work with tokens takes [`super::media::TOKENS`] itself.
fn with_archive<T: Send + 'static>(
    window: &AppWindow,
    shared: &Rc<Shared>,
    work: impl FnOnce(&mut Archive, &Environment<'_>) -> Result<T> + Send + 'static,
    done: impl FnOnce(&AppWindow, &Rc<Shared>, Result<T>) + 'static,
) {
    let Some(Ok(mut archive)) = shared.archive.borrow().as_ref().map(Archive::another) else {
        return;
    };
    window.global::<RequestsAdapter>().set_busy(true);
    let prompt = super::prompt::WindowPrompt {
        window: window.as_weak(),
        lang: shared.lang.get(),
    };
    let weak = window.as_weak();
    let shared = shared.clone();
    super::session::off_the_window(
        move || {
            let modules = crate::settings::module_paths(&[])?;
            let place = archive.path().map(std::path::Path::to_path_buf);
            work(
                &mut archive,
                &Environment {
                    module_paths: &modules,
                    registry: &|| registry(place.as_deref()),
                    prompt: &prompt,
                },
            )
        },
        move |result| {
            if let Some(window) = weak.upgrade() {
                window.global::<RequestsAdapter>().set_busy(false);
                done(&window, &shared, result);
            }
        },
    );
}

/// Step 4: the key on the chosen medium and the request, off the window's thread; PINs and
/// passwords are asked in the window's dialog, once.
fn make_key(window: &AppWindow, shared: &Rc<Shared>) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    let Some(medium) = chosen_medium(window) else {
        status(window, words::missing("place", lang), false);
        return;
    };
    let renews = renewed(window, shared).map(|id| id.to_string());
    let fields = Fields {
        values: shared.wizard.borrow().values.clone(),
    };
    let algorithm = usize::try_from(adapter.get_algorithm())
        .ok()
        .and_then(|index| ALGORITHMS.get(index))
        .and_then(|name| Algorithm::parse(name))
        .unwrap_or_default();
    adapter.set_step(4);
    adapter.set_status("".into());
    with_archive(
        window,
        shared,
        move |archive, environment| {
            let _one_at_a_time = super::media::TOKENS.lock();
            let medium: certkeeper_core::copy::Medium = medium.parse()?;
            let subject = match &renews {
                Some(id) => SubjectFrom::Like(id),
                None => SubjectFrom::Fields(&fields),
            };
            Ok(enroll::new_request(
                archive,
                subject,
                &medium,
                algorithm,
                environment,
            )?)
        },
        move |window, shared, created| match created {
            Ok(created) => {
                tracing::info!(request = created.job.id, "request made in the window");
                let notices: Vec<String> = created
                    .notices
                    .iter()
                    .map(|notice| words::notice(notice, lang))
                    .collect();
                let adapter = window.global::<RequestsAdapter>();
                adapter.set_notices(super::shown(&notices.join("\n")));
                shared.wizard.borrow_mut().job = Some(created.job.id);
                adapter.set_job(i32::try_from(created.job.id).unwrap_or_default());
                adapter.set_can_kur(!created.job.kur_req_msg.is_empty());
                open_ca_step(window, shared);
                refresh(window, shared);
            }
            Err(error) => error_status(window, error, lang),
        },
    );
}

/// Step 5, with the CA's address from the settings and a fresh five minutes for the code.
fn open_ca_step(window: &AppWindow, shared: &Shared) {
    let adapter = window.global::<RequestsAdapter>();
    if adapter.get_ca_url().is_empty()
        && let Some(url) = crate::settings::path()
            .and_then(|path| crate::settings::Settings::load_from(&path).ok())
            .and_then(|settings| settings.ca_url)
    {
        adapter.set_ca_url(url.into());
    }
    shared.wizard.borrow_mut().code_until = Some(Instant::now() + CODE_LIFETIME);
    tick(window, shared);
    adapter.set_step(5);
}

/// Keeps the CA's address for the next request.
fn remember_ca(url: &str) -> Result<()> {
    let Some(path) = crate::settings::path() else {
        return Ok(());
    };
    let mut settings = crate::settings::Settings::load_from(&path)?;
    if settings.ca_url.as_deref() != Some(url) {
        settings.ca_url = Some(url.to_owned());
        settings.save_to(&path)?;
    }
    Ok(())
}

/// Step 5's Send: the request goes to the CA with the one-time code (or signed with the renewed
/// certificate's key), off the window's thread. A wrong code keeps everything typed.
fn send(window: &AppWindow, shared: &Rc<Shared>) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    let Some(id) = shared.wizard.borrow().job else {
        return;
    };
    let url = adapter.get_ca_url().trim().to_owned();
    if url.is_empty() {
        status(window, words::missing("ca", lang), false);
        return;
    }
    let kur = adapter.get_use_kur() && adapter.get_can_kur();
    let reference = adapter.get_reference().trim().to_owned();
    let code = adapter.get_code().trim().to_owned();
    if !kur {
        if reference.is_empty() || code.is_empty() {
            status(window, words::missing("code", lang), false);
            return;
        }
        if adapter.get_seconds_left() <= 0 {
            status(window, words::missing("expired", lang), false);
            return;
        }
    }
    if let Err(error) = remember_ca(&url) {
        tracing::warn!(%error, "the CA's address could not be kept in the settings");
    }
    let renewal = renewed(window, shared).is_some();
    status(window, "", true);
    with_archive(
        window,
        shared,
        move |archive, environment| {
            let transport = certkeeper_core::enroll::http::Http::new(&url)?;
            let secret = SecretString::from(code);
            let command = if kur {
                enroll::Command::Kur
            } else if renewal {
                enroll::Command::Cr
            } else {
                enroll::Command::Ir
            };
            let progress = enroll::submit(
                &mut Confirming(archive),
                id,
                &Submission {
                    url: &url,
                    reference: (!kur).then_some(reference.as_str()),
                    secret: (!kur).then_some(&secret),
                    command,
                },
                &transport,
                environment,
            )?;
            Ok((progress, transport))
        },
        move |window, shared, sent| match sent {
            Ok((progress, transport)) => {
                window.global::<RequestsAdapter>().set_code("".into());
                shared.wizard.borrow_mut().code_until = None;
                after(window, shared, id, progress, transport);
            }
            Err(error) => {
                // Everything typed stays; the job is there to send again with a new code.
                error_status(window, error, lang);
                refresh(window, shared);
            }
        },
    );
}

/// Where the job followed goes after the CA answered: waiting (followed on the same connection),
/// issued (Install), rejected (the CA's reason).
fn after(
    window: &AppWindow,
    shared: &Rc<Shared>,
    id: i64,
    progress: Progress,
    transport: certkeeper_core::enroll::http::Http,
) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    let ours = shared.wizard.borrow().job == Some(id);
    match &progress {
        Progress::Waiting { .. } => {
            if ours && adapter.get_step() == 5 {
                adapter.set_step(6);
            }
            follow(window, shared, id, progress, transport);
        }
        Progress::Issued { .. } | Progress::Installed { .. } => {
            shared.wizard.borrow_mut().followed.remove(&id);
            if ours && (5..=6).contains(&adapter.get_step()) {
                adapter.set_step(7);
            }
        }
        Progress::Rejected { .. } => {
            shared.wizard.borrow_mut().followed.remove(&id);
            status(window, &words::progress_line(id, &progress, lang), false);
        }
    }
    refresh(window, shared);
}

/// Asks the CA about job `id` again when it said to, on the same connection (a CA may keep a
/// transaction per connection), until it is issued or refused.
fn follow(
    window: &AppWindow,
    shared: &Rc<Shared>,
    id: i64,
    progress: Progress,
    transport: certkeeper_core::enroll::http::Http,
) {
    let Progress::Waiting { next_poll } = progress else {
        return;
    };
    let Some(Ok(archive)) = shared.archive.borrow().as_ref().map(Archive::another) else {
        return;
    };
    shared.wizard.borrow_mut().followed.insert(id);
    let lang = shared.lang.get();
    let weak = window.as_weak();
    let shared = shared.clone();
    super::session::off_the_window(
        move || {
            let wait = (next_poll - now()).clamp(0, 3600);
            std::thread::sleep(Duration::from_secs(u64::try_from(wait).unwrap_or(0)));
            let mut archive = archive;
            let place = archive.path().map(std::path::Path::to_path_buf);
            let nobody = crate::prompt::Nobody;
            let advanced = enroll::advance(
                &mut Confirming(&mut archive),
                id,
                &transport,
                &Environment {
                    module_paths: &[],
                    registry: &|| registry(place.as_deref()),
                    prompt: &nobody,
                },
            );
            (advanced, transport)
        },
        move |(advanced, transport)| {
            let Some(window) = weak.upgrade() else { return };
            match advanced {
                Ok(progress) => after(&window, &shared, id, progress, transport),
                Err(error) => {
                    // Cancelled meanwhile, or the CA not reached: the service, or the next start,
                    // goes on.
                    tracing::warn!(request = id, %error, "the CA could not be asked");
                    shared.wizard.borrow_mut().followed.remove(&id);
                    if shared.wizard.borrow().job == Some(id) {
                        error_status(&window, error.into(), lang);
                    }
                    refresh(&window, &shared);
                }
            }
        },
    );
}

/// Follows every job at the CA that is not followed yet (after the archive is unlocked).
pub(crate) fn follow_open_jobs(window: &AppWindow, shared: &Rc<Shared>) {
    let jobs = match shared.archive.borrow().as_ref().map(Archive::requests) {
        Some(Ok(jobs)) => jobs,
        _ => return,
    };
    for job in jobs {
        let open = matches!(job.state, State::Submitted | State::Waiting)
            || (job.state == State::Issued && !job.confirmed);
        if !open || shared.wizard.borrow().followed.contains(&job.id) {
            continue;
        }
        match enroll::transport_of(&job) {
            Ok(transport) => {
                let due = job.next_poll.unwrap_or_else(now);
                follow(
                    window,
                    shared,
                    job.id,
                    Progress::Waiting { next_poll: due },
                    transport,
                );
            }
            Err(error) => tracing::warn!(request = job.id, %error, "no transport for the CA"),
        }
    }
}

/// Step 7's Install: the certificate next to its key and into the archive (a token's PIN asked in
/// the dialog), the renewed one superseded.
fn install(window: &AppWindow, shared: &Rc<Shared>) {
    let lang = shared.lang.get();
    let Some(id) = shared.wizard.borrow().job else {
        return;
    };
    with_archive(
        window,
        shared,
        move |archive, environment| {
            let _one_at_a_time = super::media::TOKENS.lock();
            let job = archive
                .request(id)?
                .ok_or(enroll::EnrollError::NoSuchJob { id })?;
            let transport = enroll::transport_of(&job)?;
            Ok(enroll::advance(archive, id, &transport, environment)?)
        },
        move |window, shared, installed| match installed {
            Ok(progress) => installed_now(window, shared, id, &progress),
            Err(error) => error_status(window, error, lang),
        },
    );
}

/// After an install: the line to show, the copies offered, the lists refreshed.
fn installed_now(window: &AppWindow, shared: &Rc<Shared>, id: i64, progress: &Progress) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    if let Progress::Installed { thumbprint, .. } = progress {
        tracing::info!(request = id, %thumbprint, "installed in the window");
        shared.wizard.borrow_mut().installed = Some(thumbprint.clone());
        adapter.set_installed(true);
        status(window, &words::progress_line(id, progress, lang), true);
        offer_copies(window, shared);
    } else {
        status(window, &words::progress_line(id, progress, lang), false);
    }
    refresh(window, shared);
    super::certificates::load(window, shared);
}

/// The media a copy of the new key can go to: tokens, the registry store, drives.
fn offer_copies(window: &AppWindow, shared: &Rc<Shared>) {
    key_media(window, shared, |window, shared, surveyed| {
        let Ok(media) = surveyed else { return };
        let (targets, names): (Vec<String>, Vec<slint::SharedString>) = media
            .iter()
            .map(|medium| {
                (
                    medium.row.medium.to_string(),
                    format!("{} ({})", medium.row.name, medium.row.detail).into(),
                )
            })
            .unzip();
        shared.wizard.borrow_mut().targets = targets;
        window
            .global::<RequestsAdapter>()
            .set_target_names(ModelRc::new(VecModel::from(names)));
    });
}

/// Opens job `id` at its step: the CA (5), waiting (6), install (7).
fn open_job(window: &AppWindow, shared: &Rc<Shared>, id: i64) {
    let lang = shared.lang.get();
    let job = match shared
        .archive
        .borrow()
        .as_ref()
        .map(|archive| archive.request(id))
    {
        Some(Ok(Some(job))) => job,
        _ => return,
    };
    let adapter = window.global::<RequestsAdapter>();
    {
        let mut wizard = shared.wizard.borrow_mut();
        wizard.job = Some(id);
        wizard.installed = None;
    }
    adapter.set_job(i32::try_from(id).unwrap_or_default());
    adapter.set_job_line(super::shown(&words::job_line(&job, lang)));
    adapter.set_installed(job.state == State::Installed);
    adapter.set_can_kur(!job.kur_req_msg.is_empty());
    adapter.set_notices("".into());
    adapter.set_status("".into());
    if let Some(url) = &job.ca {
        adapter.set_ca_url(url.into());
    }
    if let Some(reference) = &job.reference {
        adapter.set_reference(reference.into());
    }
    match job.state {
        State::KeyGenerated | State::RequestMade => open_ca_step(window, shared),
        State::Submitted | State::Waiting => {
            adapter.set_step(6);
            follow_open_jobs(window, shared);
        }
        _ => adapter.set_step(7),
    }
    window.global::<AppState>().set_page("requests".into());
}

/// Writes job `id`'s request into `folder` as PEM and DER, for a CA that takes files.
pub(crate) fn save_request(
    archive: &Archive,
    id: i64,
    folder: &Path,
) -> Result<(PathBuf, PathBuf)> {
    let job = archive
        .request(id)?
        .ok_or(enroll::EnrollError::NoSuchJob { id })?;
    Ok(enroll::write_request_files(
        &job,
        &folder.join(format!("request-{id}.pem")),
    )?)
}

/// Installs job `id`'s certificate from a file the CA gave, off the window's thread.
fn install_from_file(window: &AppWindow, shared: &Rc<Shared>, id: i64, path: PathBuf) {
    let lang = shared.lang.get();
    with_archive(
        window,
        shared,
        move |archive, environment| {
            let _one_at_a_time = super::media::TOKENS.lock();
            Ok(enroll::install_file(archive, id, &path, environment)?)
        },
        move |window, shared, installed| match installed {
            Ok(progress) => {
                shared.wizard.borrow_mut().job = Some(id);
                window.global::<RequestsAdapter>().set_step(7);
                installed_now(window, shared, id, &progress);
            }
            Err(error) => error_status(window, error, lang),
        },
    );
}

/// Once a second: the one-time code's countdown.
fn tick(window: &AppWindow, shared: &Shared) {
    let left = shared
        .wizard
        .borrow()
        .code_until
        .map(|until| until.saturating_duration_since(Instant::now()).as_secs())
        .unwrap_or(0);
    window
        .global::<RequestsAdapter>()
        .set_seconds_left(i32::try_from(left).unwrap_or(0));
}

/// Step 1's and 2's Continue.
fn next(window: &AppWindow, shared: &Rc<Shared>) {
    let lang = shared.lang.get();
    let adapter = window.global::<RequestsAdapter>();
    match adapter.get_step() {
        1 => {
            let renews = renewed(window, shared);
            if renews.is_none() {
                let values = shared.wizard.borrow().values.clone();
                let rows = form_rows(&values, true, lang);
                let wrong = rows.iter().any(|row| !row.error.is_empty());
                adapter.set_fields(ModelRc::new(VecModel::from(rows)));
                if wrong {
                    status(window, words::missing("form", lang), false);
                    return;
                }
            }
            let values = shared.wizard.borrow().values.clone();
            let reviewed = match shared.archive.borrow_mut().as_mut() {
                Some(archive) => review(archive, renews, &values, lang),
                None => return,
            };
            match reviewed {
                Ok(lines) => {
                    adapter.set_review(ModelRc::new(VecModel::from(lines)));
                    adapter.set_consent(false);
                    adapter.set_status("".into());
                    adapter.set_step(2);
                }
                Err(error) => error_status(window, error, lang),
            }
        }
        2 if adapter.get_consent() => {
            adapter.set_status("".into());
            adapter.set_step(3);
            load_places(window, shared);
            super::media::ensure_following(window, shared);
        }
        3 | 4 => make_key(window, shared),
        5 => send(window, shared),
        _ => {}
    }
}

/// A callback without arguments that runs `work` on the window while it lives.
fn act(
    window: &AppWindow,
    shared: &Rc<Shared>,
    work: impl Fn(&AppWindow, &Rc<Shared>) + 'static,
) -> impl Fn() + 'static {
    let weak = window.as_weak();
    let shared = shared.clone();
    move || {
        if let Some(window) = weak.upgrade() {
            work(&window, &shared);
        }
    }
}

/// A callback with one argument that runs `work` on the window while it lives.
fn act_on<T>(
    window: &AppWindow,
    shared: &Rc<Shared>,
    work: impl Fn(&AppWindow, &Rc<Shared>, T) + 'static,
) -> impl Fn(T) + 'static {
    let weak = window.as_weak();
    let shared = shared.clone();
    move |value| {
        if let Some(window) = weak.upgrade() {
            work(&window, &shared, value);
        }
    }
}

/// What a typed field changes: its value kept, the errors under every field shown again (only
/// those that changed: the values shown are what is typed already).
fn field_edited(window: &AppWindow, shared: &Shared, key: &str, value: &str) {
    let Some(field) = FORM.into_iter().find(|field| field.key() == key) else {
        return;
    };
    let rows = {
        let mut wizard = shared.wizard.borrow_mut();
        wizard.values.retain(|(which, _)| *which != field);
        wizard.values.push((field, value.to_owned()));
        form_rows(&wizard.values, false, shared.lang.get())
    };
    let shown = window.global::<RequestsAdapter>().get_fields();
    for (index, row) in rows.into_iter().enumerate() {
        if shown
            .row_data(index)
            .is_some_and(|old| old.error != row.error)
        {
            shown.set_row_data(index, row);
        }
    }
}

/// Opens the chooser for `wants` ("file", "folder"); `chosen` gets the path picked.
fn choose(
    window: &AppWindow,
    shared: &Rc<Shared>,
    wants: &str,
    chosen: impl Fn(&AppWindow, &Rc<Shared>, PathBuf) + 'static,
) {
    let handed: super::browser::Chosen = Rc::new({
        let shared = shared.clone();
        move |window: &AppWindow, paths| {
            if let Some(path) = paths.into_iter().next() {
                chosen(window, &shared, path);
            }
        }
    });
    super::browser::open(window, shared, wants, handed);
}

/// "Save request file": the folder chosen gets the request as PEM and DER.
fn save_request_file(window: &AppWindow, shared: &Rc<Shared>) {
    let Some(id) = shared.wizard.borrow().job else {
        return;
    };
    choose(window, shared, "folder", move |window, shared, folder| {
        let lang = shared.lang.get();
        let saved = match shared.archive.borrow().as_ref() {
            Some(archive) => save_request(archive, id, &folder),
            None => return,
        };
        match saved {
            Ok((pem, der)) => status(window, &words::saved_request(&pem, &der, lang), true),
            Err(error) => error_status(window, error, lang),
        }
    });
}

/// Cancels job `id` (it stays in the list).
fn cancel_job(window: &AppWindow, shared: &Rc<Shared>, id: i64) {
    let lang = shared.lang.get();
    let cancelled = match shared.archive.borrow_mut().as_mut() {
        Some(archive) => enroll::cancel(archive, id),
        None => return,
    };
    match cancelled {
        Ok(_) => status(window, &words::cancelled(id, lang), true),
        Err(error) => error_status(window, error.into(), lang),
    }
    refresh(window, shared);
}

/// Step 7's Copy: the new key to the medium at `index` of the targets offered.
fn copy_to(window: &AppWindow, shared: &Rc<Shared>, index: i32) {
    let (thumbprint, to) = {
        let wizard = shared.wizard.borrow();
        let to = usize::try_from(index)
            .ok()
            .and_then(|index| wizard.targets.get(index).cloned());
        (wizard.installed.clone(), to)
    };
    if let (Some(thumbprint), Some(to)) = (thumbprint, to) {
        copy_key(window, shared, thumbprint, to);
    }
}

/// Step 7's "Keep every old certificate in the registry".
fn keep_in_registry(window: &AppWindow, shared: &Rc<Shared>) {
    let lang = shared.lang.get();
    with_archive(
        window,
        shared,
        |archive, _| super::media::keep_in_registry(archive.another()?),
        move |window, _, synced| match synced {
            Ok(synced) => status(window, &crate::messages::media::synced(&synced, lang), true),
            Err(error) => error_status(window, error, lang),
        },
    );
}

pub(super) fn wire(window: &AppWindow, shared: &Rc<Shared>) {
    let adapter = window.global::<RequestsAdapter>();
    adapter.on_start(act_on(window, shared, |window, shared, id: i32| {
        start(window, shared, i64::from(id))
    }));
    adapter.on_field_edited({
        let edited = act_on(
            window,
            shared,
            |window, shared, (key, value): (slint::SharedString, slint::SharedString)| {
                field_edited(window, shared, &key, &value)
            },
        );
        move |key, value| edited((key, value))
    });
    adapter.on_choose_place(act_on(window, shared, |window, _, medium| {
        window.global::<RequestsAdapter>().set_place(medium)
    }));
    adapter.on_refresh_places(act(window, shared, load_places));
    adapter.on_browse_folder(act(window, shared, |window, shared| {
        choose(window, shared, "folder", |window, _, path| {
            let adapter = window.global::<RequestsAdapter>();
            adapter.set_folder(path.display().to_string().into());
            adapter.set_place("folder".into());
        })
    }));
    adapter.on_next(act(window, shared, next));
    adapter.on_back(act(window, shared, |window, _| {
        let adapter = window.global::<RequestsAdapter>();
        adapter.set_status("".into());
        // Once the key is made, going back means the request list (the job is kept there).
        let step = adapter.get_step();
        adapter.set_step(if step >= 5 { 0 } else { step - 1 });
    }));
    adapter.on_to_list(act(window, shared, |window, shared| {
        let adapter = window.global::<RequestsAdapter>();
        adapter.set_status("".into());
        adapter.set_step(0);
        refresh(window, shared);
    }));
    adapter.on_new_code(act(window, shared, |window, shared| {
        shared.wizard.borrow_mut().code_until = Some(Instant::now() + CODE_LIFETIME);
        let adapter = window.global::<RequestsAdapter>();
        adapter.set_code("".into());
        adapter.set_status("".into());
        tick(window, shared);
    }));
    adapter.on_save_request(act(window, shared, save_request_file));
    adapter.on_install(act(window, shared, install));
    adapter.on_open_job(act_on(window, shared, |window, shared, id: i32| {
        open_job(window, shared, i64::from(id))
    }));
    adapter.on_cancel_job(act_on(window, shared, |window, shared, id: i32| {
        cancel_job(window, shared, i64::from(id))
    }));
    adapter.on_install_file(act_on(window, shared, |window, shared, id: i32| {
        choose(window, shared, "file", move |window, shared, path| {
            install_from_file(window, shared, i64::from(id), path)
        })
    }));
    adapter.on_copy_to(act_on(window, shared, copy_to));
    adapter.on_keep_in_registry(act(window, shared, keep_in_registry));
    // The code's countdown, once a second while the CA step is shown.
    let timer = slint::Timer::default();
    timer.start(
        slint::TimerMode::Repeated,
        Duration::from_secs(1),
        act(window, shared, |window, shared| {
            if window.global::<RequestsAdapter>().get_step() == 5 {
                tick(window, shared);
            }
        }),
    );
    shared.timers.borrow_mut().push(timer);
}

/// Copies the new certificate and its key from the archive to `to` (PINs and passwords asked in
/// the dialog), as the media page does.
fn copy_key(window: &AppWindow, shared: &Rc<Shared>, thumbprint: String, to: String) {
    let lang = shared.lang.get();
    with_archive(
        window,
        shared,
        move |archive, environment| {
            super::media::copy_between(
                archive.another()?,
                environment.prompt,
                lang,
                &thumbprint,
                "archive",
                &to,
                false,
            )
        },
        move |window, _, copied| match copied {
            Ok(line) => status(window, &line, true),
            Err(error) => error_status(window, error, lang),
        },
    );
}

#[cfg(test)]
mod flow {
    use super::*;
    use certkeeper_storage::ArchiveLocation;

    use super::super::tests::FAST;

    fn typed(values: &[(Field, &str)]) -> Vec<(Field, String)> {
        values
            .iter()
            .map(|(field, value)| (*field, (*value).to_owned()))
            .collect()
    }

    fn error_of(rows: &[FormField], field: Field) -> String {
        rows.iter()
            .find(|row| row.key == field.key())
            .map(|row| row.error.to_string())
            .unwrap_or_default()
    }

    /// While typing, a wrong check digit is said at once but a field not filled in yet is not;
    /// Continue says everything, each under its own field, in the window's language.
    #[test]
    fn the_form_says_what_is_wrong_under_each_field() {
        let values = typed(&[(Field::Snils, "112-233-445 96"), (Field::Ogrn, "10277")]);
        let live = form_rows(&values, false, Lang::En);
        assert_eq!(live.len(), FORM.len());
        assert!(
            error_of(&live, Field::Snils).contains("wrong check digit"),
            "{live:?}"
        );
        assert_eq!(error_of(&live, Field::FullName), "", "not typed yet");
        assert_eq!(error_of(&live, Field::Ogrn), "", "still being typed");
        let all = form_rows(&values, true, Lang::Ru);
        assert!(
            error_of(&all, Field::FullName).contains("обязательно"),
            "{all:?}"
        );
        assert!(error_of(&all, Field::Ogrn).contains("ОГРН"), "{all:?}");
        assert_eq!(
            all.iter()
                .find(|row| row.key == "snils")
                .map(|row| row.label.to_string()),
            Some("СНИЛС".to_owned())
        );
        let right = typed(&[
            (Field::FullName, "Петрова Анна Сергеевна"),
            (Field::Snils, "112-233-445 95"),
            (Field::Inn, "500100732259"),
        ]);
        assert!(form_errors(&right, true).is_empty());
    }

    /// The review shows every field that goes into the request in a person's words, the surname
    /// and given names taken from the full name and the country added.
    #[test]
    fn the_review_names_every_field_in_words() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let mut archive =
            Archive::create(&location, &SecretString::from("x".to_owned()), FAST).expect("create");
        let values = typed(&[
            (Field::FullName, "Петрова Анна Сергеевна"),
            (Field::Snils, "11223344595"),
        ]);
        let lines = review(&mut archive, None, &values, Lang::Ru).expect("review");
        let shown: Vec<(String, String)> = lines
            .iter()
            .map(|line| (line.label.to_string(), line.value.to_string()))
            .collect();
        for (label, value) in [
            ("ФИО", "Петрова Анна Сергеевна"),
            ("Фамилия", "Петрова"),
            ("Имя и отчество", "Анна Сергеевна"),
            ("СНИЛС", "11223344595"),
            ("Страна", "RU"),
        ] {
            assert!(
                shown.contains(&(label.to_owned(), value.to_owned())),
                "{label}: {shown:?}"
            );
        }
        // A wrong form is refused before any review.
        let wrong = typed(&[(Field::FullName, "Иванов"), (Field::Snils, "11223344596")]);
        assert!(review(&mut archive, None, &wrong, Lang::En).is_err());
    }

    /// A request made on a real archive: the list shows it as made; "Save request file" writes
    /// its PEM and DER once and never over a file; the window's exchanges leave installing to the
    /// person.
    #[test]
    fn a_request_made_is_listed_and_saved_as_pem_and_der() {
        let dir = tempfile::tempdir().expect("temp dir");
        let location = ArchiveLocation::explicit(dir.path().join("archive.db"));
        let mut archive =
            Archive::create(&location, &SecretString::from("x".to_owned()), FAST).expect("create");
        let fields = Fields {
            values: typed(&[
                (Field::FullName, "Петрова Анна Сергеевна"),
                (Field::Snils, "11223344595"),
            ]),
        };
        let nobody = crate::prompt::Nobody;
        let prompt = crate::prompt::Answering::new(
            crate::prompt::Given {
                new_password: Some(SecretString::from(String::new())),
                ..crate::prompt::Given::default()
            },
            &nobody,
        );
        let drive = dir.path().join("drive");
        let created = enroll::new_request(
            &mut archive,
            SubjectFrom::Fields(&fields),
            &format!("dir:{}", drive.display())
                .parse()
                .expect("a medium"),
            Algorithm::default(),
            &Environment {
                module_paths: &[],
                registry: &|| registry(None),
                prompt: &prompt,
            },
        )
        .expect("a request");
        let jobs = archive.requests().expect("jobs");
        let rows = job_rows(&jobs, Lang::En);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].kind, "made");
        assert_eq!(rows[0].subject, "Петрова Анна Сергеевна");
        assert!(rows[0].detail.contains("not sent yet"), "{:?}", rows[0]);
        let id = created.job.id;
        let folder = dir.path().join("out");
        std::fs::create_dir(&folder).expect("folder");
        let (pem, der) = save_request(&archive, id, &folder).expect("saved");
        let text = std::fs::read_to_string(&pem).expect("PEM");
        assert!(
            text.starts_with("-----BEGIN CERTIFICATE REQUEST-----"),
            "{text}"
        );
        assert_eq!(std::fs::read(&der).expect("DER"), created.job.csr);
        let again = save_request(&archive, id, &folder).expect_err("never over a file");
        assert!(
            super::super::session::shown(&again, Lang::En).contains(&pem.display().to_string())
        );
        assert!(!Confirming(&mut archive).can_install());
    }

    /// A wrong one-time code is told in the window's words: what to press, not a command to run.
    #[test]
    fn a_wrong_code_is_told_in_the_window_s_words() {
        let error: anyhow::Error =
            enroll::EnrollError::Cmp(certkeeper_core::enroll::cmp::CmpError::WrongCode {
                text: "wrong pbm value".into(),
            })
            .into();
        let en = words::in_window(&error, Lang::En).expect("said");
        assert!(en.contains("press I have a new code"), "{en}");
        assert!(!en.contains("certkeeper request"), "{en}");
        let ru = words::in_window(&error, Lang::Ru).expect("said");
        assert!(ru.contains("«У меня новый код»"), "{ru}");
    }
}
