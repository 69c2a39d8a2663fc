//! Faults, with real processes: `upward` killed with SIGKILL (no chance to clean up) during a
//! matching run and its publication, and a server killed during a burst of writes. Nothing
//! acknowledged may be lost, nothing may be half-done, and what was interrupted must be
//! recovered by the next server's upkeep. (An import killed midway is in `commands.rs`;
//! PostgreSQL stopped under load is `scripts/load --outage`.)

use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use upward_app::{App, Settings};
use upward_domain::{ProgrammeId, RunStatus};
use upward_store::{SqlStore, Store};

const DEMO_PROGRAMME: ProgrammeId = ProgrammeId(1);

fn upward(args: &[&str], database: &str) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_upward"))
        .args(args)
        .args(["--database-url", database])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "upward {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn spawn(args: &[&str], database: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_upward"))
        .args(args)
        .args(["--database-url", database])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn sigkill(mut child: Child) {
    let _ = child.kill(); // SIGKILL on Unix
    let _ = child.wait();
}

/// The demo organisation with its programme in the matching phase, as one self-contained file
/// to copy (`upward backup`: the live file alone would miss what its write-ahead log holds).
fn prepared(dir: &std::path::Path) -> std::path::PathBuf {
    let database = format!("sqlite://{}", dir.join("work.db").display());
    upward(&["demo"], &database);
    upward(&["programmes", "phase", "1", "matching"], &database);
    let file = dir.join("prepared.db");
    upward(&["backup", file.to_str().unwrap()], &database);
    file
}

/// Whatever moment `upward match --publish` was killed at, each run is whole: a published run
/// has every pair of its proposal as a pairing, each with its two mails, and every other run
/// has none. The next server's upkeep deals with what the dead process left: a run still
/// queued is run (resumed), one left running with a stale heartbeat is failed; matching can
/// then run again to the end.
#[tokio::test]
async fn a_run_or_publication_killed_at_any_moment_is_all_or_nothing_and_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepared(dir.path());
    // Measured here, the process starts its run at about 70 ms, finishes it at about 120 and
    // has published by 130: the kills land before, during and after each step.
    for wait_ms in (0..=240).step_by(12) {
        let file = dir.path().join(format!("attempt-{wait_ms}.db"));
        std::fs::copy(&prepared, &file).unwrap();
        let database = format!("sqlite://{}", file.display());
        let child = spawn(&["match", "1", "--publish"], &database);
        std::thread::sleep(Duration::from_millis(wait_ms));
        sigkill(child);

        let store: Arc<dyn Store> = Arc::new(SqlStore::connect(&database).await.unwrap());
        check_runs_are_whole(store.as_ref(), wait_ms).await;
        let app = App::new(store.clone(), Settings::default()).unwrap();
        let later = Timestamp::now() + SignedDuration::from_mins(2);
        app.upkeep(&upward_app::mail::LogMailer, later)
            .await
            .unwrap();
        settled(store.as_ref(), wait_ms).await;
        check_runs_are_whole(store.as_ref(), wait_ms).await;
        let live = store.live_pairings(DEMO_PROGRAMME).await.unwrap();
        if live.is_empty() {
            upward(&["match", "1", "--publish"], &database);
        }
        let published = check_runs_are_whole(store.as_ref(), wait_ms).await;
        assert_eq!(published, 1, "after {wait_ms} ms: published, once");
    }
}

/// A run queued by a server that died before starting it is run by the next server's upkeep.
#[tokio::test]
async fn a_run_queued_by_a_server_that_died_is_run_by_the_next_one() {
    let dir = tempfile::tempdir().unwrap();
    let prepared = prepared(dir.path());
    let database = format!("sqlite://{}", prepared.display());
    let store: Arc<dyn Store> = Arc::new(SqlStore::connect(&database).await.unwrap());
    let app = App::new(store.clone(), Settings::default()).unwrap();
    let manager = store
        .credentials("manager@upward-demo.example")
        .await
        .unwrap()
        .unwrap()
        .user;
    let manager = upward_app::policy::Manager::check(&manager).unwrap();
    // Queued, and never started: its server is gone.
    let queued = app
        .start_matching(&manager, DEMO_PROGRAMME, None, false)
        .await
        .unwrap();
    assert_eq!(queued.status, RunStatus::Queued);
    // Half a minute on: the queued run is an orphan, while the run it becomes is fresh.
    let later = Timestamp::now() + SignedDuration::from_secs(31);
    let done = app
        .upkeep(&upward_app::mail::LogMailer, later)
        .await
        .unwrap();
    assert_eq!(done.runs_started, 1);
    settled(store.as_ref(), 0).await;
    let run = store.matching_run(queued.id).await.unwrap();
    assert_eq!(run.status, RunStatus::Done);
    assert!(!store.run_result(queued.id).await.unwrap().pairs.is_empty());
}

/// Waits until upkeep has dealt with every run the dead process left: one still queued is run
/// (in this process, as a server would), one left running with a stale heartbeat is failed.
async fn settled(store: &dyn Store, wait_ms: u64) {
    for _ in 0..200 {
        let runs = store.programme_runs(DEMO_PROGRAMME).await.unwrap();
        if runs
            .iter()
            .all(|run| !matches!(run.status, RunStatus::Running | RunStatus::Queued))
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("after {wait_ms} ms: a run is still queued or running 10 s after upkeep");
}

/// Checks every run of the demo programme is whole; returns how many are published.
async fn check_runs_are_whole(store: &dyn Store, wait_ms: u64) -> usize {
    let pairings = store.programme_pairings(DEMO_PROGRAMME).await.unwrap();
    let outbox = store.outbox(100_000).await.unwrap();
    let mut published = 0;
    for run in store.programme_runs(DEMO_PROGRAMME).await.unwrap() {
        let of_run = pairings.iter().filter(|p| p.run_id == Some(run.id)).count();
        if run.status == RunStatus::Published {
            published += 1;
            let pairs = store.run_result(run.id).await.unwrap().pairs.len();
            assert!(pairs > 0);
            assert_eq!(
                of_run, pairs,
                "after {wait_ms} ms: run {} half published",
                run.id.0
            );
            let proposal_mails = outbox
                .iter()
                .filter(|m| m.mail.subject.contains("you have a proposed"))
                .count();
            assert!(
                proposal_mails == 2 * pairs,
                "after {wait_ms} ms: {proposal_mails} mails for {pairs} pairs"
            );
        } else {
            assert_eq!(
                of_run, 0,
                "after {wait_ms} ms: run {} is {:?} with pairings",
                run.id.0, run.status
            );
        }
    }
    published
}

/// A server killed in the middle of a burst of enrolment saves loses none it acknowledged:
/// after a restart, each person's answers are their last acknowledged save (or the one after
/// it, in flight when the server died).
#[tokio::test]
async fn a_server_killed_during_a_burst_of_writes_keeps_every_acknowledged_one() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("u.db").display());
    upward(&["demo"], &database);
    let export = upward(&["people", "export"], &database);
    let people: Vec<String> = String::from_utf8_lossy(&export.stdout)
        .lines()
        .skip(1)
        .take(8)
        .map(|line| line.split(',').next().unwrap().to_owned())
        .collect();

    let (server, base) = serve(&database).await;
    let client = reqwest::Client::new();
    let mut tokens = Vec::new();
    for email in &people {
        tokens.push(token(&client, &base, email).await);
    }
    let acknowledged = Arc::new(Mutex::new(vec![0u32; people.len()]));
    let mut writers = Vec::new();
    for (who, token) in tokens.iter().enumerate() {
        let (client, base, token, acknowledged) = (
            client.clone(),
            base.clone(),
            token.clone(),
            acknowledged.clone(),
        );
        writers.push(tokio::spawn(async move {
            for save in 1.. {
                match enrol(&client, &base, &token, save).await {
                    Ok(()) => acknowledged.lock().unwrap()[who] = save,
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    sigkill(server);
    for writer in writers {
        writer.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.iter().all(|&n| n > 0),
        "every writer saved before the kill: {acknowledged:?}"
    );

    let (server, base) = serve(&database).await;
    for (who, token) in tokens.iter().enumerate() {
        let enrolment: serde_json::Value = client
            .get(format!("{base}/api/v1/programmes/1/enrolment"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let saved: u32 = enrolment["statement"]
            .as_str()
            .and_then(|s| s.strip_prefix("save "))
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{}: {enrolment}", people[who]));
        assert!(
            saved == acknowledged[who] || saved == acknowledged[who] + 1,
            "{}: acknowledged save {}, found save {saved}",
            people[who],
            acknowledged[who]
        );
    }
    sigkill(server);
}

/// `upward serve` on a free port, once it answers; its address.
async fn serve(database: &str) -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = spawn(&["serve", "--listen", &listen], database);
    let base = format!("http://{listen}");
    for _ in 0..100 {
        let health = reqwest::get(format!("{base}/healthz")).await;
        if health.is_ok_and(|r| r.status().is_success()) {
            return (child, base);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sigkill(child);
    panic!("the server did not start");
}

async fn token(client: &reqwest::Client, base: &str, email: &str) -> String {
    let answer: serde_json::Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&serde_json::json!({"email": email, "password": "upward-demo", "label": "burst"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer}"))
        .to_owned()
}

async fn enrol(client: &reqwest::Client, base: &str, token: &str, save: u32) -> Result<(), String> {
    let body = serde_json::json!({"role": "mentor", "offers": "cloud:3", "interests": "",
        "availability": "Mon 17:00-18:00", "channel": "either", "preferred_time": "any",
        "statement": format!("save {save}"), "consent": true});
    let response = client
        .put(format!("{base}/api/v1/programmes/1/enrolment"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("{}", response.status()))
    }
}
