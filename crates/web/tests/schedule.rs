//! The schedule proposal over the API: a pair's two people see the fair series in their own
//! time, with offsets that follow the clock change; nobody else sees it.

mod common;

use axum::http::StatusCode;
use common::World;
use upward_domain::{Availability, EnrolmentProfile, Phase, User};

/// Dan enrolled as a mentee, matched with Alice and published: Dan and the pairing's id.
async fn alice_paired_with_dan(world: &World) -> (User, i64) {
    let dan = world.enrolled_mentee("dan@x.org", "Dan D", 16).await;
    let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
    let run = world.finished_run().await;
    let pairing = world.app.publish_run(&manager, run).await.unwrap()[0].id.0;
    (dan, pairing)
}

#[tokio::test]
async fn the_pair_sees_a_fair_series_in_their_own_time_and_nobody_else_sees_it() {
    for world in World::each().await {
        // Alice and Dan are both in Paris, both free and preferring Monday 17:00–18:00.
        let (dan, pairing) = alice_paired_with_dan(&world).await;
        let path = format!("/api/v1/pairings/{pairing}/schedule/proposal");

        let alice = world.token(&world.alice).await;
        let (status, proposal) = world.get(&path, Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{proposal}");
        let meetings = proposal["meetings"].as_array().unwrap();
        // The programme runs from Monday 4 January to 30 September 2027: virtual every two
        // weeks, the first meeting of each month in person.
        assert_eq!(meetings[0]["start"], "2027-01-04T17:00:00+01:00");
        assert_eq!(meetings[0]["end"], "2027-01-04T18:00:00+01:00");
        assert_eq!(meetings[0]["channel"], "in_person");
        assert_eq!(meetings[1]["start"], "2027-01-18T17:00:00+01:00");
        assert_eq!(meetings[1]["channel"], "virtual");
        assert_eq!(meetings.len(), 20);
        // After the clock change on 28 March the offset follows.
        assert!(
            meetings
                .iter()
                .any(|m| m["start"] == "2027-04-12T17:00:00+02:00"),
            "{proposal}"
        );
        assert_eq!(
            meetings[0]["mentee_local"],
            "Mon 4 Jan 17:00 (Europe/Paris)"
        );
        assert_eq!(proposal["mentor_minutes_outside_preference"], 0);
        assert_eq!(proposal["rotates"], false);

        let dan = world.token(&dan).await;
        let (status, seen_by_dan) = world.get(&path, Some(&dan)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(seen_by_dan["meetings"], proposal["meetings"]);

        let bob = world.token(&world.bob).await;
        let (status, _) = world.get(&path, Some(&bob)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another pair's schedule");
        let (status, _) = world
            .get("/api/v1/pairings/999999/schedule/proposal", Some(&alice))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, body) = world
            .get("/api/v1/pairings/first/schedule/proposal", Some(&alice))
            .await;
        // As on every route with an id: an address that names no pairing, said in words.
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert!(body["error"].as_str().unwrap().contains("first"), "{body}");
    }
}

#[tokio::test]
async fn a_pair_with_no_common_time_left_is_told_what_to_do() {
    for world in World::each().await {
        let (dan, pairing) = alice_paired_with_dan(&world).await;
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        // The programme goes back to enrolment and Dan now has only Tuesday mornings, when
        // Alice (Monday 17:00–18:00) is never free.
        world
            .app
            .change_phase(&manager, world.programme, Phase::Enrolling)
            .await
            .unwrap();
        let tuesdays = EnrolmentProfile {
            availability: Availability::parse("Tue 09:00-10:00").unwrap(),
            ..common::mentee_profile()
        };
        world
            .app
            .enrol(&dan, world.programme, &tuesdays, true)
            .await
            .unwrap();
        let dan = world.token(&dan).await;
        let (status, body) = world
            .get(
                &format!("/api/v1/pairings/{pairing}/schedule/proposal"),
                Some(&dan),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains("add a slot"), "{error}");
    }
}
