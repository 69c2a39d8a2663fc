//! Upward's storage: the `Store` interface, spoken in domain types, and its one SQL
//! implementation that runs on embedded SQLite (the default) and on PostgreSQL.
//!
//! The interface is split by concern (accounts, people, programmes, enrolments, audit) so each
//! file stays small; `Store` is all of them together and is object-safe (`Arc<dyn Store>`).
#![forbid(unsafe_code)]

mod access;
mod accounts;
mod agreements;
mod audit;
mod enrolments;
mod follow_up;
mod goals;
mod kept_counts;
mod mail;
mod matching;
mod meetings;
mod people;
mod programme_managers;
mod programmes;
mod provisioning;
mod readers;
mod sql;
mod sqlite_readers;
#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;
use jiff::Timestamp;
use serde::Serialize;
use upward_domain::engagement::PairFacts;
use upward_domain::schedule::ScheduleProposal;
use upward_domain::{
    AgreementText, Audience, Email, EngagementStatus, Enrolment, EnrolmentId, EnrolmentProfile,
    EnrolmentRole, Goal, GoalDraft, GoalFigures, GoalId, InvitationCounts, LinkPurpose,
    MatchingRun, Meeting, MeetingId, OwnProfile, Pairing, PairingEvent, PairingId, Person,
    PersonId, Phase, PreferredTime, Programme, ProgrammeDraft, ProgrammeId, Role, RunId, RunResult,
    ScheduleAgreement, Side, Signature, TimeZoneName, TopicLevels, User, UserId, Weights,
};

pub use sql::{Backend, SqlStore};

/// What went wrong in storage, in terms the layers above can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{what} was not found")]
    NotFound { what: String },
    /// A uniqueness rule or a concurrent change got in the way.
    #[error("{what}")]
    Conflict { what: String },
    /// The data broke a rule the database enforces (a reference to a missing row, a check).
    #[error("{what}")]
    Invalid { what: String },
    #[error("database error: {0}")]
    Other(#[from] sqlx::Error),
}

impl StoreError {
    /// Whether the database could not be reached (no connection in time, or the connection
    /// broke): the request may succeed if tried again later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Other(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            // PostgreSQL going down: class 08 (connection exception) and 57P (shutting down,
            // terminated by an administrator, not accepting connections yet).
            StoreError::Other(sqlx::Error::Database(db)) => db
                .code()
                .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
            _ => false,
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound { what: what.into() }
    }
    pub fn conflict(what: impl Into<String>) -> Self {
        Self::Conflict { what: what.into() }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// What the two sides of a pairing wrote on enrolling: the mentor's statement and the topics
/// they offer, the mentee's statement and the topics they want.
#[derive(Debug, Clone)]
pub struct PairWords {
    pub mentor_statement: String,
    pub mentor_offers: TopicLevels,
    pub mentee_statement: String,
    pub mentee_interests: TopicLevels,
}

/// An account together with its password hash, for the login check only.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn create_user(
        &self,
        email: &Email,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> StoreResult<User>;
    async fn user(&self, id: UserId) -> StoreResult<User>;
    async fn credentials(&self, email_key: &str) -> StoreResult<Option<Credentials>>;
    /// Accounts whose name or email contains `search` (any case), of `role` if given, by
    /// email; with how many there are in all.
    async fn users_page(
        &self,
        search: &str,
        role: Option<Role>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<User>, i64)>;
    async fn set_user_role(&self, id: UserId, role: Role) -> StoreResult<User>;
    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()>;

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The session's account, if the session exists and has not expired at `now`.
    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>>;
    async fn delete_session(&self, token_hash: &str) -> StoreResult<()>;
    /// Removes expired sessions and says how many there were.
    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64>;

    async fn create_api_token(
        &self,
        token_hash: &str,
        user: UserId,
        label: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()>;
    /// The account of a token that has not expired at `now` (nor been revoked).
    async fn api_token_user(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>>;
    /// The account's API tokens, newest first (never the tokens themselves).
    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>>;
    /// Revokes one of the account's tokens by its id; `NotFound` if it has none such.
    async fn revoke_api_token(&self, user: UserId, id: &str) -> StoreResult<()>;

    async fn record_login_failure(&self, throttle_key: &str, at: Timestamp) -> StoreResult<()>;
    async fn login_failures_since(&self, throttle_key: &str, since: Timestamp) -> StoreResult<i64>;
    async fn clear_login_failures(&self, throttle_key: &str) -> StoreResult<()>;
    /// When the newest failure under the key happened, if any did.
    async fn last_login_failure(&self, throttle_key: &str) -> StoreResult<Option<Timestamp>>;
    /// Forgets failures at or before `before` (they no longer count); says how many.
    async fn delete_login_failures_before(&self, before: Timestamp) -> StoreResult<u64>;
}

/// An API token as its owner sees it listed: an id (the start of its hash), its label and
/// when it was made and expires.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: String,
    pub label: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
}

/// A one-time link to be stored (its token only as a hash) and mailed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLink {
    pub token_hash: String,
    pub email_key: String,
    pub purpose: LinkPurpose,
    pub programme: Option<ProgrammeId>,
    pub expires_at: Timestamp,
}

/// A link that works (unused, unexpired, the newest of its kind): whom it is for and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveLink {
    pub email_key: String,
    pub purpose: LinkPurpose,
    pub programme: Option<ProgrammeId>,
}

#[async_trait]
pub trait AccessStore: Send + Sync {
    /// Stores the link in place of the person's unused links of its kind (for an invitation,
    /// to the same programme) and queues its mail, in one transaction.
    async fn issue_link(&self, link: &NewLink, mail: &Mail, now: Timestamp) -> StoreResult<()>;
    /// The link if it is of `purpose` and would work at `now`, without using it (a GET shows its page with this).
    async fn live_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<LiveLink>>;
    /// Uses the link: exactly once, however many try at the same moment; `None` if it is
    /// unknown, of another purpose, used, expired or replaced by a newer one.
    async fn use_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<LiveLink>>;
    async fn delete_expired_links(&self, now: Timestamp) -> StoreResult<u64>;
    /// Counts one request in each bucket and says, per bucket, how many it has had after
    /// `since`, this one included.
    async fn count_request(
        &self,
        buckets: &[String],
        at: Timestamp,
        since: Timestamp,
    ) -> StoreResult<Vec<i64>>;
    async fn delete_rate_events_before(&self, before: Timestamp) -> StoreResult<u64>;
    /// Records the invitations and, for everyone not invited after `resend_before`, stores
    /// their link and queues their mail; audits the whole in the same transaction. Says how
    /// many were sent.
    async fn invite(
        &self,
        programme: ProgrammeId,
        invitations: &[(NewLink, Mail)],
        actor: &str,
        audience: &str,
        now: Timestamp,
        resend_before: Timestamp,
    ) -> StoreResult<u64>;
    /// Notes that the invitee followed an invitation (the first time only).
    async fn mark_invitation_used(
        &self,
        programme: ProgrammeId,
        email_key: &str,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn invitation_counts(&self, programme: ProgrammeId) -> StoreResult<InvitationCounts>;
}

/// How many rows an import added and how many it updated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ImportCounts {
    pub added: u64,
    pub updated: u64,
}

/// One page of the directory.
#[derive(Debug, Clone)]
pub struct PeoplePage {
    pub people: Vec<Person>,
    pub total: i64,
}

#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Adds or updates (by email, ignoring case) every person in one transaction: all or nothing.
    async fn upsert_people(&self, people: &[Person]) -> StoreResult<ImportCounts>;
    /// Every stored person's email key with their manager's email key, for validating imports.
    async fn reporting_lines(&self) -> StoreResult<Vec<(String, Option<String>)>>;
    /// The person with this address, if they are active: a deactivated person no longer
    /// takes part (signs in, enrols, is invited), though their record and history stay.
    async fn person(&self, email_key: &str) -> StoreResult<Option<Person>>;
    /// People whose name, email or department contains `search` (any case), by name.
    async fn people_page(&self, search: &str, offset: i64, limit: i64) -> StoreResult<PeoplePage>;
    async fn all_people(&self) -> StoreResult<Vec<Person>>;
    /// What the person keeps current themselves (`None` if they are not in the directory).
    async fn own_profile(&self, email_key: &str) -> StoreResult<Option<OwnProfile>>;
    /// Saves their time zone, location and preferred time, which their enrolments in
    /// programmes not yet closed follow, in one transaction.
    async fn save_own_profile(
        &self,
        email_key: &str,
        time_zone: &TimeZoneName,
        location: Option<&str>,
        preferred_time: PreferredTime,
    ) -> StoreResult<OwnProfile>;
    /// The people an invitation reaches, by name; a listed address not in the directory is
    /// simply not among them.
    async fn audience(&self, audience: &Audience) -> StoreResult<Vec<Person>>;
}

/// A person as the SCIM interface shows them to an identity provider.
#[derive(Debug, Clone)]
pub struct ScimUser {
    pub id: PersonId,
    pub person: Person,
    pub active: bool,
    /// The identity provider's name for them (their email, for people it did not create).
    pub user_name: String,
    /// The resource as the identity provider last wrote it (JSON), if it wrote one.
    pub attributes: Option<String>,
    /// A manager named by SCIM id who is not provisioned yet.
    pub pending_manager: Option<String>,
    pub updated_at: Timestamp,
}

/// What a SCIM create or replace stores.
#[derive(Debug, Clone)]
pub struct ScimWrite {
    pub person: Person,
    pub active: bool,
    pub user_name: String,
    pub attributes: String,
    /// The manager's SCIM id when that user is not provisioned yet (else `person` names them).
    pub pending_manager: Option<String>,
}

/// A SCIM client's bearer token, as the admin page lists it (never the token itself).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScimToken {
    pub id: i64,
    pub label: String,
    pub created_by: String,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub last_used_at: Option<Timestamp>,
    #[schema(value_type = Option<String>)]
    pub revoked_at: Option<Timestamp>,
}

/// Provisioning by an identity provider over SCIM, and the tokens it authenticates with.
#[async_trait]
pub trait ProvisioningStore: Send + Sync {
    /// The person, unless SCIM deleted them.
    async fn scim_user(&self, id: PersonId) -> StoreResult<Option<ScimUser>>;
    /// People not deleted over SCIM, by id; with `user_name`, only the one with that userName
    /// (any case). Also says how many there are in all.
    async fn scim_users(
        &self,
        user_name: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ScimUser>, i64)>;
    /// Adds the person; someone deleted over SCIM with the same email comes back. `Conflict`
    /// if the email is taken by someone who is not deleted.
    async fn create_scim_user(&self, write: &ScimWrite) -> StoreResult<ScimUser>;
    /// Replaces everything SCIM manages of the person (never the email, which is their key).
    async fn replace_scim_user(&self, id: PersonId, write: &ScimWrite) -> StoreResult<ScimUser>;
    /// Erases the person (the right to erasure): their name, email, account, statements,
    /// personality answers, availability, the reasons on their pairings, invitations and links
    /// go; their job level and department stay on an anonymous record ("Erased person") that
    /// their enrolments and pairings now point at, so aggregates keep counting them. Returns
    /// the anonymous record's key; `NotFound` if nobody has the address.
    async fn erase_person(&self, email_key: &str) -> StoreResult<String>;
    /// Deactivates the person and hides them from SCIM; their history stays.
    async fn delete_scim_user(&self, id: PersonId) -> StoreResult<()>;
    async fn create_scim_token(
        &self,
        token_hash: &str,
        label: &str,
        created_by: &str,
    ) -> StoreResult<ScimToken>;
    async fn scim_tokens(&self) -> StoreResult<Vec<ScimToken>>;
    async fn revoke_scim_token(&self, id: i64) -> StoreResult<()>;
    /// Whether the token is live, noting its use.
    async fn use_scim_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool>;
}

/// A programme with how many have enrolled, for lists.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgrammeSummary {
    #[serde(flatten)]
    pub programme: Programme,
    pub mentors: i64,
    pub mentees: i64,
}

#[async_trait]
pub trait ProgrammeStore: Send + Sync {
    async fn create_programme(
        &self,
        draft: &ProgrammeDraft,
        phase: Phase,
        cloned_from: Option<ProgrammeId>,
        manager: Option<UserId>,
    ) -> StoreResult<Programme>;
    async fn programme(&self, id: ProgrammeId) -> StoreResult<Programme>;
    async fn list_programmes(&self) -> StoreResult<Vec<ProgrammeSummary>>;
    async fn update_programme(
        &self,
        id: ProgrammeId,
        draft: &ProgrammeDraft,
    ) -> StoreResult<Programme>;
    /// Removes the personal answers of programmes closed before `closed_before` (statements,
    /// personality, availability, the reasons on pairings, invitations), once each; enrolments
    /// and pairings stay, with roles, topics and states, for the figures. Says how many
    /// programmes it cleared.
    async fn remove_closed_personal_data(&self, closed_before: Timestamp) -> StoreResult<u64>;
    /// Moves the phase only if it is still `from`, so two managers racing cannot skip a check.
    async fn change_phase(&self, id: ProgrammeId, from: Phase, to: Phase)
    -> StoreResult<Programme>;
}

/// Who manages which programme: its creator and the co-managers they add.
#[async_trait]
pub trait ProgrammeManagerStore: Send + Sync {
    /// The programme's managers, by name.
    async fn programme_managers(&self, id: ProgrammeId) -> StoreResult<Vec<User>>;
    async fn manages_programme(&self, id: ProgrammeId, user: UserId) -> StoreResult<bool>;
    /// The programme, and whether the account is one of its managers, in one read: the check
    /// every manager's request makes first (one round trip to PostgreSQL instead of two).
    async fn programme_and_whether_managed(
        &self,
        id: ProgrammeId,
        user: UserId,
    ) -> StoreResult<(Programme, bool)>;
    /// Accounts with the programme manager role who do not manage the programme yet, by email,
    /// at most `limit`: those a manager may add as co-managers.
    async fn co_manager_candidates(&self, id: ProgrammeId, limit: i64) -> StoreResult<Vec<User>>;
    /// The programmes the account manages.
    async fn managed_programmes(&self, user: UserId) -> StoreResult<Vec<ProgrammeId>>;
    /// Adds a co-manager; `false` if they already were one.
    async fn add_programme_manager(
        &self,
        id: ProgrammeId,
        user: UserId,
        added_by: &str,
    ) -> StoreResult<bool>;
    /// Removes a manager, refusing (`Conflict`) to remove the last one, whatever races.
    async fn remove_programme_manager(&self, id: ProgrammeId, user: UserId) -> StoreResult<()>;
}

#[async_trait]
pub trait EnrolmentStore: Send + Sync {
    /// Creates or replaces the person's enrolment in the programme. `Invalid` when the person
    /// is not in the directory, or the programme does not exist or is not taking enrolments
    /// (`Phase::accepts_enrolment`): the caller finds out which when it needs to say.
    async fn save_enrolment(
        &self,
        programme: ProgrammeId,
        email_key: &str,
        profile: &EnrolmentProfile,
    ) -> StoreResult<Enrolment>;
    /// Saves many enrolments in one transaction: all or nothing.
    async fn import_enrolments(
        &self,
        programme: ProgrammeId,
        rows: &[(String, EnrolmentProfile)],
    ) -> StoreResult<ImportCounts>;
    async fn enrolment(&self, id: EnrolmentId) -> StoreResult<Enrolment>;
    /// The enrolments with these ids that exist, in no set order: one read for many.
    async fn enrolments_by_id(&self, ids: &[EnrolmentId]) -> StoreResult<Vec<Enrolment>>;
    async fn enrolment_of(
        &self,
        programme: ProgrammeId,
        email_key: &str,
    ) -> StoreResult<Option<Enrolment>>;
    async fn programme_enrolments(&self, programme: ProgrammeId) -> StoreResult<Vec<Enrolment>>;
    /// One page of a programme's enrolments, newest first, narrowed to one role and to a search
    /// in names, emails and topics, with how many match (kept counts when nothing is searched).
    async fn programme_enrolments_page(
        &self,
        programme: ProgrammeId,
        search: &str,
        role: Option<EnrolmentRole>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Enrolment>, i64)>;
    /// How many mentors and mentees are enrolled (read from an index).
    async fn enrolment_counts(&self, programme: ProgrammeId) -> StoreResult<(i64, i64)>;
    /// The enrolments a matching run considers: those of people still active.
    async fn matchable_enrolments(&self, programme: ProgrammeId) -> StoreResult<Vec<Enrolment>>;
    async fn person_enrolments(&self, email_key: &str) -> StoreResult<Vec<Enrolment>>;
    /// Every programme, newest first, each with the person's enrolment in it if they are
    /// enrolled: what a participant's home page shows, in one read.
    async fn programmes_with_own_enrolment(
        &self,
        email_key: &str,
    ) -> StoreResult<Vec<(ProgrammeSummary, Option<Enrolment>)>>;
    /// Marks the enrolment withdrawn: it leaves every list and run, its pairings stay, and
    /// enrolling again brings the same enrolment back.
    async fn withdraw_enrolment(&self, id: EnrolmentId) -> StoreResult<()>;
}

/// One change made by someone, for the audit trail.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    #[schema(value_type = String)]
    pub at: Timestamp,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// A change to record: who did what to which subject, and the programme it concerns (if any),
/// which decides which programme managers may read it.
#[derive(Debug, Clone, Copy)]
pub struct NewAuditEntry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a str,
    pub programme: Option<ProgrammeId>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn record_audit(&self, entry: &NewAuditEntry<'_>) -> StoreResult<()>;
    /// The newest entries: all of them, or with `managed_by`, only those about programmes
    /// that account manages.
    async fn audit_log(
        &self,
        limit: i64,
        managed_by: Option<UserId>,
    ) -> StoreResult<Vec<AuditEntry>>;
    /// A page of [`AuditStore::audit_log`], newest first, with how many entries there are.
    async fn audit_page(
        &self,
        managed_by: Option<UserId>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<AuditEntry>, i64)>;
}

/// A message for the outbox, written in the same transaction as the change it announces and
/// sent afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub recipient: String,
    pub subject: String,
    pub body: String,
}

/// A manager's standing decision about one pair, binding every later run of the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PairRule {
    Pin,
    Forbid,
}

impl PairRule {
    pub fn as_str(self) -> &'static str {
        match self {
            PairRule::Pin => "pin",
            PairRule::Forbid => "forbid",
        }
    }
}

impl std::str::FromStr for PairRule {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "pin" => Ok(PairRule::Pin),
            "forbid" => Ok(PairRule::Forbid),
            other => Err(format!("unknown pair rule '{other}'")),
        }
    }
}

#[async_trait]
pub trait MatchingStore: Send + Sync {
    /// Queues a run.
    async fn create_run(
        &self,
        programme: ProgrammeId,
        started_by: &str,
        incremental: bool,
        weights: &Weights,
    ) -> StoreResult<MatchingRun>;
    async fn matching_run(&self, id: RunId) -> StoreResult<MatchingRun>;
    /// A programme's runs, newest first.
    async fn programme_runs(&self, programme: ProgrammeId) -> StoreResult<Vec<MatchingRun>>;
    /// Marks a queued run running; `false` if it was not queued (someone else has it).
    async fn start_run(&self, id: RunId) -> StoreResult<bool>;
    async fn set_run_progress(&self, id: RunId, progress: f64) -> StoreResult<()>;
    /// Notes that the server running the run is still at it (its heartbeat).
    async fn touch_run(&self, id: RunId) -> StoreResult<()>;
    /// Stores a running run's proposal and marks it done.
    async fn finish_run(&self, id: RunId, result: &RunResult) -> StoreResult<()>;
    /// Replaces the proposal of a done, unpublished run (the manager paired people by hand).
    async fn replace_run_result(&self, id: RunId, result: &RunResult) -> StoreResult<()>;
    async fn fail_run(&self, id: RunId, error: &str) -> StoreResult<()>;
    async fn run_result(&self, id: RunId) -> StoreResult<RunResult>;
    /// Publishes a done run in one transaction: every pair becomes a proposed pairing (each
    /// taking a seat of a mentor who has `capacity`), the mail is queued and the publication
    /// audited. `Conflict` if the run is not done, a mentor has no seat left or a mentee
    /// already has a live pairing; then nothing is published.
    async fn publish_run(
        &self,
        id: RunId,
        capacity: u32,
        answer_due: jiff::Timestamp,
        mail: &[Mail],
        actor: &str,
    ) -> StoreResult<Vec<Pairing>>;
    async fn pairing(&self, id: PairingId) -> StoreResult<Pairing>;
    /// The pairings with these ids, in id order.
    async fn pairings_with_ids(&self, ids: &[PairingId]) -> StoreResult<Vec<Pairing>>;
    /// Every pairing of the programme (its CSV export).
    async fn programme_pairings(&self, programme: ProgrammeId) -> StoreResult<Vec<Pairing>>;
    /// A page of the programme's pairings in the order they were made, all of them or those in
    /// one state (by [`PairingState::name`](upward_domain::PairingState::name)).
    async fn programme_pairings_page(
        &self,
        programme: ProgrammeId,
        state: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Pairing>>;
    /// How many of the programme's pairings are in each state (states with none are left out).
    async fn pairing_counts(&self, programme: ProgrammeId) -> StoreResult<Vec<(String, i64)>>;
    /// Mentees who had a pairing in the programme and have no live one now.
    async fn freed_mentees(&self, programme: ProgrammeId) -> StoreResult<i64>;
    /// The pairings someone is in, on either side, newest first.
    async fn person_pairings(&self, email_key: &str) -> StoreResult<Vec<Pairing>>;
    /// The same, each with what its two sides wrote on enrolling, in the same read.
    async fn person_pairings_in_words(
        &self,
        email_key: &str,
    ) -> StoreResult<Vec<(Pairing, PairWords)>>;
    /// Applies `event` to `current` if nobody changed the pairing since it was read (else
    /// `Conflict`, and the caller reads it again) and the state machine allows it (else
    /// `Conflict` with its reason); frees the mentor's seat when the pairing stops being live,
    /// records the change in the audit trail and queues the mail, all in one transaction.
    /// `reason`, if given, is kept for the programme manager.
    async fn update_pairing(
        &self,
        current: &Pairing,
        event: PairingEvent,
        reason: Option<&str>,
        actor: &str,
        mail: &[Mail],
    ) -> StoreResult<Pairing>;
    /// Runs still queued that were created before `created_before`: work for any server.
    async fn queued_runs(&self, created_before: jiff::Timestamp) -> StoreResult<Vec<RunId>>;
    /// Marks failed the runs that stopped moving before `quiet_since` (their server went away);
    /// says how many.
    async fn fail_stalled_runs(&self, quiet_since: jiff::Timestamp) -> StoreResult<u64>;
    /// Proposals whose answer period ended before `now`.
    async fn overdue_proposals(&self, now: jiff::Timestamp) -> StoreResult<Vec<Pairing>>;
    /// Proposals past half their answer period and not reminded yet.
    async fn proposals_to_remind(&self, now: jiff::Timestamp) -> StoreResult<Vec<Pairing>>;
    /// Records the reminder and queues its mail, once: `false` if it was already done.
    async fn mark_reminded(
        &self,
        id: PairingId,
        at: jiff::Timestamp,
        mail: &[Mail],
    ) -> StoreResult<bool>;
    async fn live_pairings(&self, programme: ProgrammeId) -> StoreResult<Vec<Pairing>>;
    /// Pairs someone said no to (declined, stepped back, ended): never proposed again.
    async fn excluded_pairs(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(EnrolmentId, EnrolmentId)>>;
    /// Sets or (with `None`) clears the manager's rule for a pair.
    async fn set_pair_rule(
        &self,
        programme: ProgrammeId,
        mentor: EnrolmentId,
        mentee: EnrolmentId,
        rule: Option<PairRule>,
    ) -> StoreResult<()>;
    async fn pair_rules(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(EnrolmentId, EnrolmentId, PairRule)>>;
}

/// A pair's schedule and meetings, and each person's private calendar feed.
#[async_trait]
pub trait MeetingStore: Send + Sync {
    /// Where the pair's agreement on a series stands, once either of them has accepted one.
    async fn schedule_agreement(
        &self,
        pairing: PairingId,
    ) -> StoreResult<Option<ScheduleAgreement>>;
    /// Records `side`'s acceptance in one transaction. The first acceptance freezes `series`;
    /// a later one accepts that frozen series (its own `series` is ignored, so pass the frozen
    /// one). When both have
    /// accepted, the series' meetings are created, exactly once whatever races, and `mail` is
    /// queued. Audited either way.
    async fn accept_schedule(
        &self,
        pairing: &Pairing,
        side: Side,
        series: &ScheduleProposal,
        actor: &str,
        mail: &[Mail],
    ) -> StoreResult<ScheduleAgreement>;
    /// Replaces the series the pair is agreeing on with `series`, as changed by `side`: that
    /// side accepts it, the other must accept it again. `Conflict` once the schedule is
    /// settled. Audited.
    async fn change_schedule(
        &self,
        pairing: &Pairing,
        side: Side,
        series: &ScheduleProposal,
        actor: &str,
    ) -> StoreResult<ScheduleAgreement>;
    /// The pair's meetings, earliest first.
    async fn pairing_meetings(&self, pairing: PairingId) -> StoreResult<Vec<Meeting>>;
    /// What engagement needs of the programme's active pairings (only those in `only`, when
    /// given), computed in the database: when each became active, whether both signed the
    /// agreement, and the meetings' [`MeetingSummary`](upward_domain::engagement::MeetingSummary) at `now` keeping `recent` events, equal to
    /// `MeetingSummary::of` its meetings.
    async fn engagement_summaries(
        &self,
        programme: ProgrammeId,
        only: Option<&[PairingId]>,
        now: Timestamp,
        recent: u8,
    ) -> StoreResult<Vec<(PairingId, PairFacts)>>;
    /// The meetings of every pairing the person is in, on either side, earliest first.
    async fn person_meetings(&self, email_key: &str) -> StoreResult<Vec<Meeting>>;
    async fn meeting(&self, id: MeetingId) -> StoreResult<Meeting>;
    /// Adds a meeting outside the series (one the pair held and records), with `entry` in the
    /// audit trail, in one transaction; its id is assigned here.
    async fn add_meeting(
        &self,
        meeting: &Meeting,
        entry: &NewAuditEntry<'_>,
    ) -> StoreResult<Meeting>;
    /// Saves `next` if nobody changed the meeting since `current` was read (else `Conflict`),
    /// with `entry` in the audit trail, in one transaction. The entry never carries notes.
    async fn save_meeting(
        &self,
        current: &Meeting,
        next: &Meeting,
        entry: &NewAuditEntry<'_>,
    ) -> StoreResult<Meeting>;
    /// The person's calendar feed token, made from `new_token` if they have none.
    async fn calendar_feed(&self, email_key: &str, new_token: &str) -> StoreResult<String>;
    /// Revokes the person's feed; `false` if they had none.
    async fn revoke_calendar_feed(&self, email_key: &str) -> StoreResult<bool>;
    /// Whose feed the token opens, if it is live.
    async fn calendar_feed_owner(&self, token: &str) -> StoreResult<Option<String>>;
}

/// Programmes' agreement texts and the pairs' signatures.
#[async_trait]
pub trait AgreementStore: Send + Sync {
    /// The programme's latest own text, if its managers wrote one.
    async fn agreement(&self, programme: ProgrammeId) -> StoreResult<Option<AgreementText>>;
    async fn agreement_version(
        &self,
        programme: ProgrammeId,
        version: i64,
    ) -> StoreResult<Option<AgreementText>>;
    /// Stores `body` as the programme's next version (the first is 2: version 1 is Upward's
    /// default), audited.
    async fn save_agreement(
        &self,
        programme: ProgrammeId,
        body: &str,
        actor: &str,
    ) -> StoreResult<AgreementText>;
    async fn signatures(&self, pairing: PairingId) -> StoreResult<Vec<Signature>>;
    /// Records `side`'s signature on `version`, once (`false` if they had signed already),
    /// audited.
    async fn sign_agreement(
        &self,
        pairing: &Pairing,
        side: Side,
        version: i64,
        actor: &str,
    ) -> StoreResult<bool>;
}

/// A pair's learning goals.
#[async_trait]
pub trait GoalStore: Send + Sync {
    async fn goals(&self, pairing: PairingId) -> StoreResult<Vec<Goal>>;
    async fn goal(&self, id: GoalId) -> StoreResult<Goal>;
    /// Adds a goal unless the pair has `most` already (`Conflict`), audited without its words.
    async fn add_goal(
        &self,
        pairing: &Pairing,
        draft: &GoalDraft,
        most: i64,
        actor: &str,
    ) -> StoreResult<Goal>;
    /// Saves `draft` over `current` if nobody changed it since (else `Conflict`), audited.
    async fn save_goal(
        &self,
        pairing: &Pairing,
        current: &Goal,
        draft: &GoalDraft,
        actor: &str,
    ) -> StoreResult<Goal>;
    async fn delete_goal(&self, pairing: &Pairing, goal: GoalId, actor: &str) -> StoreResult<()>;
    /// How many goals the programme's pairs wrote and how they turned out.
    async fn goal_figures(&self, programme: ProgrammeId) -> StoreResult<GoalFigures>;
}

/// What the follow-up mail needs (reminders, nudges, digests), each piece of work claimed so
/// that one server does it.
#[async_trait]
pub trait FollowUpStore: Send + Sync {
    /// Up to `limit` scheduled meetings of active pairings starting after `now` and by `until`
    /// that have not been reminded of, earliest first.
    async fn meetings_to_remind(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Meeting>>;
    /// Records the reminder and queues its mail, once: `false` if it was already done.
    async fn mark_meeting_reminded(
        &self,
        meeting: MeetingId,
        at: Timestamp,
        mail: &[Mail],
    ) -> StoreResult<bool>;
    /// Claims, for `now`, every programme not closed whose engagement was last checked before
    /// `checked_before` (or never); another server claiming at once gets none of the same.
    async fn claim_engagement_checks(
        &self,
        now: Timestamp,
        checked_before: Timestamp,
    ) -> StoreResult<Vec<ProgrammeId>>;
    /// Claims the programme's digest for `now` if the last went out before `sent_before`.
    async fn claim_digest(
        &self,
        programme: ProgrammeId,
        now: Timestamp,
        sent_before: Timestamp,
    ) -> StoreResult<bool>;
    /// The engagement each of the programme's pairs was last told about.
    async fn engagement_alerts(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(PairingId, EngagementStatus)>>;
    /// Records the pairs' new engagement and queues the mail about it, in one transaction.
    async fn record_engagement_alerts(
        &self,
        changes: &[(PairingId, EngagementStatus)],
        mail: &[Mail],
        at: Timestamp,
    ) -> StoreResult<()>;
}

/// A message taken from the outbox to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub mail: Mail,
    /// Earlier attempts, this one included.
    pub attempts: i64,
}

/// A message as the outbox keeps it, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub mail: Mail,
    pub sent: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[async_trait]
pub trait MailStore: Send + Sync {
    /// Takes up to `limit` unsent messages for this sender: those nobody has taken, or whose
    /// taker went quiet before `stale_before`, and that have been tried fewer than
    /// `max_attempts` times. Two senders never take the same message at once.
    async fn claim_mail(
        &self,
        now: Timestamp,
        stale_before: Timestamp,
        max_attempts: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>>;
    /// Records that these messages went out.
    async fn mark_mail_sent(&self, ids: &[i64], at: Timestamp) -> StoreResult<()>;
    /// Records a failed attempt; the message is taken again once its claim is stale.
    async fn mark_mail_failed(&self, id: i64, error: &str) -> StoreResult<()>;
    /// The newest messages, sent or not.
    async fn outbox(&self, limit: i64) -> StoreResult<Vec<OutboxEntry>>;
}

/// Everything Upward stores, behind one object-safe interface.
#[async_trait]
pub trait Store:
    AccountStore
    + AccessStore
    + PeopleStore
    + ProgrammeStore
    + ProgrammeManagerStore
    + ProvisioningStore
    + EnrolmentStore
    + AuditStore
    + MatchingStore
    + MeetingStore
    + AgreementStore
    + GoalStore
    + FollowUpStore
    + MailStore
{
    /// Checks the database answers (for `/healthz`).
    async fn ping(&self) -> StoreResult<()>;
    /// Keeps SQLite's write-ahead log from growing under steady reads (nothing on PostgreSQL).
    async fn checkpoint(&self) -> StoreResult<()>;
}
