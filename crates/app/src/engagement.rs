//! Early warning for managers: each active pairing's engagement (healthy, at risk, stalled, with
//! reasons), computed from the meetings when asked, so it is never stale. The database sums up
//! each pair's meetings (`Store::engagement_summaries`) and the domain's rules judge them. A
//! manager sees statuses and reasons; never a meeting's notes or topics.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;
use upward_domain::engagement::assess;
use upward_domain::{
    Engagement, EngagementStatus, Pairing, PairingId, PairingState, Programme, ProgrammeId,
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
    /// The engagement of the programme's active pairings at `now`: all of them, or those in
    /// `only`.
    pub(crate) async fn engagement(
        &self,
        programme: &Programme,
        only: Option<&[PairingId]>,
        now: Timestamp,
    ) -> AppResult<HashMap<PairingId, Engagement>> {
        let settings = &programme.draft.engagement;
        let summaries = self
            .store
            .engagement_summaries(programme.id, only, now, settings.recent_meetings)
            .await?;
        Ok(summaries
            .into_iter()
            .map(|(pairing, facts)| {
                let engagement = assess(&facts, programme.draft.cadence, settings, now);
                (pairing, engagement)
            })
            .collect())
    }

    /// These pairings of `programme`, each with its engagement if it is active.
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
        let mut engagement = self
            .engagement(programme, Some(&active), Timestamp::now())
            .await?;
        Ok(pairings
            .into_iter()
            .map(|pairing| ManagedPairing {
                engagement: engagement.remove(&pairing.id),
                pairing,
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
        let mut flagged: HashMap<PairingId, Engagement> = self
            .engagement(&programme, None, Timestamp::now())
            .await?
            .into_iter()
            .filter(|(_, engagement)| engagement.status != EngagementStatus::Healthy)
            .collect();
        let ids: Vec<PairingId> = flagged.keys().copied().collect();
        let mut listed: Vec<ManagedPairing> = self
            .store
            .pairings_with_ids(&ids)
            .await?
            .into_iter()
            .map(|pairing| ManagedPairing {
                engagement: flagged.remove(&pairing.id),
                pairing,
            })
            .collect();
        listed.sort_by_key(|managed| {
            std::cmp::Reverse(managed.engagement.as_ref().map(|e| e.status))
        });
        Ok(listed)
    }
}
