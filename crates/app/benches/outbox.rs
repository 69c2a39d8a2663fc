//! How fast the outbox drains: 20,000 invitations queued at once (a programme invites the whole
//! directory), delivered by the server's upkeep rounds through lettre over real SMTP to a
//! listener on loopback that takes every message. Runs on SQLite, and on PostgreSQL too when
//! `UPWARD_TEST_POSTGRES_URL` is set. Prints the median of three, each on a fresh database.
//!
//! The server starts an upkeep round every 2 s, or at once when the last round left mail
//! waiting; the benchmark runs rounds back to back, and also says how long the rounds would
//! take if each one waited for the next 2-second tick.
//!
//! cargo bench -p upward-app --bench outbox            (MAILS=5000 to change the size)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use jiff::Timestamp;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use upward_app::mail::SmtpMailer;
use upward_app::policy::Admin;
use upward_app::settings::SmtpSecurity;
use upward_app::{App, Settings};
use upward_domain::*;
use upward_store::testing::{TestDatabase, backends};

mod support;

/// An SMTP listener that accepts every message and counts it (connections are kept open for
/// as many messages as the client sends on them).
async fn smtp_sink() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let port = listener.local_addr().expect("an address").port();
    let received = Arc::new(AtomicUsize::new(0));
    let counted = received.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let received = counted.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.ok();
                while let Ok(Some(line)) = lines.next_line().await {
                    let reply: &[u8] = match line.to_ascii_uppercase().as_str() {
                        "DATA" => {
                            write.write_all(b"354 go ahead\r\n").await.ok();
                            while let Ok(Some(line)) = lines.next_line().await {
                                if line == "." {
                                    break;
                                }
                            }
                            received.fetch_add(1, Ordering::Relaxed);
                            b"250 queued\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            return;
                        }
                        _ => b"250 OK\r\n",
                    };
                    if write.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (port, received)
}

fn directory(people: usize) -> String {
    let mut csv = String::from("email,name,job_level,time_zone\n");
    for i in 0..people {
        csv.push_str(&format!(
            "person{i}@bench.example,Person {i},{},Europe/London\n",
            1 + i % 20
        ));
    }
    csv
}

/// A fresh database with `mails` invitations waiting in the outbox.
async fn queued(label: &str, directory: &str, mails: usize) -> (TestDatabase, App) {
    let db = TestDatabase::fresh(label).await;
    let app = App::new(db.store(), Settings::default()).expect("an app");
    let admin = Admin::command_line_operator();
    let manager = admin.as_manager();
    app.import_people(&admin, directory.as_bytes())
        .await
        .expect("the directory");
    let programme = support::programme(&app, &manager, &[Phase::Enrolling]).await;
    let invited = app
        .invite(&manager, programme, &Audience::Everyone)
        .await
        .expect("the invitations");
    assert_eq!(invited.sent as usize, mails);
    (db, app)
}

async fn measure(label: &str, mails: usize) {
    let directory = directory(mails);
    let (port, received) = smtp_sink().await;
    let settings = Settings {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: Some(port),
        smtp_security: SmtpSecurity::None,
        mail_from: "Upward <upward@bench.example>".into(),
        ..Settings::default()
    };
    let mut runs = Vec::new();
    for _ in 0..3 {
        let (_db, app) = queued(label, &directory, mails).await;
        let mailer = SmtpMailer::new(&settings, "127.0.0.1").expect("a mailer");
        let before = received.load(Ordering::Relaxed);
        let (started, mut sent, mut rounds) = (Instant::now(), 0, 0);
        while sent < mails {
            let done = app
                .upkeep(&mailer, Timestamp::now())
                .await
                .expect("a round");
            assert!(done.mailed > 0, "a round sent nothing with mail waiting");
            sent += done.mailed;
            rounds += 1;
        }
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(received.load(Ordering::Relaxed) - before, mails);
        runs.push((seconds, rounds));
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (seconds, rounds) = runs[1];
    println!(
        "{label:>8}  {mails} mails  median {seconds:.2} s back to back ({:.0} mails/s) in {rounds} rounds; \
         with a 2-second tick per round at least {:.0} s  (runs: {})",
        mails as f64 / seconds,
        (rounds as f64 * 2.0).max(seconds),
        runs.iter()
            .map(|(s, _)| format!("{s:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[tokio::main]
async fn main() {
    if !support::benchmarking() {
        return;
    }
    let mails = support::size("MAILS", 20_000);
    for backend in backends() {
        measure(backend, mails).await;
    }
}
