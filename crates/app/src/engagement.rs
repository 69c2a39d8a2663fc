//! Early warning for managers: each active pairing's engagement (healthy, at risk, stalled, with
//! reasons), computed from the meetings when asked, so it is never stale. A manager sees counts,
//! statuses and reasons; never a meeting's notes or topics.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;
use upward_domain::engagement::assess;
use upward_domain::{
    Engagement, EngagementStatus, Meeting, Pairing, PairingId, PairingState, Programme, ProgrammeId,
};

use crate::policy::Manager;
use crate::{App, AppResult};

/// A pairing as its programme's managers see it in lists: with its engagement when active.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ManagedPairing {
    #[serde(flatten)]
    pub pairing: Pairing,
    /// How the pair is doing, for an active pairing (`null` for the others).
    pub engagement: Option<Engagement>,
}

impl App {
    /// The engagement of each of these pairings of `programme` (its active ones; `None` for
    /// the others), from their meetings.
    pub(crate) async fn with_engagement(
        &self,
        programme: &Programme,
        pairings: Vec<Pairing>,
    ) -> AppResult<Vec<ManagedPairing>> {
        let active: Vec<PairingId> = pairings
            .iter()
            .filter(|pairing| pairing.state == PairingState::Active)
            .map(|pairing| pairing.id)
            .collect();
        let mut meetings: HashMap<PairingId, Vec<Meeting>> = HashMap::new();
        for meeting in self.store.meetings_of(&active).await? {
            meetings.entry(meeting.pairing).or_default().push(meeting);
        }
        let now = Timestamp::now();
        Ok(pairings
            .into_iter()
            .map(|pairing| {
                let engagement = (pairing.state == PairingState::Active).then(|| {
                    let own = meetings.get(&pairing.id).map_or(&[][..], Vec::as_slice);
                    engagement_of(programme, &pairing, own, now)
                });
                ManagedPairing {
                    pairing,
                    engagement,
                }
            })
            .collect())
    }

    /// The programme's active pairings that need attention, stalled first, then at risk, each
    /// with its reasons: what a manager looks at first.
    pub async fn pairings_needing_attention(
        &self,
        manager: &Manager,
        id: ProgrammeId,
    ) -> AppResult<Vec<ManagedPairing>> {
        let programme = self.managed_programme(manager, id).await?;
        let active = self
            .store
            .programme_pairings_page(id, Some("active"), 0, i64::MAX)
            .await?;
        let mut flagged: Vec<ManagedPairing> = self
            .with_engagement(&programme, active)
            .await?
            .into_iter()
            .filter(|managed| {
                managed
                    .engagement
                    .as_ref()
                    .is_some_and(|e| e.status != EngagementStatus::Healthy)
            })
            .collect();
        flagged.sort_by_key(|managed| {
            std::cmp::Reverse(managed.engagement.as_ref().map(|e| e.status))
        });
        Ok(flagged)
    }
}

fn engagement_of(
    programme: &Programme,
    pairing: &Pairing,
    meetings: &[Meeting],
    now: Timestamp,
) -> Engagement {
    // A pairing made active before this was recorded counts from its publication.
    let since = pairing.active_since.unwrap_or(pairing.published_at);
    assess(
        since,
        meetings,
        programme.draft.cadence,
        &programme.draft.engagement,
        now,
    )
}
