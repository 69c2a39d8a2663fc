//! Upward's calendars read by independent parsers: Python's `icalendar`, expanded by
//! `recurring-ical-events` as calendar apps do (installed by `scripts/python-tools`). Every
//! meeting comes back as one occurrence at the same instant, through a clock change, with the
//! status and sequence that tell subscribers about a cancellation.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use axum::http::StatusCode;
use common::World;
use jiff::Timestamp;
use serde_json::{Value, json};

/// The occurrences the independent parsers find in `ics`.
fn occurrences(ics: &str) -> Vec<Value> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let tools = Command::new(format!("{root}/scripts/python-tools"))
        .arg("tests/calendar/requirements.txt")
        .output()
        .expect("scripts/python-tools runs");
    assert!(
        tools.status.success(),
        "{}",
        String::from_utf8_lossy(&tools.stderr)
    );
    let python = String::from_utf8(tools.stdout).unwrap();
    let mut parser = Command::new(python.trim())
        .arg(format!("{root}/tests/calendar/occurrences.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    parser
        .stdin
        .take()
        .unwrap()
        .write_all(ics.as_bytes())
        .unwrap();
    let done = parser.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "the parsers refused the calendar: {}\n{ics}",
        String::from_utf8_lossy(&done.stderr)
    );
    serde_json::from_slice(&done.stdout).unwrap()
}

fn utc(rfc3339: &Value) -> String {
    let at: Timestamp = rfc3339.as_str().unwrap().parse().unwrap();
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[tokio::test]
async fn every_meeting_round_trips_through_independent_parsers_to_the_same_instant() {
    for world in World::each().await {
        let (alice, dan_token, pairing) = world.settled_pair().await;
        let meetings_path = format!("/api/v1/pairings/{}/meetings", pairing);
        let (_, meetings) = world.get(&meetings_path, Some(&alice)).await;
        let cancelled = &meetings[2];
        let path = format!("/api/v1/meetings/{}/outcome", cancelled["id"]);
        let body = json!({"status": "cancelled", "cancelled_by": "mentee"});
        assert_eq!(
            world.post(&path, Some(&dan_token), Some(body)).await.0,
            StatusCode::OK
        );
        let (_, meetings) = world.get(&meetings_path, Some(&alice)).await;
        let meetings = meetings.as_array().unwrap();
        // The series runs from January to September 2027, across Paris's clock change.
        assert!(
            meetings
                .iter()
                .any(|m| m["start"].as_str().unwrap().ends_with("+01:00"))
        );
        assert!(
            meetings
                .iter()
                .any(|m| m["start"].as_str().unwrap().ends_with("+02:00"))
        );

        let pair_file = world
            .get_text(
                &format!("/api/v1/pairings/{}/calendar.ics", pairing),
                Some(&alice),
            )
            .await
            .2;
        let (_, feed) = world
            .get("/api/v1/me/calendar-feed", Some(&dan_token))
            .await;
        let url = feed["url"].as_str().unwrap();
        let feed_file = world
            .get_text(&url[url.find("/api/v1/").unwrap()..], None)
            .await
            .2;
        for ics in [pair_file, feed_file] {
            let found = occurrences(&ics);
            assert_eq!(found.len(), meetings.len(), "one occurrence per meeting");
            for (meeting, occurrence) in meetings.iter().zip(&found) {
                let id = &meeting["id"];
                assert!(
                    occurrence["uid"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("meeting-{id}@")),
                    "{occurrence}"
                );
                assert_eq!(occurrence["start"], utc(&meeting["start"]), "meeting {id}");
                assert_eq!(occurrence["end"], utc(&meeting["end"]), "meeting {id}");
                let (status, sequence) = if id == &cancelled["id"] {
                    ("CANCELLED", 1)
                } else {
                    ("CONFIRMED", 0)
                };
                assert_eq!(occurrence["status"], status, "meeting {id}");
                assert_eq!(occurrence["sequence"], sequence, "meeting {id}");
            }
        }
    }
}
