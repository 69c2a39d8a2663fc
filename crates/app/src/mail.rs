//! Delivering mail. Use cases never send mail themselves: they write it to the outbox in the
//! same transaction as the change it announces, so a change is never announced without
//! happening or the other way round; [`App::deliver_mail`] then sends what waits, through real
//! SMTP (lettre) or, without an SMTP server configured, into the log.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::{StreamExt, stream};
use jiff::{SignedDuration, Timestamp};
use upward_store::OutboxMessage;

pub use self::smtp::SmtpMailer;
use crate::settings::Settings;
use crate::{App, AppResult};

mod smtp;

/// Something that delivers one message.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, recipient: &str, subject: &str, body: &str) -> Result<(), String>;
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, recipient: &str, subject: &str, body: &str) -> Result<(), String> {
        self.send_message(recipient, subject, body).await
    }
}

/// Development delivery: every message goes to the log.
pub struct LogMailer;

#[async_trait]
impl Mailer for LogMailer {
    async fn send(&self, recipient: &str, subject: &str, body: &str) -> Result<(), String> {
        tracing::info!(
            to = recipient,
            subject,
            body,
            "mail (no SMTP server configured)"
        );
        Ok(())
    }
}

/// The mailer the settings ask for.
pub fn mailer_for(settings: &Settings) -> Result<Box<dyn Mailer>, String> {
    Ok(match &settings.smtp_host {
        Some(host) => Box::new(SmtpMailer::new(settings, host)?),
        None => Box::new(LogMailer),
    })
}

/// A message is tried this many times, then left in the outbox with its last error.
const MAX_ATTEMPTS: i64 = 5;
/// A message taken this long ago and not sent is taken again: its sender failed (attempts are
/// spaced this far apart) or went away.
const STALE_AFTER: SignedDuration = SignedDuration::from_mins(5);
/// Messages handed to the mailer at once; the SMTP mailer keeps as many connections open.
const SENT_AT_ONCE: usize = 8;
/// The first batch of a round; each full batch doubles the next, up to [`LARGEST_BATCH`], so a
/// long queue is drained in few database round trips and a short one claims only what it sends.
const FIRST_BATCH: i64 = 50;
const LARGEST_BATCH: i64 = 800;
/// A round sends for at most this long, so the rest of upkeep is not held up by a long queue;
/// the next round then starts at once (see [`Drained::more_waiting`]).
const ROUND_BUDGET: Duration = Duration::from_secs(5);

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Drained {
    pub sent: usize,
    /// The round ended on its time budget with mail still waiting.
    pub more_waiting: bool,
}

impl App {
    /// Sends the mail waiting in the outbox, up to `limit` messages; returns how many went.
    /// Several servers may call this at once: each message is taken by one.
    pub async fn deliver_mail(&self, mailer: &dyn Mailer, limit: i64) -> AppResult<usize> {
        self.deliver_mail_at(mailer, limit, Timestamp::now()).await
    }

    /// [`App::deliver_mail`] as if it were `now` (tests step through retries with it).
    pub async fn deliver_mail_at(
        &self,
        mailer: &dyn Mailer,
        limit: i64,
        now: Timestamp,
    ) -> AppResult<usize> {
        Ok(self.deliver_batch(mailer, limit, now).await?.1)
    }

    /// Delivers batch after growing batch until the outbox has nothing to send or the round's
    /// time is up.
    pub async fn drain_outbox(&self, mailer: &dyn Mailer, now: Timestamp) -> AppResult<Drained> {
        let started = Instant::now();
        let (mut batch, mut drained) = (FIRST_BATCH, Drained::default());
        loop {
            let (claimed, sent) = self.deliver_batch(mailer, batch, now).await?;
            drained.sent += sent;
            if (claimed as i64) < batch {
                return Ok(drained);
            }
            if started.elapsed() >= ROUND_BUDGET {
                drained.more_waiting = true;
                return Ok(drained);
            }
            batch = (batch * 2).min(LARGEST_BATCH);
        }
    }

    /// Claims up to `limit` messages and sends them, several at once; returns how many were
    /// claimed and how many went.
    async fn deliver_batch(
        &self,
        mailer: &dyn Mailer,
        limit: i64,
        now: Timestamp,
    ) -> AppResult<(usize, usize)> {
        let messages = self
            .store
            .claim_mail(now, now - STALE_AFTER, MAX_ATTEMPTS, limit)
            .await?;
        // Boxed first: a stream of unboxed futures borrowing the mailer is not provably
        // `Send` to the compiler (a known limit of higher-ranked lifetimes).
        let sending: Vec<BoxFuture<'_, Sending<'_>>> = messages
            .iter()
            .map(|message| send_one(mailer, message).boxed())
            .collect();
        let outcomes: Vec<Sending<'_>> = stream::iter(sending)
            .buffer_unordered(SENT_AT_ONCE)
            .collect()
            .await;
        let mut sent = Vec::new();
        for (message, outcome) in outcomes {
            match outcome {
                Ok(()) => sent.push(message.id),
                Err(error) => {
                    tracing::warn!(to = message.mail.recipient, attempt = message.attempts, %error, "mail not sent");
                    self.store.mark_mail_failed(message.id, &error).await?;
                }
            }
        }
        self.store.mark_mail_sent(&sent, Timestamp::now()).await?;
        Ok((messages.len(), sent.len()))
    }
}

/// A message and whether it went.
type Sending<'a> = (&'a OutboxMessage, Result<(), String>);

async fn send_one<'a>(mailer: &'a dyn Mailer, message: &'a OutboxMessage) -> Sending<'a> {
    let mail = &message.mail;
    let outcome = mailer
        .send(&mail.recipient, &mail.subject, &mail.body)
        .await;
    (message, outcome)
}
