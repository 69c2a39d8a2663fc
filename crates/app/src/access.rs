//! Letting the people of the directory in without anyone typing a password for them: mailed
//! one-time links to sign in, to reset a password, and to accept a programme's invitation.
//!
//! Asking for a link answers the same whether or not the address is known, and is limited per
//! address and per client. A link is stored only as a hash, works once, expires, and dies when
//! a newer one of its kind is sent. Opening it (GET) changes nothing: the page's button uses it
//! (mail scanners open every link). The account is made from the directory record on first use;
//! nobody is enrolled by signing in.

use jiff::{SignedDuration, Timestamp};
use upward_domain::{Audience, Email, JobLevel, LinkPurpose, ProgrammeId, Role, User};
use upward_store::{LiveLink, Mail, NewLink, StoreError};

use crate::auth::{check_new_password, hash_password_apart, new_token, token_hash};
use crate::policy::Manager;
use crate::{App, AppError, AppResult};

/// Link requests allowed per address within `REQUEST_WINDOW`.
pub const REQUESTS_PER_EMAIL: i64 = 3;
/// Link requests allowed per client address within `REQUEST_WINDOW` (an office behind one
/// address asks for many).
pub const REQUESTS_PER_CLIENT: i64 = 30;
pub const REQUEST_WINDOW: SignedDuration = SignedDuration::from_mins(15);
/// Someone invited to a programme this recently is not mailed again.
pub const RESEND_INVITATION_AFTER: SignedDuration = SignedDuration::from_hours(7 * 24);

/// A link that works, as its page shows it before the button is pressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    /// The address in its compared form (lower case), as the link was issued to it.
    pub email: String,
    /// The programme an invitation is to, by name.
    pub programme: Option<(ProgrammeId, String)>,
}

/// Who an invitation reached and what happened.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct InvitationOutcome {
    /// People in the directory the audience names.
    pub reached: u64,
    /// Invitations mailed now.
    pub sent: u64,
    /// People already invited in the last 7 days, not mailed again.
    pub already_invited: u64,
    /// Listed addresses that are not in the directory (not invited).
    pub not_in_directory: Vec<String>,
}

/// Whom to invite as a form or a JSON body gives it: everyone, or listed addresses, or a
/// department and/or range of levels (exactly one of the three).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AudienceRequest {
    /// Everyone in the directory.
    #[serde(default)]
    pub everyone: bool,
    /// A department's exact name (any case).
    pub department: Option<String>,
    #[schema(minimum = 1, maximum = 20)]
    pub min_level: Option<i64>,
    #[schema(minimum = 1, maximum = 20)]
    pub max_level: Option<i64>,
    /// Addresses separated by commas, semicolons, spaces or new lines.
    #[serde(default)]
    pub emails: String,
}

impl AudienceRequest {
    pub fn parse(&self) -> AppResult<Audience> {
        let department = self
            .department
            .as_deref()
            .and_then(upward_domain::text::optional);
        let by_filter =
            department.is_some() || self.min_level.is_some() || self.max_level.is_some();
        let by_list = !self.emails.trim().is_empty();
        match (self.everyone, by_list, by_filter) {
            (true, false, false) => Ok(Audience::Everyone),
            (false, true, false) => {
                Audience::emails(&self.emails).map_err(|e| AppError::invalid("emails", e.0))
            }
            (false, false, true) => {
                let level = |field: &'static str, value: Option<i64>| {
                    value
                        .map(JobLevel::new)
                        .transpose()
                        .map_err(|e| AppError::invalid(field, e.0))
                };
                let min = level("min_level", self.min_level)?;
                let max = level("max_level", self.max_level)?;
                Audience::filter(department, min, max)
                    .map_err(|e| AppError::invalid("department", e.0))
            }
            (false, false, false) => Err(AppError::invalid(
                "audience",
                "say whom to invite: everyone, a department or levels, or a list of addresses",
            )),
            _ => Err(AppError::invalid(
                "audience",
                "choose one way to say whom to invite: everyone, a department or levels, or a list of addresses",
            )),
        }
    }
}

impl App {
    /// Mails a sign-in or password-reset link if the address belongs to an account or to
    /// someone in the directory; answers the same either way. `client` is the caller's address,
    /// for the rate limit.
    pub async fn request_link(
        &self,
        purpose: LinkPurpose,
        email: &str,
        client: &str,
    ) -> AppResult<()> {
        let email = App::parse_email("email", email)?;
        let now = Timestamp::now();
        self.limit_requests(&email, client, now).await?;
        let Some((email, name)) = self.known_person(&email.key()).await? else {
            return Ok(());
        };
        if !self.may_use_own_credentials(&email).await? {
            return Ok(()); // Single sign-on only: the same answer, and nothing sent.
        }
        let token = new_token();
        let link = NewLink {
            token_hash: token_hash(&token),
            email_key: email.key(),
            purpose,
            programme: None,
            expires_at: now + self.lifetime(purpose),
        };
        let mail = self.link_mail(purpose, &email, &name, &token, None);
        Ok(self.store.issue_link(&link, &mail, now).await?)
    }

    /// Counts the request against the address and the client; refuses once either has asked
    /// too often. Known and unknown addresses count alike, so the limit reveals nothing.
    async fn limit_requests(&self, email: &Email, client: &str, now: Timestamp) -> AppResult<()> {
        let buckets = [
            format!("link:email:{}", email.key()),
            format!("link:client:{client}"),
        ];
        let counts = self
            .store
            .count_request(&buckets, now, now - REQUEST_WINDOW)
            .await?;
        if counts[0] > REQUESTS_PER_EMAIL || counts[1] > REQUESTS_PER_CLIENT {
            return Err(AppError::TooManyRequests {
                retry_after_minutes: REQUEST_WINDOW.as_mins(),
            });
        }
        Ok(())
    }

    /// The address and name of an account holder or of someone in the directory.
    async fn known_person(&self, email_key: &str) -> AppResult<Option<(Email, String)>> {
        if let Some(found) = self.store.credentials(email_key).await? {
            return Ok(Some((found.user.email, found.user.name)));
        }
        Ok(self
            .store
            .person(email_key)
            .await?
            .map(|person| (person.email, person.name)))
    }

    fn lifetime(&self, purpose: LinkPurpose) -> SignedDuration {
        let settings = &self.settings;
        match purpose {
            LinkPurpose::SignIn => SignedDuration::from_mins(settings.sign_in_link_minutes),
            LinkPurpose::Reset => SignedDuration::from_mins(settings.reset_link_minutes),
            LinkPurpose::Invitation => SignedDuration::from_hours(settings.invitation_days * 24),
        }
    }

    /// How long a link of this kind works, in words ("15 minutes").
    pub fn link_lifetime_words(&self, purpose: LinkPurpose) -> String {
        let settings = &self.settings;
        match purpose {
            LinkPurpose::SignIn => format!("{} minutes", settings.sign_in_link_minutes),
            LinkPurpose::Reset => format!("{} minutes", settings.reset_link_minutes),
            LinkPurpose::Invitation => format!("{} days", settings.invitation_days),
        }
    }

    fn link_mail(
        &self,
        purpose: LinkPurpose,
        email: &Email,
        name: &str,
        token: &str,
        programme: Option<&str>,
    ) -> Mail {
        let base = self.settings.base_url();
        let within = self.link_lifetime_words(purpose);
        let (subject, path, what) = match purpose {
            LinkPurpose::SignIn => (
                "Your sign-in link for Upward".to_owned(),
                "sign-in",
                "sign in to Upward",
            ),
            LinkPurpose::Reset => (
                "Choose a new password for Upward".to_owned(),
                "reset-password",
                "choose a new password for Upward",
            ),
            LinkPurpose::Invitation => (
                format!(
                    "You are invited to {}, a reverse mentoring programme",
                    programme.unwrap_or("a programme")
                ),
                "invitation",
                "see the programme and decide whether to take part (joining is up to you)",
            ),
        };
        Mail {
            recipient: email.as_str().to_owned(),
            subject,
            body: format!(
                "Hello {name},\n\nOpen this link to {what}:\n\n{base}/{path}/{token}\n\n\
                 It works once, within {within}. If you did not expect this message, ignore it: \
                 nothing happens without the link.\n"
            ),
        }
    }

    /// What a link's page shows, if the link still works; `None` if it is unknown, used,
    /// expired or replaced. Changes nothing.
    pub async fn link_view(
        &self,
        token: &str,
        purpose: LinkPurpose,
    ) -> AppResult<Option<LinkView>> {
        let found = self
            .store
            .live_link(&token_hash(token), purpose, Timestamp::now())
            .await?;
        match found {
            Some(link) => Ok(Some(self.describe_link(&link).await?)),
            None => Ok(None),
        }
    }

    async fn describe_link(&self, link: &LiveLink) -> AppResult<LinkView> {
        let programme = match link.programme {
            Some(id) => Some((id, self.store.programme(id).await?.draft.name)),
            None => None,
        };
        Ok(LinkView {
            email: link.email_key.clone(),
            programme,
        })
    }

    /// Uses a sign-in or invitation link and returns the account to start a session for
    /// (made from the directory on first use) and, for an invitation, its programme. `None`
    /// if the link does not work (any more).
    pub async fn sign_in_with_link(
        &self,
        token: &str,
        purpose: LinkPurpose,
    ) -> AppResult<Option<(User, Option<ProgrammeId>)>> {
        let now = Timestamp::now();
        let Some(link) = self
            .store
            .use_link(&token_hash(token), purpose, now)
            .await?
        else {
            return Ok(None);
        };
        let Some(user) = self.account_from_directory(&link.email_key).await? else {
            return Ok(None);
        };
        if purpose == LinkPurpose::SignIn {
            self.refuse_outside_sso(&user)?;
        }
        if let Some(programme) = link.programme {
            self.store
                .mark_invitation_used(programme, &link.email_key, now)
                .await?;
        }
        Ok(Some((user, link.programme)))
    }

    /// Uses a reset link to set a new password (checked first, so a weak one does not use up
    /// the link); ends the account's other sessions. `None` if the link does not work.
    pub async fn reset_password_with_link(
        &self,
        token: &str,
        new_password: &str,
    ) -> AppResult<Option<User>> {
        check_new_password(new_password)?;
        let hash = hash_password_apart(new_password).await?;
        let link = self
            .store
            .use_link(&token_hash(token), LinkPurpose::Reset, Timestamp::now())
            .await?;
        let Some(link) = link else {
            return Ok(None);
        };
        let Some(user) = self.account_from_directory(&link.email_key).await? else {
            return Ok(None);
        };
        self.refuse_outside_sso(&user)?;
        self.store.set_password_hash(user.id, &hash).await?;
        Ok(Some(user))
    }

    /// The account for the address, made as a participant from the directory record if there
    /// is none yet (without a password: they sign in by link, or choose one by reset).
    pub(crate) async fn account_from_directory(&self, email_key: &str) -> AppResult<Option<User>> {
        if let Some(found) = self.store.credentials(email_key).await? {
            return Ok(Some(found.user));
        }
        let Some(person) = self.store.person(email_key).await? else {
            return Ok(None);
        };
        match self
            .store
            .create_user(&person.email, &person.name, Role::Participant, "")
            .await
        {
            Ok(user) => Ok(Some(user)),
            // Made by a simultaneous request a moment ago.
            Err(StoreError::Conflict { .. }) => Ok(self
                .store
                .credentials(email_key)
                .await?
                .map(|found| found.user)),
            Err(other) => Err(other.into()),
        }
    }

    /// Invites the audience to a programme that is taking enrolments: one mail each with a
    /// link that signs them in on the enrolment form. People invited in the last 7 days are
    /// not mailed again.
    pub async fn invite(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        audience: &Audience,
    ) -> AppResult<InvitationOutcome> {
        let (found, people) = self.invitees(manager, programme, audience).await?;
        let now = Timestamp::now();
        let expires_at = now + self.lifetime(LinkPurpose::Invitation);
        let invitations: Vec<(NewLink, Mail)> = people
            .iter()
            .map(|person| {
                let token = new_token();
                let link = NewLink {
                    token_hash: token_hash(&token),
                    email_key: person.email.key(),
                    purpose: LinkPurpose::Invitation,
                    programme: Some(programme),
                    expires_at,
                };
                let mail = self.link_mail(
                    LinkPurpose::Invitation,
                    &person.email,
                    &person.name,
                    &token,
                    Some(&found.draft.name),
                );
                (link, mail)
            })
            .collect();
        let sent = self
            .store
            .invite(
                programme,
                &invitations,
                manager.user().email.as_str(),
                &audience.describe(),
                now,
                now - RESEND_INVITATION_AFTER,
            )
            .await?;
        Ok(InvitationOutcome {
            reached: people.len() as u64,
            sent,
            already_invited: people.len() as u64 - sent,
            not_in_directory: not_in_directory(audience, &people),
        })
    }

    /// What [`App::invite`] would do, before anything is sent: the programme's name, how many
    /// people the audience reaches, and the listed addresses not in the directory.
    pub async fn invitation_preview(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        audience: &Audience,
    ) -> AppResult<(String, u64, Vec<String>)> {
        let (found, people) = self.invitees(manager, programme, audience).await?;
        let missing = not_in_directory(audience, &people);
        Ok((found.draft.name, people.len() as u64, missing))
    }

    /// The programme, if it takes invitations, and the people the audience reaches.
    async fn invitees(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        audience: &Audience,
    ) -> AppResult<(upward_domain::Programme, Vec<upward_domain::Person>)> {
        let found = self.managed_programme(manager, programme).await?;
        if !found.phase.accepts_enrolment() {
            return Err(AppError::Conflict(format!(
                "invitations open the enrolment form, so {} must be in its pilot or enrolling phase first (it is {})",
                found.draft.name,
                found.phase.label().to_lowercase()
            )));
        }
        let people = self.store.audience(audience).await?;
        Ok((found, people))
    }

    pub async fn invitation_counts(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<upward_domain::InvitationCounts> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.invitation_counts(programme).await?)
    }
}

/// The listed addresses the directory does not have.
fn not_in_directory(audience: &Audience, people: &[upward_domain::Person]) -> Vec<String> {
    let Audience::Emails(listed) = audience else {
        return Vec::new();
    };
    let known: std::collections::HashSet<String> = people.iter().map(|p| p.email.key()).collect();
    listed
        .iter()
        .filter(|email| !known.contains(&email.key()))
        .map(|email| email.as_str().to_owned())
        .collect()
}
