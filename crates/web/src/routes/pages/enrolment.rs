//! Enrolment pages: a participant's opt-in form, and the manager's list and bulk import.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use upward_app::ProgrammeView;
use upward_app::import::ENROLMENT_COLUMNS;
use upward_domain::enrolment::{parse_day, parse_time};
use upward_domain::*;

use super::Layout;
use super::forms::{FormState, ImportOutcome, Pager, uploaded_file};
use crate::AppState;
use crate::auth::{ManagerPage, SignedIn, urlencode};
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

/// Rows offered for topics and for weekly slots; blank rows are ignored.
/// Rows a new form shows for topics and for weekly times: few, to keep the form short (and its
/// tab stops few); one more empty row than are filled is always shown, up to [`MAX_ROWS`].
const FIRST_ROWS: usize = 3;
/// The most topic or time rows the form reads, so nothing an import stored is cut off on edit.
const MAX_ROWS: usize = 24;
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

pub fn routes() -> Routes {
    Routes::new()
        .get("/programmes/{id}/enrol", Audience::SignedIn, enrol_form)
        .post("/programmes/{id}/enrol", Audience::SignedIn, enrol)
        .post("/programmes/{id}/withdraw", Audience::SignedIn, withdraw)
        .get(
            "/programmes/{id}/enrolments",
            Audience::ProgrammeManagers,
            enrolments,
        )
        .get(
            "/programmes/{id}/enrolments.csv",
            Audience::ProgrammeManagers,
            export_enrolments,
        )
        .upload(
            "/programmes/{id}/enrolments/import",
            Audience::ProgrammeManagers,
            import,
        )
}

#[derive(Template)]
#[template(path = "enrol.html")]
struct EnrolPage {
    layout: Layout,
    view: ProgrammeView,
    /// `None` until the person has chosen to be a mentor or a mentee.
    role: Option<EnrolmentRole>,
    form: FormState,
    enrolled: bool,
    topic_rows: Vec<usize>,
    slot_rows: Vec<usize>,
    days: [&'static str; 7],
    channels: &'static [Channel],
    times: &'static [PreferredTime],
    traits: [&'static str; 5],
    /// Said when the chosen side is unusual for the person's level.
    advice: Option<String>,
    /// The person's time zone, which the times they give are in.
    time_zone: Option<String>,
}

impl EnrolPage {
    fn new(
        layout: Layout,
        view: ProgrammeView,
        role: Option<EnrolmentRole>,
        form: FormState,
        enrolled: bool,
    ) -> Self {
        Self {
            layout,
            view,
            role,
            topic_rows: (0..rows(&form, "topic_")).collect(),
            slot_rows: (0..rows(&form, "start_")).collect(),
            form,
            enrolled,
            days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            channels: Channel::ALL,
            times: PreferredTime::ALL,
            traits: BigFive::TRAITS,
            advice: None,
            time_zone: None,
        }
    }

    fn is_mentor(&self) -> bool {
        self.role == Some(EnrolmentRole::Mentor)
    }
}

async fn enrol_form(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let view = state.app.programme(&user, ProgrammeId(id)).await?;
    let existing = state.app.my_enrolment(&user, view.programme.id).await?;
    let chosen = query
        .get("role")
        .and_then(|r| r.parse::<EnrolmentRole>().ok());
    let role = chosen.or(existing.as_ref().map(|e| e.profile.role));
    let form = existing
        .as_ref()
        .map(|e| form_from_profile(&e.profile))
        .unwrap_or_else(blank_form);
    let layout = Layout::new(
        format!("Enrol in {}", view.programme.draft.name),
        &user,
        &csrf,
        "programmes",
    );
    let mut page = EnrolPage::new(layout, view, role, form, existing.is_some());
    if let Some(role) = role {
        page.advice = state.app.role_advice(&user, role).await?;
    }
    page.time_zone = state
        .app
        .own_profile(&user)
        .await?
        .map(|p| p.time_zone.as_str().to_owned());
    Ok(render(&page))
}

async fn enrol(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let programme = ProgrammeId(id);
    let mut form = FormState::new(values);
    let role = form.value("role").parse::<EnrolmentRole>().ok();
    if let Some(profile) = role.and_then(|role| profile_from_form(role, &mut form)) {
        match state
            .app
            .enrol(&user, programme, &profile, form.checked("consent"))
            .await
        {
            Ok(_) => {
                return Ok(Redirect::to(&format!("/programmes/{id}?done=enrolled")).into_response());
            }
            Err(error) => form.absorb(error)?,
        }
    }
    let view = state.app.programme(&user, programme).await?;
    let enrolled = state.app.my_enrolment(&user, programme).await?.is_some();
    let layout = Layout::new(
        format!("Enrol in {}", view.programme.draft.name),
        &user,
        &csrf,
        "programmes",
    );
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&EnrolPage::new(layout, view, role, form, enrolled)),
    )
        .into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if !super::confirmed(&form) {
        let view = state.app.programme(&user, ProgrammeId(id)).await?;
        if state
            .app
            .my_enrolment(&user, ProgrammeId(id))
            .await?
            .is_none()
        {
            return Err(upward_app::AppError::NotFound("your enrolment".into()).into());
        }
        return Ok(render(&super::ConfirmPage {
            layout: Layout::new("Withdraw?", &user, &csrf, "programmes"),
            heading: format!("Withdraw from {}?", view.programme.draft.name),
            explanation: "You leave this programme's matching; nobody is told. You can enrol again while enrolment is open, and your earlier answers to proposals still count."
                .into(),
            action: format!("/programmes/{id}/withdraw"),
            button: "Withdraw".into(),
            cancel: format!("/programmes/{id}"),
            fields: Vec::new(),
            danger: true,
        }));
    }
    state.app.withdraw(&user, ProgrammeId(id)).await?;
    Ok(Redirect::to(&format!("/programmes/{id}?done=withdrawn")).into_response())
}

/// How many rows of a repeated group (`topic_0`, `topic_1`, …) to show: the filled ones and one
/// empty, at least [`FIRST_ROWS`].
fn rows(form: &FormState, prefix: &str) -> usize {
    let filled = (0..MAX_ROWS)
        .rev()
        .find(|i| !form.value(&format!("{prefix}{i}")).trim().is_empty())
        .map_or(0, |last| last + 1);
    (filled + 1).clamp(FIRST_ROWS, MAX_ROWS)
}

/// A new enrolment starts from the most open answers.
fn blank_form() -> FormState {
    let mut values = HashMap::from([
        ("channel".to_owned(), Channel::Either.as_str().to_owned()),
        (
            "preferred_time".to_owned(),
            PreferredTime::Any.as_str().to_owned(),
        ),
    ]);
    for i in 0..FIRST_ROWS {
        values.insert(format!("score_{i}"), "3".into());
    }
    FormState::new(values)
}

fn form_from_profile(profile: &EnrolmentProfile) -> FormState {
    let mut values = HashMap::new();
    let topics = match profile.role {
        EnrolmentRole::Mentor => &profile.offers,
        EnrolmentRole::Mentee => &profile.interests,
    };
    for (i, (topic, score)) in topics.entries().iter().enumerate().take(MAX_ROWS) {
        values.insert(format!("topic_{i}"), topic.clone());
        values.insert(format!("score_{i}"), score.to_string());
    }
    for (i, slot) in profile
        .availability
        .slots()
        .iter()
        .enumerate()
        .take(MAX_ROWS)
    {
        let text = slot.to_string();
        let (day, times) = text.split_once(' ').unwrap_or_default();
        let (start, end) = times.split_once('-').unwrap_or_default();
        values.insert(format!("day_{i}"), day.to_owned());
        values.insert(format!("start_{i}"), start.to_owned());
        values.insert(format!("end_{i}"), end.to_owned());
    }
    values.insert("channel".into(), profile.channel.as_str().into());
    values.insert(
        "preferred_time".into(),
        profile.preferred_time.as_str().into(),
    );
    values.insert("statement".into(), profile.statement.clone());
    if let Some(big_five) = profile.big_five {
        for (name, score) in BigFive::TRAITS.iter().zip(big_five.scores()) {
            values.insert((*name).to_owned(), score.to_string());
        }
    }
    values.insert("consent".into(), "on".into());
    FormState::new(values)
}

/// Reads the enrolment form; problems go next to their rows. `None` if anything failed.
fn profile_from_form(role: EnrolmentRole, form: &mut FormState) -> Option<EnrolmentProfile> {
    let mut topics = TopicLevels::default();
    for i in 0..MAX_ROWS {
        let topic = form.value(&format!("topic_{i}")).trim().to_owned();
        if topic.is_empty() {
            continue;
        }
        let score = form.value(&format!("score_{i}")).parse::<u8>().unwrap_or(0);
        if let Err(error) = topics.push(&topic, score) {
            form.add_error(&format!("topic_{i}"), error.0);
        }
    }
    let mut slots = Vec::new();
    for i in 0..MAX_ROWS {
        let (start, end) = (
            form.value(&format!("start_{i}")).to_owned(),
            form.value(&format!("end_{i}")).to_owned(),
        );
        if start.is_empty() && end.is_empty() {
            continue;
        }
        let slot = parse_day(form.value(&format!("day_{i}")))
            .and_then(|day| WeeklySlot::new(day, parse_time(&start)?, parse_time(&end)?));
        match slot {
            Ok(slot) => slots.push(slot),
            Err(error) => form.add_error(&format!("slot_{i}"), error.0),
        }
    }
    let channel = form
        .value("channel")
        .parse::<Channel>()
        .map_err(|e| form.add_error("channel", e.0))
        .ok();
    let preferred_time = form
        .value("preferred_time")
        .parse::<PreferredTime>()
        .map_err(|e| form.add_error("preferred_time", e.0))
        .ok();
    let big_five = big_five_from_form(form);
    if form.has_errors() {
        return None;
    }
    let (offers, interests) = match role {
        EnrolmentRole::Mentor => (topics, TopicLevels::default()),
        EnrolmentRole::Mentee => (TopicLevels::default(), topics),
    };
    Some(EnrolmentProfile {
        role,
        offers,
        interests,
        availability: Availability::from_slots(slots),
        channel: channel?,
        preferred_time: preferred_time?,
        big_five: big_five?,
        statement: form.value("statement").trim().to_owned(),
    })
}

fn big_five_from_form(form: &mut FormState) -> Option<Option<BigFive>> {
    let given: Vec<String> = BigFive::TRAITS
        .iter()
        .map(|t| form.value(t).trim().to_owned())
        .collect();
    if given.iter().all(String::is_empty) {
        return Some(None);
    }
    let scores: Vec<f64> = given.iter().filter_map(|v| v.parse().ok()).collect();
    let Ok(scores) = <[f64; 5]>::try_from(scores) else {
        form.add_error(
            "big_five",
            "answer all five questions with a number from 1 to 5, or leave them all empty",
        );
        return None;
    };
    BigFive::from_scores(scores)
        .map(Some)
        .map_err(|e| form.add_error("big_five", e.0))
        .ok()
}

#[derive(Template)]
#[template(path = "enrolments.html")]
struct EnrolmentsPage {
    layout: Layout,
    view: ProgrammeView,
    /// One page of those that match, newest first.
    enrolments: Vec<Enrolment>,
    columns: &'static [&'static str],
    import_action: String,
    outcome: ImportOutcome,
    /// How many are enrolled in all.
    enrolled: i64,
    /// The search and role that narrow the list (`?search=`, `?role=`).
    search: String,
    role_filter: String,
    /// Where this page is among those that match.
    pager: Pager,
}

async fn enrolments_page(
    state: &AppState,
    manager: &upward_app::policy::Manager,
    csrf: &CsrfToken,
    id: ProgrammeId,
    query: &HashMap<String, String>,
) -> Result<EnrolmentsPage, PageError> {
    let view: ProgrammeView = state.app.managed_programme(manager, id).await?.into();
    let (mentors, mentees) = state.app.enrolment_counts(manager, id).await?;
    let search = query.get("search").map_or("", |s| s.trim()).to_owned();
    let role_filter = query.get("role").cloned().unwrap_or_default();
    let role = role_filter.parse::<EnrolmentRole>().ok();
    let fetch = |page| {
        state.app.programme_enrolments_page(
            manager,
            id,
            &search,
            role,
            Pager::offset(page),
            Pager::SIZE,
        )
    };
    let mut page = Pager::requested(query);
    let (mut enrolments, matching) = fetch(page).await?;
    if page > Pager::last_page(matching) {
        // Asked beyond the end: show the last page, labelled as such.
        page = Pager::last_page(matching);
        enrolments = fetch(page).await?.0;
    }
    let base = format!(
        "/programmes/{}/enrolments?search={}&role={}&",
        id.0,
        urlencode(&search),
        urlencode(&role_filter)
    );
    let layout = Layout::new(
        format!("Enrolments: {}", view.programme.draft.name),
        manager.user(),
        csrf,
        "programmes",
    );
    Ok(EnrolmentsPage {
        layout,
        import_action: format!("/programmes/{}/enrolments/import", id.0),
        view,
        enrolments,
        columns: &ENROLMENT_COLUMNS,
        outcome: ImportOutcome::default(),
        enrolled: mentors + mentees,
        search,
        role_filter,
        pager: Pager::new(page, matching, base),
    })
}

async fn enrolments(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let page = enrolments_page(&state, &manager, &csrf, ProgrammeId(id), &query).await?;
    Ok(render(&page))
}

async fn export_enrolments(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let csv = state
        .app
        .export_enrolments(&manager, ProgrammeId(id))
        .await?;
    Ok(super::csv_download(&format!("enrolments-{id}.csv"), csv))
}

async fn import(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let id = ProgrammeId(id);
    let result = match uploaded_file(multipart, "file").await {
        Ok(bytes) => state.app.import_enrolments(&manager, id, &bytes).await,
        Err(error) => Err(error),
    };
    let (status, outcome) = ImportOutcome::of(result)?;
    let mut page = enrolments_page(&state, &manager, &csrf, id, &HashMap::new()).await?;
    page.outcome = outcome;
    Ok((status, render(&page)).into_response())
}
