//! Who may do what: the one place where roles are checked. A use case that needs a manager
//! takes a `Manager`, which only `Manager::check` can make, so an unchecked call does not compile;
//! a use case about one programme then asks [`App::managed_programme`], which lets a programme
//! manager reach only the programmes they manage (admins reach all).

use upward_domain::{Enrolment, Programme, ProgrammeId, Role, User, UserId};
use upward_store::StoreError;

use crate::{App, AppError, AppResult};

/// Proof that the account may run programmes (a programme manager or an admin), and, when made
/// by [`App::manager_of`], that it runs that one programme, with the programme as read then: a
/// page that asks several use cases about the programme then checks who manages it and reads
/// it once, not once for each. Such a proof is made for one request, so what it holds is as
/// fresh as a read at the start of that request.
#[derive(Debug, Clone)]
pub struct Manager(User, Option<Box<Programme>>);

/// Proof that the account administers the organisation.
#[derive(Debug, Clone)]
pub struct Admin(User);

impl Manager {
    pub fn check(user: &User) -> AppResult<Self> {
        if user.role.manages_programmes() {
            Ok(Self(user.clone(), None))
        } else {
            Err(AppError::Forbidden(
                "only programme managers and admins can do this".into(),
            ))
        }
    }

    pub fn user(&self) -> &User {
        &self.0
    }

    pub fn is_admin(&self) -> bool {
        self.0.role == Role::Admin
    }

    /// The account behind the proof; `None` for the command-line operator, who has none.
    pub fn account(&self) -> Option<UserId> {
        (self.0.id != COMMAND_LINE_OPERATOR).then_some(self.0.id)
    }
}

/// The id the command-line operator carries: no account has it.
const COMMAND_LINE_OPERATOR: UserId = UserId(0);

impl Admin {
    pub fn check(user: &User) -> AppResult<Self> {
        if user.role == Role::Admin {
            Ok(Self(user.clone()))
        } else {
            Err(AppError::Forbidden("only admins can do this".into()))
        }
    }

    pub fn user(&self) -> &User {
        &self.0
    }

    /// The operator at the command line, who already holds the database itself; recorded in
    /// the audit trail as `command-line@upward.local`.
    pub fn command_line_operator() -> Self {
        Self(User {
            id: COMMAND_LINE_OPERATOR,
            email: upward_domain::Email::parse("command-line@upward.local")
                .expect("a valid address"),
            name: "Command line".into(),
            role: Role::Admin,
        })
    }

    pub fn as_manager(&self) -> Manager {
        Manager(self.0.clone(), None)
    }
}

impl App {
    /// The programme, if `manager` may run it: an admin any, a programme manager only the
    /// ones they manage. For anyone else it does not exist, so ids cannot be probed.
    pub async fn managed_programme(
        &self,
        manager: &Manager,
        id: ProgrammeId,
    ) -> AppResult<Programme> {
        if let Some(programme) = manager.1.as_deref().filter(|held| held.id == id) {
            return Ok(programme.clone());
        }
        let (programme, runs) = self.programme_and_whether_run(manager.user(), id).await?;
        if runs {
            Ok(programme)
        } else {
            Err(AppError::NotFound(format!("programme {}", id.0)))
        }
    }

    /// The matching run, if `manager` may run its programme (else it does not exist for them).
    pub async fn managed_run(
        &self,
        manager: &Manager,
        id: upward_domain::RunId,
    ) -> AppResult<upward_domain::MatchingRun> {
        let run = self.store.matching_run(id).await?;
        match self.managed_programme(manager, run.programme_id).await {
            Ok(_) => Ok(run),
            Err(AppError::NotFound(_)) => Err(AppError::NotFound(format!("run {}", id.0))),
            Err(other) => Err(other),
        }
    }

    /// Whether the user runs this programme: an admin, or one of its managers.
    pub async fn runs_programme(&self, user: &User, id: ProgrammeId) -> AppResult<bool> {
        Ok(match user.role {
            Role::Manager => self.store.manages_programme(id, user.id).await?,
            role => runs(role, false),
        })
    }

    /// The programme (`NotFound` if there is none), and whether the user runs it, in one read.
    async fn programme_and_whether_run(
        &self,
        user: &User,
        id: ProgrammeId,
    ) -> AppResult<(Programme, bool)> {
        match self.store.programme_and_whether_managed(id, user.id).await {
            Ok((programme, managed)) => Ok((programme, runs(user.role, managed))),
            Err(StoreError::NotFound { .. }) => {
                Err(AppError::NotFound(format!("programme {}", id.0)))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The programme as the user may see it (one still being designed only by those who run
    /// it), with the proof that the user runs it if they do: for pages that show a manager's
    /// sections only to the programme's own managers. One read.
    pub async fn programme_and_manager(
        &self,
        user: &User,
        id: ProgrammeId,
    ) -> AppResult<(Programme, Option<Manager>)> {
        let (programme, runs) = self.programme_and_whether_run(user, id).await?;
        if programme.phase == upward_domain::Phase::Draft && !runs {
            return Err(AppError::NotFound(format!("programme {}", id.0)));
        }
        let manager = runs.then(|| Manager(user.clone(), Some(Box::new(programme.clone()))));
        Ok((programme, manager))
    }

    /// A participant reads their own enrolment, a manager those of the programmes they run.
    /// Anyone else is told it does not exist, so ids cannot be probed.
    pub(crate) async fn readable_enrolment(
        &self,
        user: &User,
        enrolment: Enrolment,
    ) -> AppResult<Enrolment> {
        if user.email.key() == enrolment.email.key()
            || self.runs_programme(user, enrolment.programme_id).await?
        {
            Ok(enrolment)
        } else {
            Err(AppError::NotFound("the enrolment".into()))
        }
    }
}

/// Whether an account of this role runs a programme, given whether it is among the programme's
/// managers: an admin runs every programme, a programme manager the ones they manage.
fn runs(role: Role, among_managers: bool) -> bool {
    match role {
        Role::Admin => true,
        Role::Manager => among_managers,
        Role::Participant => false,
    }
}
