//! Mail through a real SMTP conversation: a small SMTP server on loopback receives what the
//! outbox sends through lettre. Publishing a run queues one message per person; delivery sends
//! each once, even with two servers delivering at the same time; a refused recipient is
//! retried a few times and then left with the server's answer.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use upward_app::mail::{Mailer, SmtpMailer};
use upward_app::settings::SmtpSecurity;
use upward_app::{App, Settings};
use upward_store::testing::TestDatabase;

/// One message as the server received it.
#[derive(Debug, Clone)]
struct Received {
    recipients: Vec<String>,
    data: String,
}

async fn smtp_server() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let server = smtp_server_that(false).await;
    (server.port, server.inbox)
}

/// A listening SMTP server, what it received and how many connections it took.
struct Smtp {
    port: u16,
    inbox: Arc<Mutex<Vec<Received>>>,
    connections: Arc<AtomicUsize>,
}

/// A minimal SMTP server (RFC 5321's commands, no extensions) that keeps what it receives and
/// refuses the recipient `refused@x.org`; with `hang_up`, it closes each connection after one
/// message without a word, as a server does to a connection left idle too long.
async fn smtp_server_that(hang_up: bool) -> Smtp {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(AtomicUsize::new(0));
    let (kept, counted) = (inbox.clone(), connections.clone());
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            counted.fetch_add(1, Ordering::SeqCst);
            let inbox = kept.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 test.local ESMTP\r\n").await.unwrap();
                let mut recipients = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let command = line.to_ascii_uppercase();
                    let reply: &[u8] = if command.starts_with("EHLO") || command.starts_with("HELO")
                    {
                        b"250 test.local\r\n"
                    } else if command.starts_with("MAIL FROM") {
                        recipients.clear();
                        b"250 OK\r\n"
                    } else if command.starts_with("RCPT TO") {
                        if line.contains("refused@x.org") {
                            b"550 5.1.1 No such user\r\n"
                        } else {
                            recipients.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                            b"250 OK\r\n"
                        }
                    } else if command == "DATA" {
                        write.write_all(b"354 Go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        while let Ok(Some(line)) = lines.next_line().await {
                            if line == "." {
                                break;
                            }
                            data.push_str(&line);
                            data.push('\n');
                        }
                        inbox.lock().unwrap().push(Received {
                            recipients: std::mem::take(&mut recipients),
                            data,
                        });
                        if hang_up {
                            write.write_all(b"250 OK queued\r\n").await.ok();
                            return;
                        }
                        b"250 OK queued\r\n"
                    } else if command == "QUIT" {
                        write.write_all(b"221 Bye\r\n").await.ok();
                        return;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Smtp {
        port,
        inbox,
        connections,
    }
}

fn settings(port: u16) -> Settings {
    Settings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(port),
        smtp_security: SmtpSecurity::None,
        mail_from: "Upward <upward@x.org>".into(),
        ..Settings::default()
    }
}

/// Publishes a run of two pairs: four messages in the outbox.
async fn published(app: &App) {
    let admin = common::admin(app).await;
    let people = "email,name,job_level,time_zone
m1@x.org,Mia One,3,UTC
m2@x.org,Max Two,3,UTC
e1@x.org,Eve One,15,UTC
refused@x.org,Eli Two,15,UTC
";
    let enrolments = "email,role,offers,interests,availability
m1@x.org,mentor,cloud:5,,Mon 08:00-10:00
m2@x.org,mentor,cloud:4,,Mon 08:00-10:00
e1@x.org,mentee,,cloud:5,Mon 08:00-10:00
refused@x.org,mentee,,cloud:3,Mon 08:00-10:00
";
    let (manager, programme) =
        common::matching_programme(app, &admin, "Mail test", people, enrolments).await;
    let run = app
        .start_matching(&manager, programme, None, false)
        .await
        .unwrap();
    app.execute_run(run.id, &|_, _| {}).await.unwrap();
    assert_eq!(app.publish_run(&manager, run.id).await.unwrap().len(), 2);
}

#[tokio::test]
async fn publication_mail_reaches_every_person_once_and_a_refused_address_is_retried_then_left() {
    for db in TestDatabase::each_backend().await {
        let (port, inbox) = smtp_server().await;
        let first = App::new(db.store(), settings(port)).unwrap();
        let second = App::new(db.store(), settings(port)).unwrap();
        published(&first).await;
        let mailer = SmtpMailer::new(&first.settings, "127.0.0.1").unwrap();
        // Two servers deliver at once: each message is taken by one of them.
        let (a, b) = tokio::join!(
            first.deliver_mail(&mailer, 100),
            second.deliver_mail(&mailer, 100)
        );
        assert_eq!(a.unwrap() + b.unwrap(), 3, "{}", db.label());
        let received = inbox.lock().unwrap().clone();
        let mut recipients: Vec<String> =
            received.iter().flat_map(|r| r.recipients.clone()).collect();
        recipients.sort();
        assert_eq!(recipients, ["e1@x.org", "m1@x.org", "m2@x.org"]);
        let to_mentee = received
            .iter()
            .find(|r| r.recipients == ["e1@x.org"])
            .unwrap();
        assert!(
            to_mentee
                .data
                .contains("Subject: Mail test: you have a proposed mentor")
        );
        assert!(to_mentee.data.contains("From: Upward <upward@x.org>"));

        // Not again at once; then once every five minutes, five times in all.
        assert_eq!(first.deliver_mail(&mailer, 100).await.unwrap(), 0);
        let attempts = |outbox: &[upward_store::OutboxEntry]| {
            outbox
                .iter()
                .find(|entry| entry.mail.recipient == "refused@x.org")
                .unwrap()
                .attempts
        };
        assert_eq!(attempts(&first.store.outbox(10).await.unwrap()), 1);
        for minutes in [6, 12, 18, 24, 30, 36] {
            let later = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(minutes);
            assert_eq!(first.deliver_mail_at(&mailer, 100, later).await.unwrap(), 0);
        }
        assert_eq!(inbox.lock().unwrap().len(), 3, "nothing is sent twice");
        let outbox = first.store.outbox(10).await.unwrap();
        let refused = outbox
            .iter()
            .find(|entry| entry.mail.recipient == "refused@x.org")
            .unwrap();
        assert!(!refused.sent);
        assert_eq!(refused.attempts, 5);
        assert!(
            refused
                .last_error
                .as_deref()
                .unwrap()
                .contains("No such user")
        );
        assert!(
            outbox
                .iter()
                .filter(|entry| entry.mail.recipient != "refused@x.org")
                .all(|entry| entry.sent && entry.attempts == 1)
        );
    }
}

#[tokio::test]
async fn the_smtp_mailer_sends_dot_lines_safely_and_reports_refusals_and_bad_settings() {
    let (port, inbox) = smtp_server().await;
    let mailer = SmtpMailer::new(&settings(port), "127.0.0.1").unwrap();
    mailer
        .send("ok@x.org", "Hello", "A line\n.\nA dot alone above")
        .await
        .unwrap();
    assert!(inbox.lock().unwrap()[0].data.contains("A dot alone above"));
    let error = mailer
        .send("refused@x.org", "Hello", "…")
        .await
        .unwrap_err();
    assert!(error.contains("No such user"), "{error}");
    let broken = SmtpMailer::new(
        &Settings {
            mail_from: "not an address".into(),
            ..settings(port)
        },
        "127.0.0.1",
    );
    assert!(
        broken
            .err()
            .unwrap()
            .contains("mail_from 'not an address' is not an address")
    );
}

/// `count` invitations waiting in the outbox (a programme invites a directory of that size).
async fn invitations_waiting(app: &App, count: usize) {
    let admin = common::admin(app).await;
    let mut people = String::from("email,name,job_level,time_zone\n");
    for i in 0..count {
        people.push_str(&format!("p{i}@x.org,Person {i},5,UTC\n"));
    }
    app.import_people(&admin, people.as_bytes()).await.unwrap();
    let manager = admin.as_manager();
    let programme = app
        .create_programme(&manager, &common::draft("Invitations"))
        .await
        .unwrap()
        .programme
        .id;
    app.change_phase(&manager, programme, upward_domain::Phase::Enrolling)
        .await
        .unwrap();
    let invited = app
        .invite(&manager, programme, &upward_domain::Audience::Everyone)
        .await
        .unwrap();
    assert_eq!(invited.sent as usize, count);
}

#[tokio::test]
async fn a_long_outbox_drains_in_one_round_over_a_few_kept_connections_even_with_two_servers() {
    for db in TestDatabase::each_backend().await {
        let server = smtp_server_that(false).await;
        let first = App::new(db.store(), settings(server.port)).unwrap();
        let second = App::new(db.store(), settings(server.port)).unwrap();
        invitations_waiting(&first, 300).await;
        let (mailer_one, mailer_two) = (
            SmtpMailer::new(&first.settings, "127.0.0.1").unwrap(),
            SmtpMailer::new(&second.settings, "127.0.0.1").unwrap(),
        );
        let now = jiff::Timestamp::now();
        let (a, b) = tokio::join!(
            first.upkeep(&mailer_one, now),
            second.upkeep(&mailer_two, now)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a.mailed + b.mailed, 300, "{}", db.label());
        assert!(!a.mail_waiting && !b.mail_waiting);
        let mut recipients: Vec<String> = server
            .inbox
            .lock()
            .unwrap()
            .iter()
            .flat_map(|r| r.recipients.clone())
            .collect();
        recipients.sort();
        recipients.dedup();
        assert_eq!(recipients.len(), 300, "each person once: {}", db.label());
        assert_eq!(server.inbox.lock().unwrap().len(), 300);
        let connections = server.connections.load(Ordering::SeqCst);
        assert!(
            connections <= 16,
            "each server keeps at most 8 connections, not one a message: {connections}"
        );
        assert!(
            first
                .store
                .outbox(400)
                .await
                .unwrap()
                .iter()
                .all(|m| m.sent && m.attempts == 1),
            "every message is marked sent after one attempt: {}",
            db.label()
        );
    }
}

#[tokio::test]
async fn a_connection_the_server_closed_while_idle_is_replaced_without_losing_the_message() {
    let server = smtp_server_that(true).await;
    let mailer = SmtpMailer::new(&settings(server.port), "127.0.0.1").unwrap();
    for i in 0..3 {
        mailer
            .send(&format!("r{i}@x.org"), "Hello", "Again")
            .await
            .unwrap();
    }
    assert_eq!(server.inbox.lock().unwrap().len(), 3);
    assert_eq!(server.connections.load(Ordering::SeqCst), 3);
}
