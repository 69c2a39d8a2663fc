//! The server's background upkeep, run every few seconds by each `upward serve`: matching runs
//! that wait in the queue are run, runs whose server went away are marked failed, proposals
//! halfway through their answer period remind whoever has not answered, overdue ones expire,
//! the follow-up mail of pairs under way is queued (`follow_up`), and the outbox is delivered. Every step is safe with several servers on one database: each
//! piece of work is taken by a conditional update that only one of them wins.

use jiff::{SignedDuration, Timestamp};
use upward_domain::{Answer, Pairing, PairingEvent, Side};
use upward_store::{Mail, StoreError};

use crate::mail::Mailer;
use crate::{App, AppResult};

/// A queued run older than this was not started by the server that queued it.
const ORPHANED_AFTER: SignedDuration = SignedDuration::from_secs(30);
/// A running run whose heartbeat (see [`RUN_HEARTBEAT`]) stopped this long ago lost its
/// server: it is failed, so its manager can start it again, within about a minute and a half.
const STALLED_AFTER: SignedDuration = SignedDuration::from_secs(90);
/// How often the server running a run says it is still at it.
pub const RUN_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(15);

/// What one round of upkeep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Upkeep {
    pub runs_started: usize,
    pub runs_failed: u64,
    pub reminded: usize,
    pub expired: usize,
    pub mailed: usize,
    /// The round stopped sending on its time budget: the next should start at once.
    pub mail_waiting: bool,
    /// Closed programmes whose personal answers were removed under `retention_days`.
    pub programmes_cleared: u64,
    /// Meeting reminders, nudges and digests queued.
    pub follow_up: crate::follow_up::FollowUp,
}

impl App {
    /// One round of upkeep as of `now`.
    pub async fn upkeep(&self, mailer: &dyn Mailer, now: Timestamp) -> AppResult<Upkeep> {
        let mut done = Upkeep::default();
        for run in self.store.queued_runs(now - ORPHANED_AFTER).await? {
            self.run_in_background(run);
            done.runs_started += 1;
        }
        done.runs_failed = self.store.fail_stalled_runs(now - STALLED_AFTER).await?;
        if let Some(days) = self.settings.retention_days {
            let closed_before = now - SignedDuration::from_hours(24 * days);
            done.programmes_cleared = self
                .store
                .remove_closed_personal_data(closed_before)
                .await?;
        }
        for pairing in self.store.proposals_to_remind(now).await? {
            let mail = reminders(&pairing, &self.settings.base_url());
            if self.store.mark_reminded(pairing.id, now, &mail).await? {
                done.reminded += 1;
            }
        }
        for pairing in self.store.overdue_proposals(now).await? {
            let mail = [Side::Mentor, Side::Mentee].map(|side| Mail {
                recipient: pairing.email_of(side).as_str().to_owned(),
                subject: "Your proposed match has expired".into(),
                body: "The proposal was not answered by both of you in time, so it has expired. \
                       The programme manager may propose it again or find another match."
                    .into(),
            });
            match self
                .store
                .update_pairing(
                    &pairing,
                    PairingEvent::Expire,
                    None,
                    "upward (expiry)",
                    &mail,
                )
                .await
            {
                Ok(_) => done.expired += 1,
                // Answered or expired by another server meanwhile.
                Err(StoreError::Conflict { .. }) => {}
                Err(other) => return Err(other.into()),
            }
        }
        done.follow_up = self.follow_up(now).await?;
        self.sweep(now).await?;
        let drained = self.drain_outbox(mailer, now).await?;
        (done.mailed, done.mail_waiting) = (drained.sent, drained.more_waiting);
        Ok(done)
    }
}

impl App {
    /// Forgets what no longer counts, so these tables stay the size of the live rows: expired
    /// links, rate-limit events and failed log-ins older than their windows; and keeps SQLite's
    /// write-ahead log small.
    async fn sweep(&self, now: Timestamp) -> AppResult<()> {
        self.store.delete_expired_links(now).await?;
        self.store
            .delete_rate_events_before(now - crate::access::REQUEST_WINDOW)
            .await?;
        self.store
            .delete_login_failures_before(now - crate::auth::THROTTLE_WINDOW)
            .await?;
        self.store.checkpoint().await?;
        Ok(())
    }
}

/// A reminder to each side that has not answered yet.
fn reminders(pairing: &Pairing, base_url: &str) -> Vec<Mail> {
    [Side::Mentor, Side::Mentee]
        .into_iter()
        .filter(|&side| pairing.state.answer(side) == Some(Answer::Pending))
        .map(|side| Mail {
            recipient: pairing.email_of(side).as_str().to_owned(),
            subject: "Reminder: please answer your proposed match".into(),
            body: format!(
                "You have a proposed reverse mentoring match waiting for your answer. Please \
                 accept or decline by {} at {base_url}/ — after that it expires.",
                pairing.answer_due.strftime("%Y-%m-%d")
            ),
        })
        .collect()
}
