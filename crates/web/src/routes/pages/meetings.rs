//! A pair's own pages once the pairing is under way: the pairing page (the agreement to sign,
//! the learning goals, the proposed schedule to accept, then the meetings, the calendar file
//! and the private feed), recording a meeting held outside the series, and logging how a
//! meeting ended. Goals have their own page (`goals`); the agreement's text is its programme's.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use upward_app::agreements::{PairAgreement, SignRequest};
use upward_app::goals::GoalView;
use upward_app::meetings::{MeetingItem, MoveRequest, OutcomeRequest, RecordRequest, Topics};
use upward_app::schedule::{ScheduleChange, ScheduleView};
use upward_app::{AppError, MyPairing};
use upward_domain::{MeetingId, MeetingStatus, PairingId, Side};

use super::forms::FormState;
use super::{ConfirmPage, Layout, confirmed, refused};
use crate::AppState;
use crate::auth::SignedIn;
use crate::csrf::CsrfToken;
use crate::error::{PageError, capitalise, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/pairings/{id}", Audience::Pair, pairing_page)
        .post("/pairings/{id}/schedule", Audience::Pair, accept_schedule)
        .post(
            "/pairings/{id}/schedule/change",
            Audience::Pair,
            change_schedule,
        )
        .post("/pairings/{id}/meetings", Audience::Pair, record_meeting)
        .get("/pairings/{id}/calendar.ics", Audience::Pair, calendar_file)
        .get("/meetings/{id}/calendar.ics", Audience::Pair, meeting_file)
        .get("/meetings/{id}", Audience::Pair, meeting_page)
        .post("/meetings/{id}", Audience::Pair, log_meeting)
        .post("/meetings/{id}/move", Audience::Pair, move_meeting)
        .post("/calendar-feed/revoke", Audience::SignedIn, revoke_feed)
        .post("/pairings/{id}/agreement", Audience::Pair, sign_agreement)
}

#[derive(Template)]
#[template(path = "pairing.html")]
struct PairingPage {
    layout: Layout,
    pairing: MyPairing,
    /// The series to accept, until both have; or why none can be proposed.
    proposal: Option<Result<ScheduleView, String>>,
    /// Once settled: every meeting, earliest first.
    meetings: Vec<MeetingItem>,
    /// The viewer's private calendar feed.
    feed_url: String,
    /// For an active pairing: the agreement, with its text as HTML.
    agreement: Option<(PairAgreement, String)>,
    goals: Vec<GoalView>,
    /// The forms on the page, with what was typed and its problems after a refusal.
    forms: PairingForms,
}

/// The pairing page's forms.
#[derive(Default)]
pub(super) struct PairingForms {
    /// Recording a meeting held outside the series.
    pub meeting: FormState,
    /// Adding a goal.
    pub goal: FormState,
    /// Skipping or moving one meeting of the proposed series.
    pub schedule: FormState,
}

impl PairingPage {
    fn partner_side(&self) -> &'static str {
        self.pairing.my_side.other().as_str()
    }

    /// The meeting's start in the viewer's own words, then the partner's.
    fn times(&self, mentor_local: &str, mentee_local: &str) -> (String, String) {
        match self.pairing.my_side {
            Side::Mentor => (mentor_local.to_owned(), mentee_local.to_owned()),
            Side::Mentee => (mentee_local.to_owned(), mentor_local.to_owned()),
        }
    }

    /// Minutes of the whole series outside the viewer's preferred time of day, then the
    /// partner's.
    fn costs(&self, view: &ScheduleView) -> (i64, i64) {
        let (mentor, mentee) = (
            view.mentor_minutes_outside_preference,
            view.mentee_minutes_outside_preference,
        );
        match self.pairing.my_side {
            Side::Mentor => (mentor, mentee),
            Side::Mentee => (mentee, mentor),
        }
    }

    fn accepted_by_me(&self) -> bool {
        matches!(&self.proposal, Some(Ok(view)) if view.accepted_by.contains(&self.pairing.my_side))
    }

    fn accepted_by_partner(&self) -> bool {
        matches!(&self.proposal, Some(Ok(view)) if view.accepted_by.contains(&self.pairing.my_side.other()))
    }
}

async fn pairing_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let notice = notice(&query);
    render_pairing(
        &state,
        &user,
        &csrf,
        PairingId(id),
        PairingForms::default(),
        notice,
    )
    .await
}

pub(super) async fn render_pairing(
    state: &AppState,
    user: &upward_domain::User,
    csrf: &CsrfToken,
    id: PairingId,
    forms: PairingForms,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let pairing = state.app.my_pairing(user, id).await?;
    let meetings = state.app.pairing_meetings(user, id).await?;
    let proposal = if pairing.state == "active" && meetings.is_empty() {
        Some(match state.app.schedule_proposal(user, id).await {
            Ok(view) => Ok(view),
            Err(AppError::Conflict(why)) => Err(capitalise(&why)),
            Err(other) => return Err(other.into()),
        })
    } else {
        None
    };
    let feed_url = state.app.calendar_feed_url(user).await?;
    let agreement = if pairing.state == "active" {
        let agreement = state.app.pairing_agreement(user, id).await?;
        let html = crate::format::markdown(&agreement.text.body);
        Some((agreement, html))
    } else {
        None
    };
    let goals = state.app.pairing_goals(user, id).await?;
    let layout = Layout::new(
        format!("Your pairing with {}", pairing.partner_name),
        user,
        csrf,
        "home",
    )
    .with_notice(notice);
    Ok(render(&PairingPage {
        layout,
        pairing,
        proposal,
        meetings,
        feed_url,
        agreement,
        goals,
        forms,
    }))
}

/// The pairing page again after one of its forms was refused (422), with what was typed and
/// its problems.
pub(super) async fn pairing_refused(
    state: &AppState,
    user: &upward_domain::User,
    csrf: &CsrfToken,
    id: PairingId,
    forms: PairingForms,
) -> Result<Response, PageError> {
    let page = render_pairing(state, user, csrf, id, forms, None).await;
    refused(StatusCode::UNPROCESSABLE_ENTITY, page)
}

/// What a change on these pages did, named by `?done=…`.
fn notice(query: &HashMap<String, String>) -> Option<String> {
    let sentence = match query.get("done")?.as_str() {
        "accepted" => {
            "You accepted the schedule. It is settled once your partner accepts it too; you will both get an email."
        }
        "settled" => "Your schedule is settled: the meetings are below and in your calendar feed.",
        "recorded" => "The meeting is recorded.",
        "changed" => {
            "The series is changed and you accept it as it is now; your partner is asked to accept it again."
        }
        "logged" => "The meeting's outcome is saved.",
        "moved" => "The meeting is moved; your calendar feeds show the new time.",
        "revoked" => {
            "Your old calendar feed address no longer works. Subscribe to the new one below."
        }
        "signed" => "You signed the agreement.",
        "agreement-changed" => {
            "The programme's agreement changed while you were reading it. Read it again below before you sign."
        }
        "goal-added" => "The goal is added.",
        "goal-saved" => "The goal is saved.",
        "goal-removed" => "The goal is removed.",
        _ => return None,
    };
    Some(sentence.to_owned())
}

async fn sign_agreement(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let read = form.get("version").and_then(|v| v.parse::<i64>().ok());
    let current = state.app.pairing_agreement(&user, PairingId(id)).await?;
    // The text changed while they read it: show them the new one rather than sign it.
    let done = if read.is_some_and(|read| read != current.text.version) {
        "agreement-changed"
    } else {
        let request = SignRequest { version: read };
        state
            .app
            .sign_agreement(&user, PairingId(id), request)
            .await?;
        "signed"
    };
    Ok(Redirect::to(&format!("/pairings/{id}?done={done}#agreement")).into_response())
}

async fn accept_schedule(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let agreement = state.app.accept_schedule(&user, PairingId(id)).await?;
    let done = if agreement.settled {
        "settled"
    } else {
        "accepted"
    };
    Ok(Redirect::to(&format!("/pairings/{id}?done={done}#schedule")).into_response())
}

async fn change_schedule(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let meeting = form.value("meeting").parse::<usize>();
    let skip = form.value("how") == "skip";
    let change = meeting.map(|meeting| ScheduleChange {
        meeting,
        skip: Some(skip),
        start: (!skip).then(|| form.value("start").to_owned()),
    });
    let outcome = match change {
        Ok(change) => {
            state
                .app
                .change_schedule(&user, PairingId(id), change)
                .await
        }
        Err(_) => Err(AppError::invalid("meeting", "choose the meeting to change")),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!("/pairings/{id}?done=changed#schedule")).into_response()),
        Err(error) => {
            form.absorb(error)?;
            let forms = PairingForms {
                schedule: form,
                ..PairingForms::default()
            };
            pairing_refused(&state, &user, &csrf, PairingId(id), forms).await
        }
    }
}

async fn record_meeting(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let minutes = form.value("minutes").trim().parse::<i64>();
    let Ok(minutes) = minutes else {
        form.add_error("minutes", "give the minutes as a whole number, such as 45");
        let forms = PairingForms {
            meeting: form,
            ..PairingForms::default()
        };
        return pairing_refused(&state, &user, &csrf, PairingId(id), forms).await;
    };
    let request = RecordRequest {
        start: form.value("start").to_owned(),
        minutes,
        channel: Some(form.value("channel").to_owned()).filter(|c| !c.is_empty()),
        topics: Some(Topics::Line(form.value("topics").to_owned())),
        notes: Some(form.value("notes").to_owned()),
    };
    match state
        .app
        .record_meeting(&user, PairingId(id), request)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/pairings/{id}?done=recorded#meetings")).into_response())
        }
        Err(error) => {
            form.absorb(error)?;
            let forms = PairingForms {
                meeting: form,
                ..PairingForms::default()
            };
            pairing_refused(&state, &user, &csrf, PairingId(id), forms).await
        }
    }
}

async fn calendar_file(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let calendar = state.app.pairing_calendar(&user, PairingId(id)).await?;
    Ok(ics_download(&format!("mentoring-{id}.ics"), calendar))
}

async fn meeting_file(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let calendar = state.app.meeting_calendar(&user, MeetingId(id)).await?;
    Ok(ics_download(
        &format!("mentoring-meeting-{id}.ics"),
        calendar,
    ))
}

fn ics_download(filename: &str, calendar: String) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        calendar,
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    layout: Layout,
    meeting: MeetingItem,
    /// The viewer's side, to say who "you" are in the choices.
    my_side: Side,
    form: FormState,
    /// Why the last attempt was refused, when it was not one field's fault.
    refusal: Option<String>,
}

impl MeetingPage {
    fn channel_words(&self) -> &'static str {
        if self.meeting.channel == "in_person" {
            "in-person"
        } else {
            "virtual"
        }
    }

    fn my_local(&self) -> &str {
        match self.my_side {
            Side::Mentor => &self.meeting.mentor_local,
            Side::Mentee => &self.meeting.mentee_local,
        }
    }
}

async fn meeting_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let meeting = state.app.my_meeting(&user, MeetingId(id)).await?;
    let form = form_of(&meeting);
    render_meeting(&state, &user, &csrf, meeting, form, None).await
}

async fn render_meeting(
    state: &AppState,
    user: &upward_domain::User,
    csrf: &CsrfToken,
    meeting: MeetingItem,
    form: FormState,
    refusal: Option<String>,
) -> Result<Response, PageError> {
    let pairing = state.app.my_pairing(user, meeting.pairing).await?;
    Ok(render(&MeetingPage {
        layout: Layout::new("Log a meeting", user, csrf, "home"),
        meeting,
        my_side: pairing.my_side,
        form,
        refusal,
    }))
}

/// The form as the meeting stands: what was logged before, to correct it.
fn form_of(meeting: &MeetingItem) -> FormState {
    let mut values = HashMap::new();
    let status = match meeting.status {
        MeetingStatus::Scheduled => "",
        other => other.as_str(),
    };
    values.insert("status".to_owned(), status.to_owned());
    values.insert("channel".to_owned(), meeting.channel.clone());
    if let Some(minutes) = meeting.minutes {
        values.insert("minutes".to_owned(), minutes.to_string());
    }
    if let Some(by) = meeting.cancelled_by {
        values.insert("cancelled_by".to_owned(), by.as_str().to_owned());
    }
    if meeting.rescheduled {
        values.insert("rescheduled".to_owned(), "on".to_owned());
    }
    values.insert("topics".to_owned(), meeting.topics.join(", "));
    values.insert("notes".to_owned(), meeting.notes.clone());
    FormState::new(values)
}

async fn log_meeting(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let text = |form: &FormState, name: &str| {
        Some(form.value(name).trim().to_owned()).filter(|v| !v.is_empty())
    };
    let minutes = match text(&form, "minutes").map(|m| m.parse::<i64>()) {
        Some(Err(_)) => {
            form.add_error("minutes", "give the minutes as a whole number, such as 45");
            None
        }
        Some(Ok(minutes)) => Some(minutes),
        None => None,
    };
    let text = |name: &str| text(&form, name);
    let request = OutcomeRequest {
        status: text("status").unwrap_or_default(),
        cancelled_by: text("cancelled_by"),
        minutes,
        topics: text("topics").map(Topics::Line),
        notes: Some(form.value("notes").to_owned()),
        channel: text("channel"),
        rescheduled: Some(form.checked("rescheduled")),
    };
    let outcome = if form.has_errors() {
        Err(AppError::Invalid(Vec::new()))
    } else {
        state.app.log_meeting(&user, MeetingId(id), request).await
    };
    after_change(&state, &user, &csrf, MeetingId(id), form, outcome, "logged").await
}

/// Where a change to a meeting leads: back to the pairing, saying `done`; or the meeting's
/// page again with the refusal (409, in words) or the fields' problems (422).
async fn after_change(
    state: &AppState,
    user: &upward_domain::User,
    csrf: &CsrfToken,
    id: MeetingId,
    mut form: FormState,
    outcome: Result<MeetingItem, AppError>,
    done: &str,
) -> Result<Response, PageError> {
    let (status, refusal) = match outcome {
        Ok(saved) => {
            let back = format!("/pairings/{}?done={done}#meeting-{}", saved.pairing.0, id.0);
            return Ok(Redirect::to(&back).into_response());
        }
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, Some(capitalise(&why))),
        Err(error) => {
            form.absorb(error)?;
            (StatusCode::UNPROCESSABLE_ENTITY, None)
        }
    };
    let meeting = state.app.my_meeting(user, id).await?;
    refused(
        status,
        render_meeting(state, user, csrf, meeting, form, refusal).await,
    )
}

async fn move_meeting(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let form = FormState::new(values);
    let request = MoveRequest {
        start: form.value("start").to_owned(),
    };
    let outcome = state.app.move_meeting(&user, MeetingId(id), request).await;
    after_change(&state, &user, &csrf, MeetingId(id), form, outcome, "moved").await
}

async fn revoke_feed(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    // Back to the pairing page the request came from (a number only, so nowhere else).
    let back = form
        .get("pairing")
        .and_then(|id| id.parse::<i64>().ok())
        .map_or("/".to_owned(), |id| format!("/pairings/{id}"));
    if !confirmed(&form) {
        return Ok(render(&ConfirmPage {
            layout: Layout::new("Revoke your calendar feed", &user, &csrf, "home"),
            heading: "Revoke your calendar feed?".into(),
            explanation: "Calendars subscribed to the current address stop receiving your meetings at once. You get a new address to subscribe to instead.".into(),
            action: "/calendar-feed/revoke".into(),
            button: "Revoke".into(),
            cancel: back.clone(),
            fields: form
                .get("pairing")
                .map(|id| vec![("pairing".to_owned(), id.clone())])
                .unwrap_or_default(),
            danger: true,
        }));
    }
    state.app.revoke_calendar_feed(&user).await?;
    Ok(Redirect::to(&format!("{back}?done=revoked#calendar")).into_response())
}
