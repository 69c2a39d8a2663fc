//! Matching pages: a manager starts runs (with the programme's weights or others), watches
//! one progress, reviews its explained proposal, pins or forbids pairs, publishes, and follows
//! the pairings; each participant answers their own pairings from the home page.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use upward_app::{AppError, PairingAction, RunView};
use upward_domain::{
    EnrolmentId, PairingId, PairingState, Programme, ProgrammeId, RunId, RunStatus, Weights,
};
use upward_store::PairRule;

use super::forms::Pager;
use super::{ConfirmPage, Layout, confirmed};
use crate::AppState;
use crate::auth::{ManagerPage, SignedIn};
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post("/programmes/{id}/runs", Audience::ProgrammeManagers, start)
        .get(
            "/programmes/{id}/pairings",
            Audience::ProgrammeManagers,
            pairings,
        )
        .get(
            "/programmes/{id}/pairings.csv",
            Audience::ProgrammeManagers,
            export_pairings,
        )
        .post(
            "/programmes/{id}/pair-rules",
            Audience::ProgrammeManagers,
            set_rule,
        )
        .get("/runs/{id}", Audience::ProgrammeManagers, run)
        .post("/runs/{id}/publish", Audience::ProgrammeManagers, publish)
        .post(
            "/runs/{id}/pairs",
            Audience::ProgrammeManagers,
            pair_by_hand,
        )
        .post("/pairings/{id}/{action}", Audience::Pair, act)
}

/// The weights a manager typed for one run; blank fields keep the programme's.
fn weights_from(form: &HashMap<String, String>, base: Weights) -> Result<Weights, AppError> {
    let mut weights = base;
    for ((name, slot), field) in weights.named_mut().into_iter().zip(Weights::FIELDS) {
        let text = form.get(field).map_or("", |v| v.trim());
        if !text.is_empty() {
            *slot = text.parse().map_err(|_| {
                AppError::invalid(
                    field,
                    format!("the {} weight must be a number", name.replace('_', " ")),
                )
            })?;
        }
    }
    Ok(weights)
}

async fn start(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let programme = state
        .app
        .programme(manager.user(), ProgrammeId(id))
        .await?
        .programme;
    let weights = weights_from(&form, programme.draft.matching.weights)?;
    let rematch = form.get("rematch").is_some_and(|v| !v.is_empty());
    let run = state
        .app
        .start_matching(&manager, programme.id, Some(weights), rematch)
        .await?;
    state.app.run_in_background(run.id);
    Ok(Redirect::to(&format!("/runs/{}", run.id.0)).into_response())
}

#[derive(Template)]
#[template(path = "run.html")]
struct RunPage {
    layout: Layout,
    view: RunView,
    programme: Programme,
    percent: u32,
    /// For each unmatched mentee, the mentors they could be paired with by hand (when asked).
    hand: Vec<HandRow>,
    by_hand: bool,
}

/// For each unmatched mentee of the run, the mentors they could be paired with, as the form
/// lists them.
async fn hand_rows(
    state: &AppState,
    manager: &upward_app::policy::Manager,
    run: RunId,
    view: &RunView,
) -> Result<Vec<HandRow>, PageError> {
    let enrolments = state
        .app
        .programme_enrolments(manager, view.run.programme_id)
        .await?;
    let label = |id: EnrolmentId| {
        enrolments.iter().find(|e| e.id == id).map_or_else(
            || format!("enrolment {}", id.0),
            |e| format!("{} ({})", e.name, e.email),
        )
    };
    let unmatched = |id: EnrolmentId| view.unmatched.iter().any(|u| u.enrolment == id);
    let row = |(mentee, mentors): (EnrolmentId, Vec<(EnrolmentId, f64)>)| HandRow {
        mentee,
        mentee_label: label(mentee),
        mentors: mentors
            .into_iter()
            .map(|(mentor, score)| {
                let free = if unmatched(mentor) {
                    " · unmatched"
                } else {
                    ""
                };
                (
                    mentor,
                    format!("{} · score {score:.2}{free}", label(mentor)),
                )
            })
            .collect(),
    };
    Ok(state
        .app
        .hand_partners(manager, run)
        .await?
        .into_iter()
        .map(row)
        .collect())
}

/// An unmatched mentee and the mentors that pass every rule with them, best first; each named
/// with their email so people who share a name can be told apart.
struct HandRow {
    mentee: EnrolmentId,
    mentee_label: String,
    mentors: Vec<(EnrolmentId, String)>,
}

impl RunPage {
    fn in_progress(&self) -> bool {
        matches!(self.view.run.status, RunStatus::Queued | RunStatus::Running)
    }

    fn is_done(&self) -> bool {
        self.view.run.status == RunStatus::Done
    }
}

async fn run(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let view = state.app.run_view(&manager, RunId(id)).await?;
    let programme = state
        .app
        .programme(manager.user(), view.run.programme_id)
        .await?
        .programme;
    let mut layout = Layout::new(
        format!("Matching run {}", view.run.id.0),
        manager.user(),
        &csrf,
        "programmes",
    )
    .with_notice(super::done_notice(&query));
    if matches!(view.run.status, RunStatus::Queued | RunStatus::Running) {
        layout.refresh_seconds = Some(1);
    }
    let percent = (view.run.progress * 100.0).round() as u32;
    // Working out who could pair with whom reads the whole cohort: only when asked.
    let by_hand = query.contains_key("by_hand");
    let hand = if by_hand {
        hand_rows(&state, &manager, RunId(id), &view).await?
    } else {
        Vec::new()
    };
    Ok(render(&RunPage {
        layout,
        view,
        programme,
        percent,
        hand,
        by_hand,
    }))
}

async fn publish(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if !confirmed(&form) {
        let view = state.app.run_view(&manager, RunId(id)).await?;
        let pairs = view.pairs.len();
        return Ok(render(&ConfirmPage {
            layout: Layout::new("Publish the run?", manager.user(), &csrf, "programmes"),
            heading: format!("Publish {}?", crate::format::count(pairs as u32, "pair")),
            explanation: format!(
                "{} people will be told by email who they are proposed with and asked to accept or decline. Publishing cannot be undone: anyone may still decline without giving a reason, and you can re-match those left without a partner.",
                pairs * 2
            ),
            action: format!("/runs/{id}/publish"),
            button: format!("Publish and mail {} people", pairs * 2),
            cancel: format!("/runs/{id}"),
            fields: Vec::new(),
            danger: false,
        }));
    }
    let published = state.app.publish_run(&manager, RunId(id)).await?;
    let back = published.first().map_or_else(
        || format!("/runs/{id}"),
        |pairing| {
            format!(
                "/programmes/{}/pairings?done=published",
                pairing.programme_id.0
            )
        },
    );
    Ok(Redirect::to(&back).into_response())
}

async fn pair_by_hand(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let enrolment = |field: &'static str| -> Result<EnrolmentId, AppError> {
        form.get(field)
            .and_then(|v| v.parse().ok())
            .map(EnrolmentId)
            .ok_or_else(|| AppError::invalid(field, format!("choose a {field}")))
    };
    state
        .app
        .pair_by_hand(
            &manager,
            RunId(id),
            enrolment("mentor")?,
            enrolment("mentee")?,
        )
        .await?;
    Ok(Redirect::to(&format!("/runs/{id}?done=paired")).into_response())
}

async fn set_rule(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let number = |field: &'static str| -> Result<i64, AppError> {
        form.get(field)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| AppError::invalid(field, "choose a pair"))
    };
    let rule = match form.get("rule").map(String::as_str) {
        Some("pin") => Some(PairRule::Pin),
        Some("forbid") => Some(PairRule::Forbid),
        Some("clear") => None,
        _ => return Err(AppError::invalid("rule", "choose pin, forbid or clear").into()),
    };
    state
        .app
        .set_pair_rule(
            &manager,
            ProgrammeId(id),
            EnrolmentId(number("mentor")?),
            EnrolmentId(number("mentee")?),
            rule,
        )
        .await?;
    let done = match rule {
        Some(PairRule::Pin) => "pinned",
        Some(PairRule::Forbid) => "forbidden",
        None => "cleared",
    };
    let back = form
        .get("run")
        .and_then(|run| run.parse::<i64>().ok())
        .map_or_else(
            || format!("/programmes/{id}?done={done}#pair-rules"),
            |run| format!("/runs/{run}?done={done}"),
        );
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "pairings.html")]
struct PairingsPage {
    layout: Layout,
    programme: Programme,
    pairings: Vec<upward_app::ManagedPairing>,
    /// Mentees freed by a decline, a step back or an exit, and not in a live pairing now.
    freed: i64,
    /// How many pairings there are before `?state=` narrows the list, and that state.
    total: i64,
    state_filter: String,
    /// Each state a manager can narrow the list to, its words and how many are in it.
    states: Vec<(&'static str, &'static str, i64)>,
    pager: Pager,
}

/// The states a manager can narrow the pairings to, with their words.
const PAIRING_STATES: [(&str, &str); 7] = [
    ("proposed", "Proposed"),
    ("exploring", "Exploratory meeting"),
    ("active", "Active"),
    ("declined", "Declined"),
    ("expired", "Expired"),
    ("stepped_back", "Stepped back"),
    ("ended", "Ended"),
];

fn state_label(state: &PairingState) -> String {
    match state {
        PairingState::Proposed { .. } => "proposed".into(),
        PairingState::Exploring { .. } => "exploratory meeting".into(),
        PairingState::Active => "active".into(),
        PairingState::Declined { by } => format!("declined by the {}", by.as_str()),
        PairingState::Expired => "expired".into(),
        PairingState::SteppedBack { by } => format!("{} stepped back", by.as_str()),
        PairingState::Ended { by } => format!("ended by the {}", by.as_str()),
    }
}

async fn pairings(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let programme = state
        .app
        .programme(manager.user(), ProgrammeId(id))
        .await?
        .programme;
    // An unknown state (an old bookmark) shows every pairing rather than an error.
    let state_filter = query
        .get("state")
        .filter(|name| PairingState::NAMES.contains(&name.as_str()))
        .cloned()
        .unwrap_or_default();
    let filter = Some(state_filter.as_str()).filter(|name| !name.is_empty());
    let page_of = async |page: i64| {
        state
            .app
            .programme_pairings_page(
                &manager,
                ProgrammeId(id),
                filter,
                Pager::offset(page),
                Pager::SIZE,
            )
            .await
    };
    let mut page = Pager::requested(&query);
    let mut found = page_of(page).await?;
    if page > Pager::last_page(found.matching) {
        // Asked beyond the end: show the last page, labelled as such.
        page = Pager::last_page(found.matching);
        found = page_of(page).await?;
    }
    let count_in = |name: &str| {
        found
            .by_state
            .iter()
            .find(|(state, _)| state == name)
            .map_or(0, |(_, count)| *count)
    };
    let states = PAIRING_STATES
        .iter()
        .map(|&(code, words)| (code, words, count_in(code)))
        .collect();
    let layout = Layout::new(
        format!("Pairings of {}", programme.draft.name),
        manager.user(),
        &csrf,
        "programmes",
    )
    .with_notice(super::done_notice(&query));
    let base = format!("/programmes/{id}/pairings?state={state_filter}&");
    Ok(render(&PairingsPage {
        layout,
        programme,
        pager: Pager::new(page, found.matching, base),
        pairings: found.pairings,
        freed: state.app.freed_mentees(&manager, ProgrammeId(id)).await?,
        total: found.total,
        state_filter,
        states,
    }))
}

/// Every pairing of the programme as CSV: who, the state, the score, the dates and the reasons
/// people gave (for the manager's own follow-up; it is their page's data).
async fn export_pairings(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let csv = state.app.export_pairings(&manager, ProgrammeId(id)).await?;
    Ok(super::csv_download(&format!("pairings-{id}.csv"), csv))
}

async fn act(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path((id, action)): Path<(i64, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let action = PairingAction::parse(&action)
        .ok_or_else(|| AppError::NotFound(format!("the action '{action}'")))?;
    let reason = form.get("reason").map(String::as_str);
    if let Some((heading, explanation, button)) = irreversible(action)
        && !confirmed(&form)
    {
        let pairing = state.app.my_pairing(&user, PairingId(id)).await?;
        return Ok(render(&ConfirmPage {
            layout: Layout::new(heading, &user, &csrf, "home"),
            heading: format!("{heading} with {}?", pairing.partner_name),
            explanation: explanation.to_owned(),
            action: format!("/pairings/{id}/{}", action.as_str()),
            button: button.to_owned(),
            cancel: format!("/#pairing-{id}"),
            fields: reason
                .map(|r| vec![("reason".to_owned(), r.to_owned())])
                .unwrap_or_default(),
            danger: true,
        }));
    }
    state
        .app
        .act_on_pairing(&user, PairingId(id), action, reason)
        .await?;
    Ok(Redirect::to(&format!("/?done={}#pairing-{id}", action.as_str())).into_response())
}

/// The pairing actions that cannot be undone, with what their confirmation says.
fn irreversible(action: PairingAction) -> Option<(&'static str, &'static str, &'static str)> {
    match action {
        PairingAction::Decline => Some((
            "Decline the pairing",
            "You will not be proposed together again. Your partner is told only that the pairing will not go ahead, never who declined or why; what you write as a reason goes to the programme manager alone.",
            "Decline",
        )),
        PairingAction::StepBack => Some((
            "Step back from the pairing",
            "There is no penalty: the pairing stops after the exploratory meeting, you will not be proposed together again, and the programme manager can match you both with someone else.",
            "Step back",
        )),
        PairingAction::End => Some((
            "End the pairing",
            "There is no penalty: the pairing ends for both of you now and cannot be restarted. Your partner is told it has ended, and the programme manager can match you both again.",
            "End the pairing",
        )),
        PairingAction::Accept | PairingAction::Confirm => None,
    }
}
