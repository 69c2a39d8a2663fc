//! Real delivery over SMTP: lettre speaks the protocol, on connections Upward opens itself so
//! that it can turn Nagle's algorithm off, and keeps open for the next message.
//!
//! Why not lettre's own pooled transport: lettre 0.11.23 writes a message's body and its final
//! `.` in two writes on a socket with Nagle's algorithm on, so the second waits for the
//! server's delayed acknowledgement: 40 ms a message on Linux, whatever the server (measured:
//! 23 messages a second to a loopback listener). The fix is merged upstream (lettre pull
//! request 1159) but not released; once it is, this module can go back to
//! `AsyncSmtpTransport`. Implicit TLS (port 465) still uses lettre's transport, because
//! lettre offers no way to hand it a socket for that mode; STARTTLS and plain connections are
//! opened here.

use std::sync::Mutex;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::net::TcpStream;

use crate::settings::{Settings, SmtpSecurity};

/// Connecting, and any one message, give up after this long.
const TIMEOUT: Duration = Duration::from_secs(20);
/// At most this many connections wait open between messages (as many as deliveries run at
/// once, see `crate::mail`).
const MAX_IDLE: usize = 8;

/// Sends mail through the configured SMTP server.
pub struct SmtpMailer {
    from: Mailbox,
    route: Route,
}

enum Route {
    /// Plain or STARTTLS: connections opened here, kept for reuse.
    Direct(DirectServer),
    /// Implicit TLS: lettre's own pooled transport.
    Lettre(AsyncSmtpTransport<Tokio1Executor>),
}

/// An SMTP server Upward opens its own connections to.
struct DirectServer {
    host: String,
    port: u16,
    starttls: bool,
    credentials: Option<Credentials>,
    /// Connections kept open between messages.
    idle: Mutex<Vec<AsyncSmtpConnection>>,
}

impl SmtpMailer {
    pub fn new(settings: &Settings, host: &str) -> Result<Self, String> {
        let from: Mailbox = settings
            .mail_from
            .parse()
            .map_err(|e| format!("mail_from '{}' is not an address: {e}", settings.mail_from))?;
        let port = settings.smtp_port.unwrap_or(match settings.smtp_security {
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        });
        let credentials = match (&settings.smtp_username, &settings.smtp_password) {
            (Some(user), Some(password)) => {
                Some(Credentials::new(user.clone(), password.expose().to_owned()))
            }
            _ => None,
        };
        let route = match settings.smtp_security {
            SmtpSecurity::Tls => {
                let mut builder = AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                    .map_err(|e| format!("SMTP server {host}: {e}"))?
                    .port(port)
                    .timeout(Some(TIMEOUT));
                if let Some(credentials) = credentials {
                    builder = builder.credentials(credentials);
                }
                Route::Lettre(builder.build())
            }
            security => Route::Direct(DirectServer {
                host: host.to_owned(),
                port,
                starttls: security == SmtpSecurity::Starttls,
                credentials,
                idle: Mutex::new(Vec::new()),
            }),
        };
        Ok(Self { from, route })
    }

    pub(super) async fn send_message(
        &self,
        recipient: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        let to: Mailbox = recipient
            .parse()
            .map_err(|e| format!("'{recipient}' is not an address: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .body(body.to_owned())
            .map_err(|e| e.to_string())?;
        match &self.route {
            Route::Lettre(transport) => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Route::Direct(server) => server.send(message.envelope(), &message.formatted()).await,
        }
    }
}

impl DirectServer {
    async fn send(&self, envelope: &Envelope, email: &[u8]) -> Result<(), String> {
        // A kept connection may have been closed by the server while it waited: if it fails
        // without the server having answered, the message is tried once on a new one.
        if let Some(mut connection) = self.idle_connection() {
            match timed(connection.send(envelope, email)).await {
                Ok(()) => {
                    self.keep(connection);
                    return Ok(());
                }
                Err(Failure::Answered(refusal)) => return Err(refusal),
                Err(Failure::Broken(_)) => {}
            }
        }
        let mut connection = self.connect().await?;
        match timed(connection.send(envelope, email)).await {
            Ok(()) => {
                self.keep(connection);
                Ok(())
            }
            Err(Failure::Answered(problem) | Failure::Broken(problem)) => Err(problem),
        }
    }

    fn idle_connection(&self) -> Option<AsyncSmtpConnection> {
        self.idle.lock().expect("the idle connections").pop()
    }

    fn keep(&self, connection: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().expect("the idle connections");
        if idle.len() < MAX_IDLE && !connection.has_broken() {
            idle.push(connection);
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, String> {
        let (host, port) = (&self.host, self.port);
        let unreachable = |e: &dyn std::fmt::Display| format!("SMTP server {host}:{port}: {e}");
        let socket = tokio::time::timeout(TIMEOUT, TcpStream::connect((host.as_str(), port)))
            .await
            .map_err(|e| unreachable(&e))?
            .map_err(|e| unreachable(&e))?;
        socket.set_nodelay(true).map_err(|e| unreachable(&e))?;
        let hello = ClientId::default();
        let mut connection = tokio::time::timeout(
            TIMEOUT,
            AsyncSmtpConnection::connect_with_transport(Box::new(socket), &hello),
        )
        .await
        .map_err(|e| unreachable(&e))?
        .map_err(|e| unreachable(&e))?;
        if self.starttls {
            let tls = TlsParameters::new(host.clone()).map_err(|e| unreachable(&e))?;
            connection
                .starttls(tls, &hello)
                .await
                .map_err(|e| unreachable(&e))?;
        }
        if let Some(credentials) = &self.credentials {
            connection
                .auth(DEFAULT_MECHANISMS, credentials)
                .await
                .map_err(|e| unreachable(&e))?;
        }
        Ok(connection)
    }
}

/// Why a message did not go: the server refused it, or the connection failed.
enum Failure {
    Answered(String),
    Broken(String),
}

async fn timed(
    sending: impl Future<
        Output = Result<
            lettre::transport::smtp::response::Response,
            lettre::transport::smtp::Error,
        >,
    >,
) -> Result<(), Failure> {
    match tokio::time::timeout(TIMEOUT, sending).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) if error.is_permanent() || error.is_transient() => {
            Err(Failure::Answered(error.to_string()))
        }
        Ok(Err(error)) => Err(Failure::Broken(error.to_string())),
        Err(_) => Err(Failure::Broken(format!(
            "the SMTP server did not answer within {} s",
            TIMEOUT.as_secs()
        ))),
    }
}
