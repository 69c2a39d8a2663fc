//! After the match over the API: the pair settles its schedule (both accept), logs how meetings
//! end, and reads its calendars; the manager sees the pair drift, never its notes.

mod common;

use axum::http::{Method, StatusCode};
use common::World;
use serde_json::{Value, json};

async fn log(world: &World, token: &str, meeting: &Value, body: Value) -> (StatusCode, Value) {
    let path = format!("/api/v1/meetings/{}/outcome", meeting["id"]);
    world.post(&path, Some(token), Some(body)).await
}

#[tokio::test]
async fn the_schedule_is_settled_when_both_accept_the_same_series() {
    for world in World::each().await {
        let dan = world.enrolled_mentee("dan@x.org", "Dan D", 16).await;
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let run = world.finished_run().await;
        let pairing = world.app.publish_run(&manager, run).await.unwrap()[0].id.0;
        let (alice, dan_token) = (world.token(&world.alice).await, world.token(&dan).await);
        let accept = format!("/api/v1/pairings/{pairing}/schedule/accept");
        let (status, body) = world.post(&accept, Some(&alice), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "not active yet: {body}");
        assert!(body["error"].as_str().unwrap().contains("active"), "{body}");

        for action in ["accept", "confirm"] {
            for token in [&alice, &dan_token] {
                let path = format!("/api/v1/pairings/{pairing}/{action}");
                assert_eq!(world.post(&path, Some(token), None).await.0, StatusCode::OK);
            }
        }
        let (status, first) = world.post(&accept, Some(&alice), None).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(first["accepted_by"], json!(["mentor"]));
        assert_eq!(first["settled"], false);
        let meetings = format!("/api/v1/pairings/{pairing}/meetings");
        let (_, none_yet) = world.get(&meetings, Some(&alice)).await;
        assert_eq!(none_yet, json!([]), "no meeting exists until both accept");
        let proposal = format!("/api/v1/pairings/{pairing}/schedule/proposal");
        let (_, seen_by_dan) = world.get(&proposal, Some(&dan_token)).await;
        assert_eq!(seen_by_dan["accepted_by"], json!(["mentor"]));

        let (status, settled) = world.post(&accept, Some(&dan_token), None).await;
        assert_eq!(status, StatusCode::OK, "{settled}");
        assert_eq!(settled["settled"], true);
        assert_eq!(settled["accepted_by"], json!(["mentor", "mentee"]));
        let (_, listed) = world.get(&meetings, Some(&dan_token)).await;
        let listed = listed.as_array().unwrap();
        // The series both saw, as the meetings they now have.
        assert_eq!(
            listed.len(),
            seen_by_dan["meetings"].as_array().unwrap().len()
        );
        assert_eq!(listed[0]["start"], seen_by_dan["meetings"][0]["start"]);
        assert!(listed.iter().all(|m| m["status"] == "scheduled"));
        for person in ["alice@x.org", "dan@x.org"] {
            assert!(world.mail_count(person).await >= 1);
        }
        // Accepting again changes nothing.
        let (status, again) = world.post(&accept, Some(&alice), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["meetings"], settled["meetings"]);
        let (_, still) = world.get(&meetings, Some(&alice)).await;
        assert_eq!(still.as_array().unwrap().len(), listed.len());
    }
}

#[tokio::test]
async fn both_accepting_at_once_makes_the_meetings_exactly_once() {
    for world in World::each().await {
        let (dan, pairing) = world.active_pair().await;
        let (alice, dan_token) = (world.token(&world.alice).await, world.token(&dan).await);
        let accept = format!("/api/v1/pairings/{pairing}/schedule/accept");
        let (a, b) = tokio::join!(
            world.post(&accept, Some(&alice), None),
            world.post(&accept, Some(&dan_token), None)
        );
        assert_eq!((a.0, b.0), (StatusCode::OK, StatusCode::OK));
        let series = &a.1["meetings"];
        assert_eq!(&b.1["meetings"], series, "both accepted the same series");
        assert!(a.1["settled"] == true || b.1["settled"] == true);
        let (_, listed) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        assert_eq!(json!(listed.as_array().unwrap().len()), *series);
    }
}

#[tokio::test]
async fn meetings_are_logged_by_the_pair_with_clear_refusals() {
    for world in World::each().await {
        let (alice, dan_token, pairing) = world.settled_pair().await;
        let (_, meetings) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        let first = &meetings[0];

        // The programme starts in January 2027: nothing can have been held yet.
        let (status, body) = log(
            &world,
            &alice,
            first,
            json!({"status": "held", "minutes": 60}),
        )
        .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("before it starts"),
            "{body}"
        );
        let (status, body) = log(&world, &alice, first, json!({"status": "cancelled"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("cancelled_by"), "{body}");
        let (status, _) = log(&world, &alice, first, json!({"status": "postponed"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let long = "x".repeat(8001);
        let (status, body) = log(
            &world,
            &alice,
            first,
            json!({"status": "cancelled", "cancelled_by": "mentor", "notes": long}),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("notes"), "{body}");

        // A cancellation ahead is fine, and calendars are told (a new SEQUENCE).
        let (status, cancelled) = log(
            &world,
            &dan_token,
            first,
            json!({"status": "cancelled", "cancelled_by": "mentee", "notes": "Board meeting moved", "rescheduled": true}),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{cancelled}");
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(cancelled["cancelled_by"], "mentee");
        assert_eq!(cancelled["sequence"], 1);
        assert_eq!(cancelled["notes"], "Board meeting moved");
        // The partner reads it; another pair and the manager cannot even find the meeting.
        let (_, seen_by_alice) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        assert_eq!(seen_by_alice[0]["notes"], "Board meeting moved");
        for outsider in [&world.bob, &world.manager, &world.admin] {
            let token = world.token(outsider).await;
            let (status, _) = log(&world, &token, first, json!({"status": "missed"})).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{}", outsider.email);
        }
        let (status, _) = world
            .post(
                "/api/v1/meetings/999999/outcome",
                Some(&alice),
                Some(json!({"status": "missed"})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn a_meeting_held_outside_the_series_is_recorded_once_it_has_started() {
    for world in World::each().await {
        let (dan, pairing) = world.active_pair().await;
        let dan = world.token(&dan).await;
        let path = format!("/api/v1/pairings/{pairing}/meetings");
        let now = jiff::Timestamp::now();
        let (status, recorded) = world
            .post(
                &path,
                Some(&dan),
                Some(
                    json!({"start": now.to_string(), "minutes": 45, "channel": "in_person",
                    "topics": ["AI at work"], "notes": "exploratory: went well"}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{recorded}");
        assert_eq!(recorded["status"], "held");
        assert_eq!(recorded["minutes"], 45);
        assert_eq!(recorded["channel"], "in_person");
        assert_eq!(recorded["topics"], json!(["AI at work"]));
        let later = now
            .checked_add(jiff::SignedDuration::from_hours(2))
            .unwrap();
        let (status, body) = world
            .post(
                &path,
                Some(&dan),
                Some(json!({"start": later.to_string(), "minutes": 30})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, body) = world
            .post(
                &path,
                Some(&dan),
                Some(json!({"start": "2020-01-01T10:00", "minutes": 30})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body.to_string().contains("before the pairing was made"),
            "{body}"
        );
        let (status, body) = world
            .post(
                &path,
                Some(&dan),
                Some(json!({"start": "next Tuesday", "minutes": 30})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let bob = world.token(&world.bob).await;
        let (status, _) = world
            .post(
                &path,
                Some(&bob),
                Some(json!({"start": now.to_string(), "minutes": 30})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another pair's");
        // A held meeting keeps the pair healthy: the manager sees no reason to worry.
        let manager = world.token(&world.manager).await;
        let list = format!("/api/v1/programmes/{}/pairings", world.programme.0);
        let (_, listed) = world.get(&list, Some(&manager)).await;
        assert_eq!(listed[0]["engagement"]["status"], "healthy");
        assert!(!listed.to_string().contains("exploratory: went well"));
    }
}

#[tokio::test]
async fn a_mentee_who_keeps_cancelling_is_flagged_to_the_manager_at_once() {
    for world in World::each().await {
        let (_, dan_token, pairing) = world.settled_pair().await;
        let manager = world.token(&world.manager).await;
        let list = format!("/api/v1/programmes/{}/pairings", world.programme.0);
        let (_, before) = world.get(&list, Some(&manager)).await;
        assert_eq!(
            before[0]["engagement"],
            json!({"status": "healthy", "reasons": []})
        );

        let (_, meetings) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&dan_token),
            )
            .await;
        for meeting in &meetings.as_array().unwrap()[..3] {
            let (status, _) = log(
                &world,
                &dan_token,
                meeting,
                json!({"status": "cancelled", "cancelled_by": "mentee", "notes": "too busy"}),
            )
            .await;
            assert_eq!(status, StatusCode::OK);
        }
        let (_, after) = world.get(&list, Some(&manager)).await;
        assert_eq!(
            after[0]["engagement"],
            json!({"status": "stalled", "reasons": ["the mentee cancelled 3 of the last 3"]})
        );
        assert!(
            !after.to_string().contains("too busy"),
            "notes stay with the pair"
        );
        let page = world.browser(&world.manager).await;
        let programme = page
            .get(&format!("/programmes/{}", world.programme.0))
            .await;
        assert!(programme.body.contains("Pairs that need attention"));
        assert!(
            programme
                .body
                .contains("the mentee cancelled 3 of the last 3")
        );
        assert!(!programme.body.contains("too busy"));
    }
}

#[tokio::test]
async fn the_pair_downloads_its_calendar_and_subscribes_to_a_revocable_feed() {
    for world in World::each().await {
        let (alice, dan_token, pairing) = world.settled_pair().await;
        let (_, meetings) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        let count = meetings.as_array().unwrap().len();
        log(
            &world,
            &alice,
            &meetings[1],
            json!({"status": "cancelled", "cancelled_by": "mentor", "notes": "private words"}),
        )
        .await;

        let path = format!("/api/v1/pairings/{pairing}/calendar.ics");
        let (status, content_type, ics) = world.get_text(&path, Some(&alice)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/calendar"), "{content_type}");
        assert_eq!(ics.matches("BEGIN:VEVENT").count(), count);
        assert_eq!(ics.matches("STATUS:CANCELLED").count(), 1);
        assert_eq!(ics.matches("SEQUENCE:1").count(), 1);
        assert!(
            ics.contains("SUMMARY:Reverse mentoring with Dan D"),
            "{ics}"
        );
        assert!(
            !ics.contains("private words"),
            "notes never go into a calendar"
        );
        let bob = world.token(&world.bob).await;
        assert_eq!(
            world.get_text(&path, Some(&bob)).await.0,
            StatusCode::NOT_FOUND
        );

        let (status, feed) = world
            .get("/api/v1/me/calendar-feed", Some(&dan_token))
            .await;
        assert_eq!(status, StatusCode::OK);
        let url = feed["url"].as_str().unwrap();
        let (_, same) = world
            .get("/api/v1/me/calendar-feed", Some(&dan_token))
            .await;
        assert_eq!(same["url"], url, "the address stays until revoked");
        let feed_path = &url[url.find("/api/v1/").unwrap()..];
        let (status, content_type, subscribed) = world.get_text(feed_path, None).await;
        assert_eq!(status, StatusCode::OK, "a calendar app needs no token");
        assert!(content_type.starts_with("text/calendar"));
        assert_eq!(subscribed.matches("BEGIN:VEVENT").count(), count);
        assert!(
            subscribed.contains("SUMMARY:Reverse mentoring with Alice"),
            "Dan's view"
        );

        let (status, _) = world
            .api(
                Method::DELETE,
                "/api/v1/me/calendar-feed",
                Some(&dan_token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(
            world.get_text(feed_path, None).await.0,
            StatusCode::NOT_FOUND
        );
        let (_, renewed) = world
            .get("/api/v1/me/calendar-feed", Some(&dan_token))
            .await;
        assert_ne!(renewed["url"], url);
    }
}

#[tokio::test]
async fn erasing_a_member_takes_the_pair_s_notes_goals_and_feed_with_them() {
    for world in World::each().await {
        let (alice, dan_token, pairing) = world.settled_pair().await;
        let meetings = format!("/api/v1/pairings/{pairing}/meetings");
        let (_, listed) = world.get(&meetings, Some(&alice)).await;
        let body =
            json!({"status": "cancelled", "cancelled_by": "mentee", "notes": "Dan's reasons"});
        log(&world, &dan_token, &listed[0], body).await;
        let (_, feed) = world
            .get("/api/v1/me/calendar-feed", Some(&dan_token))
            .await;
        let url = feed["url"].as_str().unwrap().to_owned();
        let feed_path = &url[url.find("/api/v1/").unwrap()..];
        let goals = format!("/api/v1/pairings/{pairing}/goals");
        let goal = json!({"what": "Dan's own goal", "why": "Dan's reasons", "outcome": "achieved"});
        world.post(&goals, Some(&dan_token), Some(goal)).await;

        let admin = world.token(&world.admin).await;
        let (status, _) = world
            .post(
                "/api/v1/people/erase",
                Some(&admin),
                Some(json!({"email": "dan@x.org"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, after) = world.get(&meetings, Some(&alice)).await;
        assert_eq!(after[0]["status"], "cancelled", "what happened stays");
        assert_eq!(after[0]["notes"], "", "what was written goes");
        let (_, goals_after) = world.get(&goals, Some(&alice)).await;
        assert_eq!(goals_after[0]["what"], "Erased");
        assert_eq!(goals_after[0]["why"], "");
        assert_eq!(
            goals_after[0]["outcome"], "achieved",
            "how it turned out stays"
        );
        assert_eq!(
            world.get_text(feed_path, None).await.0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_upkeep_reminds_the_day_before_nudges_a_drifting_pair_once_and_sends_a_weekly_digest() {
    use upward_app::mail::LogMailer;
    for world in World::each().await {
        let (alice, dan_token, pairing) = world.settled_pair().await;
        let (_, meetings) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        let sent = async |subject: &str| {
            let outbox = world.app.store.outbox(500).await.unwrap();
            let mut to: Vec<String> = outbox
                .iter()
                .filter(|m| m.mail.subject.starts_with(subject))
                .map(|m| m.mail.recipient.clone())
                .collect();
            to.sort();
            to
        };

        // Dan cancels three meetings: at the next daily check both are nudged, once, and the
        // manager gets the week's digest naming the pair and why.
        for meeting in &meetings.as_array().unwrap()[1..4] {
            let body = json!({"status": "cancelled", "cancelled_by": "mentee", "notes": "Note-only-for-us"});
            log(&world, &dan_token, meeting, body).await;
        }
        let now = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(25);
        let round = world.app.upkeep(&LogMailer, now).await.unwrap();
        assert_eq!(
            (round.follow_up.pairs_nudged, round.follow_up.digests),
            (1, 1)
        );
        assert_eq!(
            sent("Keeping your mentoring").await,
            ["alice@x.org", "dan@x.org"]
        );
        let outbox = world.app.store.outbox(500).await.unwrap();
        let digest = outbox
            .iter()
            .find(|m| m.mail.subject.starts_with("Weekly"))
            .unwrap();
        assert_eq!(digest.mail.recipient, "manager@x.org");
        assert!(
            digest
                .mail
                .body
                .contains("stalled, because the mentee cancelled 3 of the last 3"),
            "{}",
            digest.mail.body
        );
        assert!(
            outbox
                .iter()
                .all(|m| !m.mail.body.contains("Note-only-for-us")),
            "notes stay with the pair"
        );
        let next_day = now + jiff::SignedDuration::from_hours(25);
        let round = world.app.upkeep(&LogMailer, next_day).await.unwrap();
        assert_eq!(
            (round.follow_up.pairs_nudged, round.follow_up.digests),
            (0, 0),
            "told once; the digest is weekly"
        );

        // Twelve hours before the first meeting (in January): both are reminded, once.
        let first: jiff::Timestamp = meetings[0]["start"].as_str().unwrap().parse().unwrap();
        let before = first - jiff::SignedDuration::from_hours(12);
        let round = world.app.upkeep(&LogMailer, before).await.unwrap();
        assert_eq!(round.follow_up.meetings_reminded, 1);
        assert_eq!(
            round.follow_up.pairs_nudged, 0,
            "still stalled: nothing new to tell"
        );
        assert_eq!(sent("Tomorrow").await, ["alice@x.org", "dan@x.org"]);
        let outbox = world.app.store.outbox(500).await.unwrap();
        let to_dan = outbox
            .iter()
            .find(|m| m.mail.subject.starts_with("Tomorrow") && m.mail.recipient == "dan@x.org")
            .unwrap();
        assert!(
            to_dan.mail.body.contains("(Europe/Paris)"),
            "{}",
            to_dan.mail.body
        );
        let again = world.app.upkeep(&LogMailer, before).await.unwrap();
        assert_eq!(again.follow_up.meetings_reminded, 0, "once");
    }
}

#[tokio::test]
async fn a_scheduled_meeting_moves_ahead_and_in_person_ones_suggest_the_programme_s_places() {
    for world in World::each().await {
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let mut draft = world
            .app
            .programme(&world.manager, world.programme)
            .await
            .unwrap()
            .programme
            .draft;
        draft.meeting_places = vec!["The Atrium café".into(), "Level 3 open space".into()];
        world
            .app
            .update_programme(&manager, world.programme, &draft)
            .await
            .unwrap();
        let (alice, dan_token, pairing) = world.settled_pair().await;
        let (_, meetings) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        let meetings = meetings.as_array().unwrap();
        let places: Vec<&serde_json::Value> = meetings
            .iter()
            .filter(|m| m["channel"] == "in_person")
            .map(|m| &m["place"])
            .take(3)
            .collect();
        assert_eq!(
            places,
            [
                &json!("The Atrium café"),
                &json!("Level 3 open space"),
                &json!("The Atrium café")
            ]
        );
        assert!(
            meetings
                .iter()
                .filter(|m| m["channel"] == "virtual")
                .all(|m| m["place"].is_null())
        );

        let path = format!("/api/v1/meetings/{}/move", meetings[1]["id"]);
        let (status, moved) = world
            .post(
                &path,
                Some(&dan_token),
                Some(json!({"start": "2027-01-20T18:30"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        // Dan's time is Paris: 18:30 there, kept one hour long, and calendars told.
        assert_eq!(moved["start"], "2027-01-20T18:30:00+01:00");
        assert_eq!(moved["end"], "2027-01-20T19:30:00+01:00");
        assert_eq!(moved["sequence"], 1);
        let (_, _, ics) = world
            .get_text(
                &format!("/api/v1/pairings/{pairing}/calendar.ics"),
                Some(&alice),
            )
            .await;
        assert!(ics.contains("DTSTART:20270120T173000Z"), "{ics}");
        assert!(ics.contains("LOCATION:In person: The Atrium café"), "{ics}");
        let (status, body) = world
            .post(
                &path,
                Some(&dan_token),
                Some(json!({"start": "2020-01-01T10:00"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let cancel = json!({"status": "cancelled", "cancelled_by": "mentee"});
        log(&world, &dan_token, &meetings[1], cancel).await;
        let (status, body) = world
            .post(
                &path,
                Some(&dan_token),
                Some(json!({"start": "2027-01-21T18:30"})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
    }
}

#[tokio::test]
async fn before_it_is_settled_either_may_skip_or_move_one_meeting_and_the_other_accepts_again() {
    for world in World::each().await {
        let (dan, pairing) = world.active_pair().await;
        let (alice, dan) = (world.token(&world.alice).await, world.token(&dan).await);
        let proposal = format!("/api/v1/pairings/{pairing}/schedule/proposal");
        let change = format!("/api/v1/pairings/{pairing}/schedule/change");
        let accept = format!("/api/v1/pairings/{pairing}/schedule/accept");
        let (_, before) = world.get(&proposal, Some(&alice)).await;
        let count = before["meetings"].as_array().unwrap().len();
        world.post(&accept, Some(&alice), None).await;

        let (status, skipped) = world
            .post(
                &change,
                Some(&dan),
                Some(json!({"meeting": 1, "skip": true})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{skipped}");
        assert_eq!(skipped["meetings"].as_array().unwrap().len(), count - 1);
        assert_eq!(skipped["meetings"][1], before["meetings"][2]);
        assert_eq!(
            skipped["accepted_by"],
            json!(["mentee"]),
            "Alice must accept again"
        );

        let (status, moved) = world
            .post(
                &change,
                Some(&dan),
                Some(json!({"meeting": 0, "start": "2027-01-05T12:00"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        assert_eq!(moved["meetings"][0]["start"], "2027-01-05T12:00:00+01:00");
        assert_eq!(moved["meetings"][0]["moved"], true);
        for wrong in [
            json!({"meeting": 99, "skip": true}),
            json!({"meeting": 0, "start": "2020-01-01T10:00"}),
            json!({"meeting": 0, "skip": true, "start": "2027-02-01T10:00"}),
            json!({"meeting": 0}),
        ] {
            let (status, body) = world.post(&change, Some(&dan), Some(wrong.clone())).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}: {body}");
        }

        let (_, settled) = world.post(&accept, Some(&alice), None).await;
        assert_eq!(settled["settled"], true);
        let (_, meetings) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/meetings"),
                Some(&alice),
            )
            .await;
        assert_eq!(meetings.as_array().unwrap().len(), count - 1);
        assert_eq!(meetings[0]["start"], "2027-01-05T12:00:00+01:00");
        let (status, body) = world
            .post(
                &change,
                Some(&dan),
                Some(json!({"meeting": 0, "skip": true})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("settled"),
            "{body}"
        );
    }
}
