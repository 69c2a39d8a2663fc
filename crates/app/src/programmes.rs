//! Designing programmes: create, edit, move through phases, clone a pilot for roll-out.

use serde::Serialize;
use upward_domain::{Enrolment, Phase, Programme, ProgrammeDraft, ProgrammeId, Role, User};
use upward_store::ProgrammeSummary;

use crate::policy::Manager;
use crate::{App, AppError, AppResult};

/// A programme as shown to someone, with the advice that goes with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeView {
    #[serde(flatten)]
    pub programme: Programme,
    /// Set when the duration lies outside the recommended 6–12 months.
    pub duration_warning: Option<String>,
}

impl From<Programme> for ProgrammeView {
    fn from(programme: Programme) -> Self {
        Self {
            duration_warning: programme.draft.duration_warning(),
            programme,
        }
    }
}

fn checked(draft: &ProgrammeDraft) -> AppResult<()> {
    let problems = draft.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(problems))
    }
}

impl App {
    pub async fn create_programme(
        &self,
        manager: &Manager,
        draft: &ProgrammeDraft,
    ) -> AppResult<ProgrammeView> {
        checked(draft)?;
        let programme = self
            .store
            .create_programme(draft, Phase::Draft, None, manager.account())
            .await?;
        self.audit_programme(
            manager.user(),
            "programme.create",
            programme.id,
            &programme.draft.name,
        )
        .await?;
        Ok(programme.into())
    }

    pub async fn update_programme(
        &self,
        manager: &Manager,
        id: ProgrammeId,
        draft: &ProgrammeDraft,
    ) -> AppResult<ProgrammeView> {
        let current = self.managed_programme(manager, id).await?;
        checked(draft)?;
        if current.phase == Phase::Closed {
            return Err(AppError::Conflict(
                "a closed programme cannot be changed; clone it to start another".into(),
            ));
        }
        let programme = self.store.update_programme(id, draft).await?;
        self.audit_programme(
            manager.user(),
            "programme.update",
            programme.id,
            "settings changed",
        )
        .await?;
        Ok(programme.into())
    }

    pub async fn change_phase(
        &self,
        manager: &Manager,
        id: ProgrammeId,
        to: Phase,
    ) -> AppResult<ProgrammeView> {
        let current = self.managed_programme(manager, id).await?;
        current.phase.transition(to)?;
        let programme = self.store.change_phase(id, current.phase, to).await?;
        self.audit_programme(
            manager.user(),
            "programme.phase",
            programme.id,
            &format!("{} → {to}", current.phase),
        )
        .await?;
        Ok(programme.into())
    }

    /// Starts a new draft with the settings of an existing programme (typically a pilot), so
    /// the roll-out keeps what the pilot taught.
    pub async fn clone_programme(
        &self,
        manager: &Manager,
        id: ProgrammeId,
    ) -> AppResult<ProgrammeView> {
        let source = self.managed_programme(manager, id).await?;
        let mut draft = source.draft.clone();
        draft.name = format!("{} (roll-out)", source.draft.name);
        draft.name = draft.name.chars().take(120).collect();
        let programme = self
            .store
            .create_programme(&draft, Phase::Draft, Some(source.id), manager.account())
            .await?;
        self.audit_programme(
            manager.user(),
            "programme.clone",
            programme.id,
            &format!("cloned from programme {}", source.id.0),
        )
        .await?;
        Ok(programme.into())
    }

    /// A programme as the user may see it: one still being designed only by those who run it.
    pub async fn programme(&self, user: &User, id: ProgrammeId) -> AppResult<ProgrammeView> {
        let (programme, _) = self.programme_and_manager(user, id).await?;
        Ok(programme.into())
    }

    /// The programmes the user may see: an admin all; anyone else those open to participants
    /// and, for a programme manager, the drafts they manage.
    pub async fn programmes(&self, user: &User) -> AppResult<Vec<ProgrammeSummary>> {
        let all = self.store.list_programmes().await?;
        self.visible_to(user, all).await
    }

    /// The programmes the user may see (as [`App::programmes`]) and the user's own enrolments,
    /// read together: a participant's home page.
    pub async fn programmes_and_my_enrolments(
        &self,
        user: &User,
    ) -> AppResult<(Vec<ProgrammeSummary>, Vec<Enrolment>)> {
        let all = self
            .store
            .programmes_with_own_enrolment(&user.email.key())
            .await?;
        let mut enrolments = Vec::new();
        let mut programmes = Vec::new();
        for (summary, enrolment) in all {
            enrolments.extend(enrolment);
            programmes.push(summary);
        }
        enrolments.sort_by_key(|enrolment| enrolment.programme_id);
        Ok((self.visible_to(user, programmes).await?, enrolments))
    }

    /// Keeps the programmes `user` may see: drafts only for those who run them.
    async fn visible_to(
        &self,
        user: &User,
        mut all: Vec<ProgrammeSummary>,
    ) -> AppResult<Vec<ProgrammeSummary>> {
        if user.role != Role::Admin {
            let managed = match user.role {
                Role::Manager => self.store.managed_programmes(user.id).await?,
                _ => Vec::new(),
            };
            all.retain(|summary| {
                summary.programme.phase != Phase::Draft || managed.contains(&summary.programme.id)
            });
        }
        Ok(all)
    }
}
