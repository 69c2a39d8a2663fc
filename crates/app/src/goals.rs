//! A pair's learning goals: written, updated and closed by the pair; counted for managers.

use serde::{Deserialize, Serialize};
use upward_domain::goal::MAX_GOALS;
use upward_domain::{
    Goal, GoalDraft, GoalFigures, GoalId, GoalOutcome, Pairing, PairingId, PairingState,
    ProgrammeId, User,
};
use upward_store::StoreError;

use crate::policy::Manager;
use crate::{App, AppError, AppResult};

/// A goal as the pair sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GoalView {
    #[schema(value_type = i64)]
    pub id: GoalId,
    pub what: String,
    pub why: String,
    /// `YYYY-MM-DD`, if set.
    pub by_when: Option<String>,
    /// 0 to 100.
    pub progress: u8,
    /// `achieved`, `partly_achieved` or `not_achieved`, once recorded.
    #[schema(value_type = Option<String>)]
    pub outcome: Option<GoalOutcome>,
}

/// A new goal, or the fields of one to change (those left out stay as they are).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct GoalRequest {
    /// What the mentee wants to learn (required for a new goal), at most 200 characters.
    #[schema(max_length = 200)]
    pub what: Option<String>,
    /// Why it matters, at most 1,000 characters.
    #[schema(max_length = 1000)]
    pub why: Option<String>,
    /// By when, `YYYY-MM-DD`; an empty string clears it.
    pub by_when: Option<String>,
    #[schema(minimum = 0, maximum = 100)]
    pub progress: Option<u8>,
    /// `achieved`, `partly_achieved` or `not_achieved`; an empty string reopens the goal.
    pub outcome: Option<String>,
}

impl GoalRequest {
    /// `current` with this request's changes, checked.
    fn applied_to(self, current: GoalDraft) -> AppResult<GoalDraft> {
        let by_when = match self.by_when.as_deref().map(str::trim) {
            None => current.by_when,
            Some("") => None,
            Some(text) => Some(
                text.parse()
                    .map_err(|_| AppError::invalid("by_when", "give a date such as 2027-06-30"))?,
            ),
        };
        let outcome = match self.outcome.as_deref().map(str::trim) {
            None => current.outcome,
            Some("") => None,
            Some(text) => Some(GoalOutcome::parse(text).ok_or_else(|| {
                AppError::invalid("outcome", "use achieved, partly_achieved or not_achieved")
            })?),
        };
        GoalDraft {
            what: self.what.unwrap_or(current.what),
            why: self.why.unwrap_or(current.why),
            by_when,
            progress: self.progress.unwrap_or(current.progress),
            outcome,
        }
        .checked()
        .map_err(AppError::Invalid)
    }
}

fn view(goal: &Goal) -> GoalView {
    GoalView {
        id: goal.id,
        what: goal.draft.what.clone(),
        why: goal.draft.why.clone(),
        by_when: goal.draft.by_when.map(|date| date.to_string()),
        progress: goal.draft.progress,
        outcome: goal.draft.outcome,
    }
}

impl App {
    /// The goals of one of the user's pairings.
    pub async fn pairing_goals(&self, user: &User, id: PairingId) -> AppResult<Vec<GoalView>> {
        self.own_pairing(user, id).await?;
        Ok(self.store.goals(id).await?.iter().map(view).collect())
    }

    /// One of the pair adds a goal to their active pairing (at most ten).
    pub async fn add_goal(
        &self,
        user: &User,
        id: PairingId,
        request: GoalRequest,
    ) -> AppResult<GoalView> {
        let pairing = self.own_pairing(user, id).await?;
        if pairing.state != PairingState::Active {
            return Err(AppError::Conflict(
                "goals are written once the pairing is active".into(),
            ));
        }
        if request.what.is_none() {
            return Err(AppError::invalid("what", "say what you want to learn"));
        }
        let draft = request.applied_to(GoalDraft {
            what: String::new(),
            why: String::new(),
            by_when: None,
            progress: 0,
            outcome: None,
        })?;
        let goal = self
            .store
            .add_goal(&pairing, &draft, MAX_GOALS as i64, user.email.as_str())
            .await?;
        Ok(view(&goal))
    }

    /// One of the pair changes a goal: its words, progress or outcome.
    pub async fn update_goal(
        &self,
        user: &User,
        id: GoalId,
        request: GoalRequest,
    ) -> AppResult<GoalView> {
        let (goal, pairing) = self.own_goal(user, id).await?;
        let draft = request.applied_to(goal.draft.clone())?;
        let saved = self
            .store
            .save_goal(&pairing, &goal, &draft, user.email.as_str())
            .await?;
        Ok(view(&saved))
    }

    pub async fn remove_goal(&self, user: &User, id: GoalId) -> AppResult<()> {
        let (goal, pairing) = self.own_goal(user, id).await?;
        Ok(self
            .store
            .delete_goal(&pairing, goal.id, user.email.as_str())
            .await?)
    }

    /// One of the user's goals, for its edit form.
    pub async fn my_goal(&self, user: &User, id: GoalId) -> AppResult<(GoalView, PairingId)> {
        let (goal, pairing) = self.own_goal(user, id).await?;
        Ok((view(&goal), pairing.id))
    }

    async fn own_goal(&self, user: &User, id: GoalId) -> AppResult<(Goal, Pairing)> {
        let not_found = || AppError::NotFound("the goal".into());
        let goal = match self.store.goal(id).await {
            Err(StoreError::NotFound { .. }) => return Err(not_found()),
            other => other?,
        };
        let pairing = self
            .own_pairing(user, goal.pairing)
            .await
            .map_err(|error| match error {
                AppError::NotFound(_) => not_found(),
                other => other,
            })?;
        Ok((goal, pairing))
    }

    /// How many goals the programme's pairs wrote and how they turned out: never their words.
    pub async fn goal_figures(&self, manager: &Manager, id: ProgrammeId) -> AppResult<GoalFigures> {
        self.managed_programme(manager, id).await?;
        Ok(self.store.goal_figures(id).await?)
    }
}
