//! The mail that follows a pair through its programme, sent by the upkeep: a reminder to both
//! the day before each meeting (in each one's own time), a gentle nudge to both when their
//! engagement worsens (once per worsening), and a weekly digest to each programme's managers
//! listing the pairs that need attention. None of it carries notes or goals.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use upward_domain::{Engagement, EngagementStatus, Meeting, Pairing, PairingId, Programme, Side};
use upward_store::Mail;

use crate::meetings::PairContext;
use crate::schedule::in_words;
use crate::{App, AppResult};

/// A meeting is reminded of this long before it starts.
const REMIND_BEFORE: SignedDuration = SignedDuration::from_hours(24);
/// Each programme's engagement is looked at this often (nudges go out then).
const CHECK_EVERY: SignedDuration = SignedDuration::from_hours(24);
/// Each programme's managers get a digest this often.
const DIGEST_EVERY: SignedDuration = SignedDuration::from_hours(24 * 7);
/// Reminders queued in one round at most; the next round takes the rest.
const REMINDERS_PER_ROUND: i64 = 200;

/// What one round of follow-up did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowUp {
    pub meetings_reminded: usize,
    pub pairs_nudged: usize,
    pub digests: usize,
}

impl App {
    /// One round of follow-up mail as of `now`; every piece is claimed, so several servers can
    /// run it at once.
    pub(crate) async fn follow_up(&self, now: Timestamp) -> AppResult<FollowUp> {
        let mut done = FollowUp::default();
        let due = self
            .store
            .meetings_to_remind(now, now + REMIND_BEFORE, REMINDERS_PER_ROUND)
            .await?;
        for meeting in due {
            let pairing = self.store.pairing(meeting.pairing).await?;
            let mail = reminder(
                &pairing,
                &meeting,
                &self.pair_context(&pairing).await?,
                &self.settings.base_url(),
            );
            if self
                .store
                .mark_meeting_reminded(meeting.id, now, &mail)
                .await?
            {
                done.meetings_reminded += 1;
            }
        }
        for id in self
            .store
            .claim_engagement_checks(now, now - CHECK_EVERY)
            .await?
        {
            let programme = self.store.programme(id).await?;
            let engagement = self.engagement(&programme, None, now).await?;
            let (changes, mut mail) = self.nudges(id, &engagement).await?;
            done.pairs_nudged += mail.len() / 2;
            if !engagement.is_empty()
                && self.store.claim_digest(id, now, now - DIGEST_EVERY).await?
            {
                mail.extend(self.digest(&programme, &engagement).await?);
                done.digests += 1;
            }
            if !changes.is_empty() || !mail.is_empty() {
                self.store
                    .record_engagement_alerts(&changes, &mail, now)
                    .await?;
            }
        }
        Ok(done)
    }

    /// The pairs whose engagement changed since they were last told, and a nudge to both
    /// people of each whose engagement got worse (a recovery is noted without mail).
    async fn nudges(
        &self,
        programme: upward_domain::ProgrammeId,
        engagement: &HashMap<PairingId, Engagement>,
    ) -> AppResult<(Vec<(PairingId, EngagementStatus)>, Vec<Mail>)> {
        let told: HashMap<PairingId, EngagementStatus> = self
            .store
            .engagement_alerts(programme)
            .await?
            .into_iter()
            .collect();
        let before = |id: &PairingId| told.get(id).copied().unwrap_or(EngagementStatus::Healthy);
        let changes: Vec<(PairingId, EngagementStatus)> = engagement
            .iter()
            .filter(|(id, e)| e.status != before(id))
            .map(|(id, e)| (*id, e.status))
            .collect();
        let worse: Vec<PairingId> = changes
            .iter()
            .filter(|(id, status)| *status > before(id))
            .map(|(id, _)| *id)
            .collect();
        let base = self.settings.base_url();
        let mail = self
            .store
            .pairings_with_ids(&worse)
            .await?
            .iter()
            .flat_map(|pairing| nudge(pairing, &engagement[&pairing.id], &base))
            .collect();
        Ok((changes, mail))
    }

    /// The weekly digest to each of the programme's managers.
    async fn digest(
        &self,
        programme: &Programme,
        engagement: &HashMap<PairingId, Engagement>,
    ) -> AppResult<Vec<Mail>> {
        let mut flagged: Vec<(PairingId, &Engagement)> = engagement
            .iter()
            .filter(|(_, e)| e.status != EngagementStatus::Healthy)
            .map(|(id, e)| (*id, e))
            .collect();
        flagged.sort_by_key(|(id, e)| (std::cmp::Reverse(e.status), *id));
        let ids: Vec<PairingId> = flagged.iter().map(|(id, _)| *id).collect();
        let pairings: HashMap<PairingId, Pairing> = self
            .store
            .pairings_with_ids(&ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let lines: Vec<String> = flagged
            .iter()
            .filter_map(|(id, e)| {
                let pairing = pairings.get(id)?;
                Some(format!(
                    "- {} (mentor) and {} (mentee): {}, because {}.",
                    pairing.mentor_name,
                    pairing.mentee_name,
                    e.status.label().to_lowercase(),
                    e.reasons.join("; ")
                ))
            })
            .collect();
        let body = digest_body(
            programme,
            engagement.len(),
            &lines,
            &self.settings.base_url(),
        );
        Ok(self
            .store
            .programme_managers(programme.id)
            .await?
            .into_iter()
            .map(|manager| Mail {
                recipient: manager.email.as_str().to_owned(),
                subject: format!(
                    "Weekly: how the pairs of {} are doing",
                    programme.draft.name
                ),
                body: body.clone(),
            })
            .collect())
    }
}

fn reminder(pairing: &Pairing, meeting: &Meeting, zones: &PairContext, base: &str) -> Vec<Mail> {
    [Side::Mentor, Side::Mentee]
        .map(|side| {
            let when = in_words(&meeting.start.to_zoned(zones.of(side).clone()));
            Mail {
                recipient: pairing.email_of(side).as_str().to_owned(),
                subject: format!(
                    "Tomorrow: your reverse mentoring meeting with {}",
                    pairing.name_of(side.other())
                ),
                body: format!(
                    "Hello {},\n\nA reminder that you meet {} on {when}, {}.\n\nIf you cannot \
                     make it, say so on your pairing's page so you both find another time: \
                     {base}/pairings/{}\n",
                    pairing.name_of(side),
                    pairing.name_of(side.other()),
                    match (meeting.channel, zones.places.get(&meeting.id)) {
                        (upward_domain::schedule::MeetingChannel::Virtual, _) => {
                            "virtually".to_owned()
                        }
                        (_, Some(place)) => format!("in person at {place}"),
                        (_, None) => "in person, at a neutral place you agree".to_owned(),
                    },
                    pairing.id.0
                ),
            }
        })
        .to_vec()
}

fn nudge(pairing: &Pairing, engagement: &Engagement, base: &str) -> Vec<Mail> {
    [Side::Mentor, Side::Mentee]
        .map(|side| Mail {
            recipient: pairing.email_of(side).as_str().to_owned(),
            subject: format!(
                "Keeping your mentoring with {} going",
                pairing.name_of(side.other())
            ),
            body: format!(
                "Hello {},\n\nBusy weeks happen. Upward noticed that {}. A short message to {} \
                 to find your next time together usually gets things going again.\n\nYour \
                 pairing's page: {base}/pairings/{}\n",
                pairing.name_of(side),
                engagement.reasons.join(", and "),
                pairing.name_of(side.other()),
                pairing.id.0
            ),
        })
        .to_vec()
}

fn digest_body(programme: &Programme, active: usize, lines: &[String], base: &str) -> String {
    let summary = match lines.len() {
        0 => format!("All {active} active pairs are meeting as the programme intends."),
        1 => format!("1 of the {active} active pairs needs attention:"),
        n => format!("{n} of the {active} active pairs need attention, the most stalled first:"),
    };
    format!(
        "{}\n\n{summary}\n{}\n\nThe programme page lists them too: {base}/programmes/{}\n",
        programme.draft.name,
        lines.join("\n"),
        programme.id.0
    )
}
