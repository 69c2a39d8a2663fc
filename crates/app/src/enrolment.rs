//! Opting in: a participant enrols in a programme and edits their answers; managers see and
//! import enrolments.

use std::collections::HashSet;

use upward_domain::{
    Enrolment, EnrolmentId, EnrolmentProfile, EnrolmentRole, Phase, ProgrammeId, User,
};
use upward_store::{ImportCounts, StoreError};

use crate::import::parse_enrolments;
use crate::policy::Manager;
use crate::{App, AppError, AppResult};

impl App {
    /// Enrols the user (or updates their answers). Participation is voluntary and explicit:
    /// `consent` to the use of the answers for matching is required.
    pub async fn enrol(
        &self,
        user: &User,
        programme: ProgrammeId,
        profile: &EnrolmentProfile,
        consent: bool,
    ) -> AppResult<Enrolment> {
        let mut problems = profile.problems();
        if !consent {
            problems.push(upward_domain::FieldProblem {
                field: "consent",
                problem: "tick the box to agree that your answers are used for matching".into(),
            });
        }
        if !problems.is_empty() {
            // A programme that is not taking enrolments is the first thing to tell.
            self.open_for_enrolment(user, programme).await?;
            return Err(AppError::Invalid(problems));
        }
        // The store saves only while the person is in the directory and the programme takes
        // enrolments, so neither is read before a save; only a refusal reads them to say why.
        match self
            .store
            .save_enrolment(programme, &user.email.key(), profile)
            .await
        {
            Err(StoreError::Invalid { .. }) => {
                self.open_for_enrolment(user, programme).await?;
                Err(AppError::Forbidden(
                    "your account is not in the organisation directory yet; ask an admin to add you"
                        .into(),
                ))
            }
            saved => Ok(saved?),
        }
    }

    /// Fails as a person should be told when the programme is not one they can enrol in now:
    /// not found (or a draft they do not run), or not in a phase that takes enrolments.
    async fn open_for_enrolment(&self, user: &User, id: ProgrammeId) -> AppResult<()> {
        let programme = self.programme(user, id).await?.programme;
        if programme.phase.accepts_enrolment() {
            return Ok(());
        }
        Err(AppError::Conflict(format!(
            "{} is not open for enrolment (it is {})",
            programme.draft.name,
            programme.phase.label().to_lowercase()
        )))
    }

    pub async fn my_enrolment(
        &self,
        user: &User,
        programme: ProgrammeId,
    ) -> AppResult<Option<Enrolment>> {
        Ok(self
            .store
            .enrolment_of(programme, &user.email.key())
            .await?)
    }

    /// Advice for someone about to enrol on the side their level does not usually take.
    pub async fn role_advice(&self, user: &User, role: EnrolmentRole) -> AppResult<Option<String>> {
        Ok(self
            .store
            .person(&user.email.key())
            .await?
            .and_then(|person| role.advice_for(person.job_level)))
    }

    /// Leaving before matching is always allowed and costs nothing.
    pub async fn withdraw(&self, user: &User, programme: ProgrammeId) -> AppResult<()> {
        let enrolment = self
            .my_enrolment(user, programme)
            .await?
            .ok_or_else(|| AppError::NotFound("your enrolment".into()))?;
        let phase = self.store.programme(programme).await?.phase;
        if !matches!(phase, Phase::Pilot | Phase::Enrolling | Phase::Matching) {
            return Err(AppError::Conflict(
                "enrolment can only be withdrawn before the programme runs".into(),
            ));
        }
        // A live pairing ends through its own steps, which tell the partner; withdrawing must
        // not make it vanish.
        let live = self
            .store
            .person_pairings(&user.email.key())
            .await?
            .into_iter()
            .any(|p| p.state.is_live() && (p.mentor == enrolment.id || p.mentee == enrolment.id));
        if live {
            return Err(AppError::Conflict(
                "you have a proposed or active pairing in this programme: decline or end it first \
                 (there is no penalty), then withdraw"
                    .into(),
            ));
        }
        Ok(self.store.withdraw_enrolment(enrolment.id).await?)
    }

    pub async fn enrolment(&self, user: &User, id: EnrolmentId) -> AppResult<Enrolment> {
        let enrolment = self.store.enrolment(id).await?;
        self.readable_enrolment(user, enrolment).await
    }

    pub async fn programme_enrolments(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<Enrolment>> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.programme_enrolments(programme).await?)
    }

    /// One page of the programme's enrolments, newest first, narrowed to a role and a search in
    /// names, emails and topics, with how many match.
    pub async fn programme_enrolments_page(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        search: &str,
        role: Option<EnrolmentRole>,
        offset: i64,
        limit: i64,
    ) -> AppResult<(Vec<Enrolment>, i64)> {
        self.managed_programme(manager, programme).await?;
        Ok(self
            .store
            .programme_enrolments_page(programme, search, role, offset, limit)
            .await?)
    }

    /// How many mentors and mentees the programme has enrolled.
    pub async fn enrolment_counts(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<(i64, i64)> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.enrolment_counts(programme).await?)
    }

    /// The programme's enrolments as CSV in the import format (an export imports back as it
    /// was).
    pub async fn export_enrolments(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<u8>> {
        let enrolments = self.programme_enrolments(manager, programme).await?;
        let mut csv = Vec::new();
        crate::import::enrolments::export_enrolments(&enrolments, &mut csv)
            .map_err(|e| AppError::Internal(e.into()))?;
        Ok(csv)
    }

    /// Imports enrolments from CSV: every row is checked first; one bad row imports nothing.
    pub async fn import_enrolments(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        csv: &[u8],
    ) -> AppResult<ImportCounts> {
        let target = self.managed_programme(manager, programme).await?;
        if target.phase == Phase::Closed {
            return Err(AppError::Conflict("the programme is closed".into()));
        }
        let directory: HashSet<String> = self
            .store
            .reporting_lines()
            .await?
            .into_iter()
            .map(|(key, _)| key)
            .collect();
        let rows = parse_enrolments(csv, &directory).map_err(AppError::ImportRejected)?;
        let counts = self.store.import_enrolments(programme, &rows).await?;
        let detail = format!("{} added, {} updated", counts.added, counts.updated);
        self.audit_programme(manager.user(), "enrolments.import", programme, &detail)
            .await?;
        Ok(counts)
    }
}
