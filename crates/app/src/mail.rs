//! Delivering mail. Use cases never send mail themselves: they write it to the outbox in the
//! same transaction as the change it announces, so a change is never announced without
//! happening or the other way round; [`App::deliver_mail`] then sends what waits, through real
//! SMTP (lettre) or, without an SMTP server configured, into the log.

use async_trait::async_trait;
use jiff::{SignedDuration, Timestamp};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::settings::{Settings, SmtpSecurity};
use crate::{App, AppResult};

/// Something that delivers one message.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, recipient: &str, subject: &str, body: &str) -> Result<(), String>;
}

/// Real delivery over SMTP.
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(settings: &Settings, host: &str) -> Result<Self, String> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| format!("mail_from '{}' is not an address: {e}", settings.mail_from))?;
        let builder = match settings.smtp_security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|e| format!("SMTP server {host}: {e}"))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|e| format!("SMTP server {host}: {e}"))?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let port = settings.smtp_port.unwrap_or(match settings.smtp_security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        let mut builder = builder
            .port(port)
            .timeout(Some(std::time::Duration::from_secs(20)));
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, recipient: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| format!("'{recipient}' is not an address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
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
        let messages = self
            .store
            .claim_mail(now, now - STALE_AFTER, MAX_ATTEMPTS, limit)
            .await?;
        let mut sent = 0;
        for message in messages {
            let mail = &message.mail;
            match mailer
                .send(&mail.recipient, &mail.subject, &mail.body)
                .await
            {
                Ok(()) => {
                    self.store
                        .mark_mail_sent(message.id, Timestamp::now())
                        .await?;
                    sent += 1;
                }
                Err(error) => {
                    tracing::warn!(to = mail.recipient, attempt = message.attempts, %error, "mail not sent");
                    self.store.mark_mail_failed(message.id, &error).await?;
                }
            }
        }
        Ok(sent)
    }
}
