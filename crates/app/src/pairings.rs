//! Consent and commitment (DOMAIN §4): each person answers their own proposals privately,
//! confirms or steps back after the exploratory meeting, and may end an active pairing at any
//! time. A participant sees only their own pairings, never the other side's answer, never who
//! declined, and never anyone's reason; the programme manager sees everything.

use serde::{Deserialize, Serialize};
use upward_domain::{
    Answer, PairExplanation, Pairing, PairingEvent, PairingId, PairingState, Phase, ProgrammeId,
    Side, User,
};
use upward_store::{Mail, PairWords, StoreError};

use crate::policy::Manager;
use crate::{App, AppError, AppResult, ManagedPairing};

/// What a participant does with one of their pairings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PairingAction {
    Accept,
    Decline,
    /// After the exploratory meeting: go on.
    Confirm,
    /// After the exploratory meeting: do not go on (no penalty).
    StepBack,
    /// End an active pairing (the no-penalty escape clause).
    End,
}

impl PairingAction {
    fn event(self, side: Side) -> PairingEvent {
        match self {
            PairingAction::Accept => PairingEvent::Accept(side),
            PairingAction::Decline => PairingEvent::Decline(side),
            PairingAction::Confirm => PairingEvent::Confirm(side),
            PairingAction::StepBack => PairingEvent::StepBack(side),
            PairingAction::End => PairingEvent::End(side),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PairingAction::Accept => "accept",
            PairingAction::Decline => "decline",
            PairingAction::Confirm => "confirm",
            PairingAction::StepBack => "step_back",
            PairingAction::End => "end",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "accept" => Some(PairingAction::Accept),
            "decline" => Some(PairingAction::Decline),
            "confirm" => Some(PairingAction::Confirm),
            "step_back" => Some(PairingAction::StepBack),
            "end" => Some(PairingAction::End),
            _ => None,
        }
    }
}

/// A pairing as one of its two people sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyPairing {
    pub id: PairingId,
    pub programme_id: ProgrammeId,
    pub my_side: Side,
    pub partner_name: String,
    /// Shown once both have accepted, to arrange the exploratory meeting.
    pub partner_email: Option<String>,
    /// `proposed`, `exploring`, `active`, `declined`, `expired`, `stepped_back` or `ended`.
    pub state: &'static str,
    /// What it means for this person, in words.
    pub status: String,
    /// This person's own answer at the current step (never the other side's).
    pub my_answer: Option<Answer>,
    /// What this person may do now.
    pub actions: Vec<PairingAction>,
    /// Why they were matched.
    pub explanation: PairExplanation,
    /// What the partner wrote for their future partner when enrolling ("what I can offer"),
    /// shown while the pairing is proposed or under way.
    pub partner_statement: Option<String>,
    /// The topics the mentor offers and the mentee wants, in a sentence.
    pub shared_topics: Option<String>,
    #[schema(value_type = String)]
    pub answer_due: jiff::Timestamp,
}

impl MyPairing {
    fn of(pairing: &Pairing, side: Side) -> Self {
        let state = pairing.state;
        let mine = state.answer(side);
        let partner = side.other();
        let partner_name = pairing.name_of(partner).to_owned();
        let partner_email = matches!(state, PairingState::Exploring { .. } | PairingState::Active)
            .then(|| pairing.email_of(partner).as_str().to_owned());
        let status = match state {
            PairingState::Proposed { .. } if mine == Some(Answer::Yes) => {
                "you accepted; the proposal goes ahead if the other person accepts too".into()
            }
            PairingState::Proposed { .. } => "proposed: please accept or decline".into(),
            PairingState::Exploring { .. } if mine == Some(Answer::Yes) => {
                "you confirmed after the exploratory meeting; waiting for the other person".into()
            }
            PairingState::Exploring { .. } => {
                "you both accepted: hold an exploratory meeting, then confirm or step back".into()
            }
            PairingState::Active => "active".into(),
            PairingState::Declined { by } if by == side => "you declined".into(),
            PairingState::Declined { .. } => {
                "this proposal did not go ahead; the programme manager will look for another match"
                    .into()
            }
            PairingState::Expired => "expired: it was not answered in time".into(),
            PairingState::SteppedBack { by } if by == side => {
                "you stepped back after the exploratory meeting".into()
            }
            PairingState::SteppedBack { .. } => {
                "this pairing did not go ahead after the exploratory meeting".into()
            }
            PairingState::Ended { .. } => "ended".into(),
        };
        let actions = [
            PairingAction::Accept,
            PairingAction::Decline,
            PairingAction::Confirm,
            PairingAction::StepBack,
            PairingAction::End,
        ]
        .into_iter()
        .filter(|action| state.apply(action.event(side)).is_ok())
        .collect();
        Self {
            id: pairing.id,
            programme_id: pairing.programme_id,
            my_side: side,
            partner_name,
            partner_email,
            state: state.name(),
            status,
            my_answer: mine,
            actions,
            explanation: pairing.explanation.clone(),
            answer_due: pairing.answer_due,
            partner_statement: None,
            shared_topics: None,
        }
    }
}

/// Changes that lose a race to a concurrent one are retried this many times.
const ATTEMPTS: usize = 5;

impl App {
    /// The user's own pairings, newest first.
    pub async fn my_pairings(&self, user: &User) -> AppResult<Vec<MyPairing>> {
        // Every partner's words come in the same read as the pairings.
        let found = self
            .store
            .person_pairings_in_words(&user.email.key())
            .await?;
        Ok(found
            .iter()
            .filter_map(|(pairing, words)| {
                let side = pairing.side_of(&user.email)?;
                Some(seen_from(side, pairing, Some(words)))
            })
            .collect())
    }

    /// One of the user's pairings; anyone else's answers 404, as if it did not exist.
    pub async fn my_pairing(&self, user: &User, id: PairingId) -> AppResult<MyPairing> {
        let pairing = self.own_pairing(user, id).await?;
        let side = pairing
            .side_of(&user.email)
            .expect("checked by own_pairing");
        self.described(&pairing, side).await
    }

    /// One pairing as one side sees it (both enrolments read in one go while it is live).
    async fn described(&self, pairing: &Pairing, side: Side) -> AppResult<MyPairing> {
        if !pairing.state.is_live() {
            return Ok(seen_from(side, pairing, None));
        }
        let enrolments = self
            .store
            .enrolments_by_id(&[pairing.mentor, pairing.mentee])
            .await?;
        let find = |id| enrolments.iter().find(|e| e.id == id);
        let words = match (find(pairing.mentor), find(pairing.mentee)) {
            (Some(mentor), Some(mentee)) => Some(PairWords {
                mentor_statement: mentor.profile.statement.clone(),
                mentor_offers: mentor.profile.offers.clone(),
                mentee_statement: mentee.profile.statement.clone(),
                mentee_interests: mentee.profile.interests.clone(),
            }),
            _ => None,
        };
        Ok(seen_from(side, pairing, words.as_ref()))
    }

    pub(crate) async fn own_pairing(&self, user: &User, id: PairingId) -> AppResult<Pairing> {
        match self.store.pairing(id).await {
            Ok(pairing) if pairing.side_of(&user.email).is_some() => Ok(pairing),
            Ok(_) | Err(StoreError::NotFound { .. }) => {
                Err(AppError::NotFound("the pairing".into()))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The user acts on their own pairing. `reason` (for a decline, stepping back or an end)
    /// goes to the programme manager only. Two people acting at once both succeed, in either
    /// order; a repeated or out-of-turn action is a conflict with its reason.
    pub async fn act_on_pairing(
        &self,
        user: &User,
        id: PairingId,
        action: PairingAction,
        reason: Option<&str>,
    ) -> AppResult<MyPairing> {
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if let Some(reason) = reason
            && reason.chars().count() > 2000
        {
            return Err(AppError::invalid(
                "reason",
                "the reason can be at most 2,000 characters",
            ));
        }
        for _ in 0..ATTEMPTS {
            let pairing = self.own_pairing(user, id).await?;
            let side = pairing
                .side_of(&user.email)
                .expect("checked by own_pairing");
            let event = action.event(side);
            let next = pairing
                .state
                .apply(event)
                .map_err(|refused| AppError::Conflict(refused.reason))?;
            let mail = announcements(&pairing, side, next);
            match self
                .store
                .update_pairing(&pairing, event, reason, user.email.as_str(), &mail)
                .await
            {
                Ok(updated) => {
                    if updated.state == PairingState::Active {
                        self.programme_under_way(updated.programme_id).await?;
                    }
                    return self.described(&updated, side).await;
                }
                // Someone else changed it since it was read: read it again.
                Err(StoreError::Conflict { .. }) => continue,
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Conflict(
            "the pairing is changing too fast; try again in a moment".into(),
        ))
    }

    /// The phase follows reality: once a pairing is active, a programme still in its matching
    /// phase is running (a manager can reopen enrolment or re-match from there).
    async fn programme_under_way(&self, programme: ProgrammeId) -> AppResult<()> {
        match self
            .store
            .change_phase(programme, Phase::Matching, Phase::Running)
            .await
        {
            Ok(_) => {
                let entry = upward_store::NewAuditEntry {
                    actor: "Upward",
                    action: "programme.phase",
                    subject: &format!("programme {}", programme.0),
                    detail: "matching → running: the first pairing became active",
                    programme: Some(programme),
                };
                Ok(self.store.record_audit(&entry).await?)
            }
            // Already running (or moved on by a manager): nothing to do.
            Err(StoreError::Conflict { .. }) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    /// Every pairing of the programme as CSV: who, the state, the score, the dates and the
    /// reasons people gave (the manager's pairings page, to follow up elsewhere).
    pub async fn export_pairings(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<u8>> {
        let pairings = self.programme_pairings(manager, programme).await?;
        let failed = |e: csv::Error| AppError::Internal(e.into());
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer
            .write_record([
                "mentor_email",
                "mentor_name",
                "mentee_email",
                "mentee_name",
                "state",
                "by",
                "score",
                "published_at",
                "answer_due",
                "reason",
            ])
            .map_err(failed)?;
        for p in &pairings {
            let by = match p.state {
                PairingState::Declined { by }
                | PairingState::SteppedBack { by }
                | PairingState::Ended { by } => by.as_str(),
                _ => "",
            };
            crate::import::write_safe_record(
                &mut writer,
                &[
                    p.mentor_email.as_str(),
                    &p.mentor_name,
                    p.mentee_email.as_str(),
                    &p.mentee_name,
                    p.state.name(),
                    by,
                    &format!("{:.3}", p.explanation.score),
                    &p.published_at.to_string(),
                    &p.answer_due.to_string(),
                    p.reason.as_deref().unwrap_or(""),
                ],
            )
            .map_err(failed)?;
        }
        writer
            .into_inner()
            .map_err(|e| AppError::Internal(anyhow::anyhow!("writing CSV failed: {e}")))
    }

    /// Every pairing of a programme, with the reasons people gave.
    pub async fn programme_pairings(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<Pairing>> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.programme_pairings(programme).await?)
    }

    /// A page of the programme's pairings, in the order they were made, all or those in one
    /// state, with the counts a manager's list shows (each read from an index, not by loading
    /// the pairings).
    pub async fn programme_pairings_page(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        state: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> AppResult<PairingsPage> {
        if let Some(state) = state
            && !PairingState::NAMES.contains(&state)
        {
            return Err(AppError::invalid(
                "state",
                format!("use one of {}", PairingState::NAMES.join(", ")),
            ));
        }
        let managed = self.managed_programme(manager, programme).await?;
        let by_state = self.store.pairing_counts(programme).await?;
        let count_of = |wanted: Option<&str>| {
            by_state
                .iter()
                .filter(|(name, _)| wanted.is_none_or(|wanted| wanted == name))
                .map(|(_, count)| count)
                .sum()
        };
        let pairings = self
            .store
            .programme_pairings_page(programme, state, offset, limit)
            .await?;
        Ok(PairingsPage {
            pairings: self.with_engagement(&managed, pairings).await?,
            matching: count_of(state),
            total: count_of(None),
            by_state,
        })
    }

    /// Mentees who had a pairing in the programme and have no live one now (they can be
    /// re-matched).
    pub async fn freed_mentees(&self, manager: &Manager, programme: ProgrammeId) -> AppResult<i64> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.freed_mentees(programme).await?)
    }
}

/// One page of a programme's pairings (see [`App::programme_pairings_page`]).
#[derive(Debug, Clone)]
pub struct PairingsPage {
    pub pairings: Vec<ManagedPairing>,
    /// Pairings in the state asked for (every pairing when none was).
    pub matching: i64,
    /// Every pairing of the programme.
    pub total: i64,
    /// How many pairings are in each state; states with none are left out.
    pub by_state: Vec<(String, i64)>,
}

/// The mail a change sends. It never says who declined or why.
fn announcements(pairing: &Pairing, side: Side, next: PairingState) -> Vec<Mail> {
    let address = |side: Side| pairing.email_of(side).as_str().to_owned();
    let partner = side.other();
    let both = |subject: &str, body: &str| {
        [Side::Mentor, Side::Mentee]
            .map(|to| Mail {
                recipient: address(to),
                subject: subject.to_owned(),
                body: body.to_owned(),
            })
            .to_vec()
    };
    let to_partner = |subject: &str, body: &str| {
        vec![Mail {
            recipient: address(partner),
            subject: subject.to_owned(),
            body: body.to_owned(),
        }]
    };
    match next {
        PairingState::Exploring {
            mentor: Answer::Pending,
            mentee: Answer::Pending,
        } => both(
            "You both accepted: time for an exploratory meeting",
            &format!(
                "{} and {} both accepted the proposal. Meet once to see whether it fits, then \
                 confirm or step back in Upward; stepping back carries no penalty.",
                pairing.mentor_name, pairing.mentee_name
            ),
        ),
        PairingState::Active => both(
            "Your reverse mentoring pairing is active",
            "You both confirmed after the exploratory meeting. Either of you may end the pairing \
             at any time, without penalty.",
        ),
        PairingState::Declined { .. } => to_partner(
            "Your proposed match did not go ahead",
            "The proposal did not go ahead. The programme manager will look for another match.",
        ),
        PairingState::SteppedBack { .. } => to_partner(
            "Your pairing did not go ahead",
            "After the exploratory meeting the pairing did not go ahead. The programme manager \
             will look for another match.",
        ),
        PairingState::Ended { .. } => to_partner(
            "Your reverse mentoring pairing has ended",
            "Your pairing has ended. The programme manager can match you again.",
        ),
        _ => Vec::new(),
    }
}

/// The pairing as one side sees it, with the partner's own words and the shared topics while it
/// is proposed or under way.
fn seen_from(side: Side, pairing: &Pairing, words: Option<&PairWords>) -> MyPairing {
    let mut mine = MyPairing::of(pairing, side);
    if let Some(words) = words.filter(|_| pairing.state.is_live()) {
        let partner_statement = match side {
            Side::Mentor => &words.mentee_statement,
            Side::Mentee => &words.mentor_statement,
        };
        mine.partner_statement = upward_domain::text::optional(partner_statement);
        mine.shared_topics = words
            .mentor_offers
            .shared_with(&words.mentee_interests, &pairing.mentor_name);
    }
    mine
}
