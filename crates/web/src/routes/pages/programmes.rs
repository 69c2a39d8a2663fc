//! Programme pages: the list, one programme, the design form, phase changes and cloning.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use upward_app::ProgrammeView;
use upward_domain::*;
use upward_store::ProgrammeSummary;

use super::Layout;
use super::forms::FormState;
use crate::AppState;
use crate::auth::{ManagerPage, SignedIn};
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/programmes", Audience::SignedIn, list)
        .post("/programmes", Audience::Managers, create)
        .get("/programmes/new", Audience::Managers, new_form)
        .get("/programmes/{id}", Audience::SignedIn, show)
        .get(
            "/programmes/{id}/edit",
            Audience::ProgrammeManagers,
            edit_form,
        )
        .post("/programmes/{id}/edit", Audience::ProgrammeManagers, update)
        .post(
            "/programmes/{id}/phase",
            Audience::ProgrammeManagers,
            change_phase,
        )
        .post("/programmes/{id}/clone", Audience::ProgrammeManagers, clone)
}

#[derive(Template)]
#[template(path = "programmes.html")]
struct ListPage {
    layout: Layout,
    programmes: Vec<ProgrammeSummary>,
}

async fn list(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let programmes = state.app.programmes(&user).await?;
    let notice = query
        .contains_key("stopped_managing")
        .then(|| "You no longer manage that programme.".to_owned());
    Ok(render(&ListPage {
        layout: Layout::new("Programmes", &user, &csrf, "programmes").with_notice(notice),
        programmes,
    }))
}

#[derive(Template)]
#[template(path = "programme.html")]
struct ShowPage {
    layout: Layout,
    view: ProgrammeView,
    next_phases: Vec<Phase>,
    mine: Option<Enrolment>,
    mentors: i64,
    mentees: i64,
    /// For managers: the programme's matching runs, newest first.
    runs: Vec<MatchingRun>,
    /// For managers: how far invitations have got.
    invitations: Option<InvitationCounts>,
    /// Whether the viewer runs this programme (an admin or one of its managers).
    manages: bool,
    /// For its managers: who runs the programme, and who could be added.
    managers: Vec<User>,
    co_manager_choices: Vec<User>,
    /// For its managers: the pins and forbids later runs honour.
    rules: Vec<upward_app::PairRuleView>,
    /// For its managers: active pairings at risk or stalled, the worst first.
    attention: Vec<upward_app::ManagedPairing>,
    /// For its managers: how many goals pairs wrote and how they turned out.
    goals: Option<GoalFigures>,
    /// The (empty) invitation form.
    form: FormState,
}

impl ShowPage {
    fn can_match(&self) -> bool {
        matches!(self.view.programme.phase, Phase::Matching | Phase::Running)
    }
}

async fn show(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (programme, manager) = state
        .app
        .programme_and_manager(&user, ProgrammeId(id))
        .await?;
    let view = ProgrammeView::from(programme);
    let mine = state.app.my_enrolment(&user, view.programme.id).await?;
    let (mut mentors, mut mentees) = (0, 0);
    let mut runs = Vec::new();
    let mut invitations = None;
    let (mut managers, mut co_manager_choices, mut rules) = (Vec::new(), Vec::new(), Vec::new());
    let mut attention = Vec::new();
    let mut goals = None;
    if let Some(manager) = &manager {
        managers = state
            .app
            .programme_managers(manager, view.programme.id)
            .await?;
        co_manager_choices = state
            .app
            .possible_co_managers(manager, view.programme.id)
            .await?;
        rules = state.app.pair_rules(manager, view.programme.id).await?;
        invitations = Some(
            state
                .app
                .invitation_counts(manager, view.programme.id)
                .await?,
        );
        runs = state.app.programme_runs(manager, view.programme.id).await?;
        attention = state
            .app
            .pairings_needing_attention(manager, view.programme.id)
            .await?;
        goals = Some(state.app.goal_figures(manager, view.programme.id).await?);
        (mentors, mentees) = state
            .app
            .enrolment_counts(manager, view.programme.id)
            .await?;
    }
    let next_phases = view.programme.phase.next_phases().to_vec();
    let notice =
        super::programme_managers::notice(&managers, &query).or_else(|| super::done_notice(&query));
    let layout = Layout::new(
        view.programme.draft.name.clone(),
        &user,
        &csrf,
        "programmes",
    )
    .with_notice(notice);
    Ok(render(&ShowPage {
        layout,
        view,
        next_phases,
        mine,
        mentors,
        mentees,
        runs,
        invitations,
        manages: manager.is_some(),
        managers,
        co_manager_choices,
        rules,
        attention,
        goals,
        form: FormState::default(),
    }))
}

#[derive(Template)]
#[template(path = "programme_form.html")]
struct FormPage {
    layout: Layout,
    form: FormState,
    /// `None` when creating.
    programme: Option<ProgrammeId>,
    suggested: [&'static str; 4],
    warning: Option<String>,
}

impl FormPage {
    fn action(&self) -> String {
        match self.programme {
            Some(id) => format!("/programmes/{}/edit", id.0),
            None => "/programmes".into(),
        }
    }
}

fn form_page(layout: Layout, form: FormState, programme: Option<ProgrammeId>) -> FormPage {
    FormPage {
        layout,
        form,
        programme,
        suggested: Objective::SUGGESTED,
        warning: None,
    }
}

async fn new_form(ManagerPage(manager): ManagerPage, csrf: CsrfToken) -> Response {
    let today = jiff::Zoned::now().date();
    let start = today
        .first_of_month()
        .checked_add(jiff::ToSpan::months(1))
        .unwrap_or(today);
    let end = start.checked_add(jiff::ToSpan::months(9)).unwrap_or(start);
    let draft = ProgrammeDraft {
        name: String::new(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: start,
        end_date: end,
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
        engagement: EngagementSettings::default(),
        meeting_places: vec![],
    };
    render(&form_page(
        Layout::new("New programme", manager.user(), &csrf, "programmes"),
        form_from_draft(&draft),
        None,
    ))
}

async fn create(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    if let Some(draft) = draft_from_form(&mut form) {
        match state.app.create_programme(&manager, &draft).await {
            Ok(view) => {
                return Ok(Redirect::to(&format!(
                    "/programmes/{}?done=created",
                    view.programme.id.0
                ))
                .into_response());
            }
            Err(error) => form.absorb(error)?,
        }
    }
    let page = form_page(
        Layout::new("New programme", manager.user(), &csrf, "programmes"),
        form,
        None,
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

async fn edit_form(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let view: ProgrammeView = state
        .app
        .managed_programme(&manager, ProgrammeId(id))
        .await?
        .into();
    let title = format!("Edit {}", view.programme.draft.name);
    let mut page = form_page(
        Layout::new(title, manager.user(), &csrf, "programmes")
            .with_notice(super::done_notice(&query)),
        form_from_draft(&view.programme.draft),
        Some(view.programme.id),
    );
    page.warning = view.duration_warning;
    Ok(render(&page))
}

async fn update(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let id = ProgrammeId(id);
    state.app.managed_programme(&manager, id).await?;
    let mut form = FormState::new(values);
    if let Some(draft) = draft_from_form(&mut form) {
        match state.app.update_programme(&manager, id, &draft).await {
            Ok(_) => {
                return Ok(
                    Redirect::to(&format!("/programmes/{}?done=updated", id.0)).into_response()
                );
            }
            Err(error) => form.absorb(error)?,
        }
    }
    let page = form_page(
        Layout::new("Edit programme", manager.user(), &csrf, "programmes"),
        form,
        Some(id),
    );
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

async fn change_phase(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let to: Phase = values
        .get("to")
        .map(String::as_str)
        .unwrap_or("")
        .parse()
        .map_err(|e: FieldError| upward_app::AppError::invalid("to", e.0))?;
    state
        .app
        .change_phase(&manager, ProgrammeId(id), to)
        .await?;
    Ok(Redirect::to(&format!("/programmes/{id}?done=phase")).into_response())
}

async fn clone(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let view = state.app.clone_programme(&manager, ProgrammeId(id)).await?;
    Ok(Redirect::to(&format!(
        "/programmes/{}/edit?done=cloned",
        view.programme.id.0
    ))
    .into_response())
}

fn form_from_draft(draft: &ProgrammeDraft) -> FormState {
    let mut values: HashMap<String, String> = HashMap::new();
    let mut set = |key: &str, value: String| {
        values.insert(key.to_owned(), value);
    };
    set("name", draft.name.clone());
    set("purpose", draft.purpose.clone());
    set(
        "objectives",
        draft
            .objectives
            .iter()
            .map(Objective::as_str)
            .collect::<Vec<_>>()
            .join(", "),
    );
    set("learning_expectations", draft.learning_expectations.clone());
    set("start_date", draft.start_date.to_string());
    set("end_date", draft.end_date.to_string());
    set(
        "virtual_every_weeks",
        draft
            .cadence
            .virtual_every_weeks
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    set(
        "in_person_every_months",
        draft
            .cadence
            .in_person_every_months
            .map(|n| n.to_string())
            .unwrap_or_default(),
    );
    let m = &draft.matching;
    set("min_level_gap", m.min_level_gap.to_string());
    set("mentor_capacity", m.mentor_capacity.to_string());
    set("session_minutes", m.session_minutes.to_string());
    set("answer_days", m.answer_days.to_string());
    for (name, weight) in m.weights.named() {
        set(&format!("weight_{name}"), weight.to_string());
    }
    for dimension in &m.diversity_dimensions {
        set(&format!("diversity_{}", dimension.as_str()), "on".into());
    }
    set("meeting_places", draft.meeting_places.join("\n"));
    let e = &draft.engagement;
    set("first_meeting_days", e.first_meeting_days.to_string());
    set("agreement_days", e.agreement_days.to_string());
    set("overdue_grace_days", e.overdue_grace_days.to_string());
    set("recent_meetings", e.recent_meetings.to_string());
    set("cancellations_at_risk", e.cancellations_at_risk.to_string());
    set("cancellations_stalled", e.cancellations_stalled.to_string());
    set("missed_at_risk", e.missed_at_risk.to_string());
    set("missed_stalled", e.missed_stalled.to_string());
    FormState::new(values)
}

/// Reads the form into a draft, noting every value that does not parse; `None` if any failed.
fn draft_from_form(form: &mut FormState) -> Option<ProgrammeDraft> {
    let date = |form: &mut FormState, field: &str| -> Option<Date> {
        form.value(field)
            .parse::<Date>()
            .map_err(|_| form.add_error(field, "enter a date such as 2027-01-31"))
            .ok()
    };
    let start_date = date(form, "start_date");
    let end_date = date(form, "end_date");
    let objectives = Objective::parse_list(form.value("objectives"))
        .map_err(|e| form.add_error("objectives", e.0))
        .ok();
    let optional = |form: &mut FormState, field: &str| -> Option<Option<u8>> {
        match form.value(field).trim() {
            "" => Some(None),
            text => text
                .parse::<u8>()
                .map(Some)
                .map_err(|_| form.add_error(field, "choose one of the options"))
                .ok(),
        }
    };
    let virtual_every_weeks = optional(form, "virtual_every_weeks");
    let in_person_every_months = optional(form, "in_person_every_months");
    let whole = |form: &mut FormState, field: &str, what: &str| -> Option<u16> {
        form.value(field)
            .trim()
            .parse::<u16>()
            .map_err(|_| form.add_error(field, format!("{what} must be a whole number")))
            .ok()
    };
    let min_level_gap = whole(form, "min_level_gap", "the minimum level gap");
    let mentor_capacity = whole(form, "mentor_capacity", "the mentor capacity");
    let session_minutes = whole(form, "session_minutes", "the session length");
    let answer_days = whole(form, "answer_days", "the days to answer a proposal");
    let engagement = engagement_from_form(form, whole);
    let mut weights = Weights::default();
    for ((name, slot), field) in weights.named_mut().into_iter().zip(Weights::FIELDS) {
        match form.value(field).trim().parse::<f64>() {
            Ok(value) => *slot = value,
            Err(_) => form.add_error(
                field,
                format!(
                    "the {} weight must be a number from 0 to 10",
                    name.replace('_', " ")
                ),
            ),
        }
    }
    let diversity_dimensions = DiversityDimension::ALL
        .into_iter()
        .filter(|d| form.checked(&format!("diversity_{}", d.as_str())))
        .collect();
    let too_big = |value: u16| u8::try_from(value).unwrap_or(u8::MAX);
    if form.has_errors() {
        return None;
    }
    Some(ProgrammeDraft {
        name: form.value("name").to_owned(),
        purpose: form.value("purpose").trim().to_owned(),
        objectives: objectives?,
        learning_expectations: form.value("learning_expectations").trim().to_owned(),
        start_date: start_date?,
        end_date: end_date?,
        cadence: Cadence {
            virtual_every_weeks: virtual_every_weeks?,
            in_person_every_months: in_person_every_months?,
        },
        matching: MatchingSettings {
            min_level_gap: too_big(min_level_gap?),
            mentor_capacity: too_big(mentor_capacity?),
            session_minutes: session_minutes?,
            weights,
            diversity_dimensions,
            answer_days: too_big(answer_days?),
        },
        engagement: engagement?,
        meeting_places: form
            .value("meeting_places")
            .lines()
            .filter_map(text::optional)
            .collect(),
    })
}

/// The early-warning thresholds from the form, a field left empty taking its default; their
/// ranges are checked with the rest of the draft, so a value too big for its field is kept out
/// of range rather than cut down.
fn engagement_from_form(
    form: &mut FormState,
    whole: impl Fn(&mut FormState, &str, &str) -> Option<u16>,
) -> Option<EngagementSettings> {
    let defaults = EngagementSettings::default();
    let mut read = |field: &str, what: &str, default: u16| -> Option<u16> {
        if form.value(field).trim().is_empty() {
            Some(default)
        } else {
            whole(form, field, what)
        }
    };
    let small = |value: u16| u8::try_from(value).unwrap_or(u8::MAX);
    let first_meeting_days = read(
        "first_meeting_days",
        "the days to book a first meeting",
        defaults.first_meeting_days,
    );
    let agreement_days = read(
        "agreement_days",
        "the days to sign the agreement",
        defaults.agreement_days,
    );
    let overdue_grace_days = read(
        "overdue_grace_days",
        "the days of grace",
        defaults.overdue_grace_days,
    );
    let mut count = |field: &str, what: &str, default: u8| read(field, what, default.into());
    let recent_meetings = count(
        "recent_meetings",
        "the recent meetings looked at",
        defaults.recent_meetings,
    );
    let cancellations_at_risk = count(
        "cancellations_at_risk",
        "the cancellations",
        defaults.cancellations_at_risk,
    );
    let cancellations_stalled = count(
        "cancellations_stalled",
        "the cancellations",
        defaults.cancellations_stalled,
    );
    let missed_at_risk = count(
        "missed_at_risk",
        "the missed meetings",
        defaults.missed_at_risk,
    );
    let missed_stalled = count(
        "missed_stalled",
        "the missed meetings",
        defaults.missed_stalled,
    );
    Some(EngagementSettings {
        first_meeting_days: first_meeting_days?,
        agreement_days: agreement_days?,
        overdue_grace_days: overdue_grace_days?,
        recent_meetings: small(recent_meetings?),
        cancellations_at_risk: small(cancellations_at_risk?),
        cancellations_stalled: small(cancellations_stalled?),
        missed_at_risk: small(missed_at_risk?),
        missed_stalled: small(missed_stalled?),
    })
}
