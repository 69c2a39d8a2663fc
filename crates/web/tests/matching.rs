//! Matching over the API: a run in the background with visible progress, its review and
//! publication by a manager, and each participant's private answers; route by route, nobody
//! reaches a run or a pairing that is not theirs to see.

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::World;
use serde_json::{Value, json};
use upward_domain::*;

/// The common world plus Dan, a senior who enrols as a mentee Alice can meet.
async fn with_mentee(world: &World) -> User {
    world.enrolled_mentee("dan@x.org", "Dan D", 16).await
}

async fn finished_run(world: &World, token: &str, run: i64) -> Value {
    for _ in 0..500 {
        let (status, body) = world.get(&format!("/api/v1/runs/{run}"), Some(token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        match body["run"]["status"].as_str() {
            Some("queued" | "running") => tokio::time::sleep(Duration::from_millis(20)).await,
            _ => return body,
        }
    }
    panic!("the run did not finish in 10 s");
}

#[tokio::test]
async fn a_manager_runs_reviews_and_publishes_and_each_person_answers_privately() {
    for world in World::each().await {
        let dan = with_mentee(&world).await;
        let p = world.programme.0;
        let manager = world.token(&world.manager).await;
        let (alice, bob, dan) = (
            world.token(&world.alice).await,
            world.token(&world.bob).await,
            world.token(&dan).await,
        );

        // Not while enrolling; then in the background, with progress to poll.
        let (status, body) = world
            .post(
                &format!("/api/v1/programmes/{p}/runs"),
                Some(&manager),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let (status, _) = world
            .post(
                &format!("/api/v1/programmes/{p}/phase"),
                Some(&manager),
                Some(json!({"to": "matching"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (status, run) = world
            .post(
                &format!("/api/v1/programmes/{p}/runs"),
                Some(&manager),
                Some(json!({})),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{run}");
        let id = run["id"].as_i64().unwrap();
        let view = finished_run(&world, &manager, id).await;
        assert_eq!(view["run"]["status"], "done", "{view}");
        assert_eq!(view["run"]["progress"], 1.0);
        assert_eq!(view["pairs"][0]["mentor_name"], "Alice A");
        assert_eq!(view["pairs"][0]["mentee_name"], "Dan D");
        assert_eq!(
            view["pairs"][0]["explanation"]["criteria"]
                .as_array()
                .unwrap()
                .len(),
            6
        );
        let (status, runs) = world
            .get(&format!("/api/v1/programmes/{p}/runs"), Some(&manager))
            .await;
        assert_eq!(
            (status, runs.as_array().unwrap().len()),
            (StatusCode::OK, 1)
        );

        // Participants reach none of the manager's matching routes.
        for (method, path, body) in [
            (
                Method::POST,
                format!("/api/v1/programmes/{p}/runs"),
                Some(json!({})),
            ),
            (Method::GET, format!("/api/v1/programmes/{p}/runs"), None),
            (Method::GET, format!("/api/v1/runs/{id}"), None),
            (Method::POST, format!("/api/v1/runs/{id}/publish"), None),
            (
                Method::POST,
                format!("/api/v1/runs/{id}/pairs"),
                Some(json!({"mentor": 1, "mentee": 2})),
            ),
            (
                Method::GET,
                format!("/api/v1/programmes/{p}/pairings"),
                None,
            ),
            (
                Method::PUT,
                format!("/api/v1/programmes/{p}/pair-rules"),
                Some(json!({"mentor": 1, "mentee": 2, "rule": "pin"})),
            ),
        ] {
            let (status, _) = world.api(method.clone(), &path, Some(&alice), body).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        }

        let (status, published) = world
            .post(&format!("/api/v1/runs/{id}/publish"), Some(&manager), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{published}");
        let pairing = published[0]["id"].as_i64().unwrap();
        let (status, _) = world
            .post(&format!("/api/v1/runs/{id}/publish"), Some(&manager), None)
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "published once");

        // Alice sees her proposal and why; Bob sees nothing of it.
        let (_, mine) = world.get("/api/v1/me/pairings", Some(&alice)).await;
        assert_eq!(mine[0]["partner_name"], "Dan D");
        assert_eq!(mine[0]["actions"], json!(["accept", "decline"]));
        let (_, none) = world.get("/api/v1/me/pairings", Some(&bob)).await;
        assert_eq!(none, json!([]));
        for (method, path) in [
            (Method::GET, format!("/api/v1/pairings/{pairing}")),
            (Method::POST, format!("/api/v1/pairings/{pairing}/accept")),
            (Method::POST, format!("/api/v1/pairings/{pairing}/decline")),
        ] {
            let (status, _) = world.api(method.clone(), &path, Some(&bob), None).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        }

        let accept = format!("/api/v1/pairings/{pairing}/accept");
        let (status, body) = world.post(&accept, Some(&alice), None).await;
        assert_eq!(
            (status, &body["my_answer"]),
            (StatusCode::OK, &json!("yes"))
        );
        let (status, body) = world.post(&accept, Some(&alice), None).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(body["error"], "The mentor has already accepted");
        let (status, _) = world
            .post(
                &format!("/api/v1/pairings/{pairing}/fly"),
                Some(&alice),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        let (status, _) = world
            .post(
                &format!("/api/v1/pairings/{pairing}/decline"),
                Some(&dan),
                Some(json!({"reason": "DAN-PRIVATE-REASON"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, seen) = world
            .get(&format!("/api/v1/pairings/{pairing}"), Some(&alice))
            .await;
        assert_eq!(seen["state"], "declined");
        assert!(!seen.to_string().contains("DAN-PRIVATE-REASON"));
        assert!(!seen.to_string().contains("dan@x.org"));
        let (_, all) = world
            .get(&format!("/api/v1/programmes/{p}/pairings"), Some(&manager))
            .await;
        assert_eq!(all[0]["reason"], "DAN-PRIVATE-REASON");
        assert_eq!(all[0]["state"]["by"], "mentee");
    }
}

#[tokio::test]
async fn the_pages_take_a_manager_from_a_run_to_published_pairings_and_a_participant_to_an_answer()
{
    for world in World::each().await {
        let dan_user = with_mentee(&world).await;
        let p = world.programme.0;
        let manager = world.browser(&world.manager).await;
        let programme_page = manager.get(&format!("/programmes/{p}")).await;
        assert!(
            programme_page
                .body
                .contains("Move the programme to its matching phase")
        );
        manager
            .post(&format!("/programmes/{p}/phase"), &[("to", "matching")])
            .await;
        let programme_page = manager.get(&format!("/programmes/{p}")).await;
        assert!(programme_page.body.contains(">Run matching</button>"));

        let started = manager
            .post(
                &format!("/programmes/{p}/runs"),
                &[("weight_expertise", "5")],
            )
            .await;
        assert_eq!(started.status, StatusCode::SEE_OTHER);
        let run_path = started.location.unwrap();
        let mut run_page = manager.get(&run_path).await;
        for _ in 0..500 {
            if !run_page.body.contains("http-equiv=\"refresh\"") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            run_page = manager.get(&run_path).await;
        }
        assert!(
            run_page.body.contains("Publish 1 pair"),
            "{}",
            run_page.body
        );
        assert!(run_page.body.contains("Alice A") && run_page.body.contains("Dan D"));
        assert!(run_page.body.contains("Expertise ↔ interests"));
        assert!(
            run_page.body.contains("value=\"5\""),
            "the run's own weights are shown"
        );
        // The programme page lists the run with who started it, an address that may wrap.
        let programme_page = manager.get(&format!("/programmes/{p}")).await;
        assert!(programme_page.body.contains("manager@<wbr>x.org"));

        // By hand: the same pair, now marked as made by hand; a mentor as mentee is refused.
        let alice_enrolment = world.alice_enrolment.0.to_string();
        let dan_enrolment = world
            .app
            .my_enrolment(&dan_user, world.programme)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
            .to_string();
        let by_hand = manager
            .post(
                &format!("{run_path}/pairs"),
                &[
                    ("mentor", alice_enrolment.as_str()),
                    ("mentee", dan_enrolment.as_str()),
                ],
            )
            .await;
        assert_eq!(by_hand.location, Some(format!("{run_path}?done=paired")));
        assert!(manager.get(&run_path).await.body.contains("by hand"));
        let wrong = manager
            .post(
                &format!("{run_path}/pairs"),
                &[
                    ("mentor", dan_enrolment.as_str()),
                    ("mentee", alice_enrolment.as_str()),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong
                .body
                .contains("choose a mentor enrolled in this programme")
        );

        // Participants cannot reach the run or publish it.
        let alice = world.browser(&world.alice).await;
        assert_eq!(alice.get(&run_path).await.status, StatusCode::FORBIDDEN);
        let publish = format!("{run_path}/publish");
        assert_eq!(
            alice.post(&publish, &[]).await.status,
            StatusCode::FORBIDDEN
        );

        // Publishing mails everyone in the run: the first press asks, naming how many.
        let asked = manager.post(&publish, &[]).await;
        assert_eq!(asked.status, StatusCode::OK);
        assert!(
            asked.body.contains("Publish 1 pair?")
                && asked.body.contains("Publish and mail 2 people")
        );
        assert!(
            world
                .app
                .my_pairings(&world.alice)
                .await
                .unwrap()
                .is_empty(),
            "nothing published yet"
        );
        let published = manager.post(&publish, &[("confirm", "yes")]).await;
        assert_eq!(
            published.location.as_deref(),
            Some(format!("/programmes/{p}/pairings?done=published").as_str())
        );
        let pairings_page = manager.get(&format!("/programmes/{p}/pairings")).await;
        // The address may wrap after its @ in the table.
        assert!(pairings_page.body.contains("dan@<wbr>x.org"));

        // Alice answers from her home page; Bob cannot act on her pairing.
        let home = alice.get("/").await;
        assert!(home.body.contains("Your matches") && home.body.contains("Dan D"));
        let pairing = world.app.my_pairings(&world.alice).await.unwrap()[0].id.0;
        assert!(
            home.body
                .contains(&format!("action=\"/pairings/{pairing}/accept\""))
        );
        let bob = world.browser(&world.bob).await;
        let refused = bob.post(&format!("/pairings/{pairing}/accept"), &[]).await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND);
        let accepted = alice
            .post(&format!("/pairings/{pairing}/accept"), &[])
            .await;
        assert_eq!(
            accepted.location,
            Some(format!("/?done=accept#pairing-{pairing}"))
        );
        let home = alice.get(accepted.location.as_deref().unwrap()).await;
        assert!(home.body.contains("You accepted."));
        let again = alice
            .post(&format!("/pairings/{pairing}/accept"), &[])
            .await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        assert!(again.body.contains("already accepted"));
        let dan = world.browser(&dan_user).await;
        let home = dan.get("/").await;
        assert!(home.body.contains("Proposed: please accept or decline"));
        // Dan reads what Alice wrote for her future partner, and why they were matched in words.
        assert!(
            home.body.contains("ALICE-SECRET-STATEMENT"),
            "the partner's statement is shown"
        );
        assert!(
            home.body.contains(
                "You both care about tiktok; Alice A can offer tiktok at level 5 (of 5)."
            )
        );
        assert!(
            home.body.contains(
                "What the mentor offers is close to what the mentee most wants to learn."
            )
        );
        assert!(
            !home.body.contains("ou accepted"),
            "Alice's answer stays private"
        );
    }
}

#[tokio::test]
async fn simultaneous_http_accepts_from_both_sides_land_once_each() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;
    for world in World::each().await {
        let dan = with_mentee(&world).await;
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let run = world.finished_run().await;
        let pairing = world.app.publish_run(&manager, run).await.unwrap()[0].id.0;
        let tokens = [world.token(&world.alice).await, world.token(&dan).await];
        // Sixteen requests in flight at once, eight from each side.
        let requests: Vec<_> = (0..16)
            .map(|k| {
                let router = world.router.clone();
                let request = Request::post(format!("/api/v1/pairings/{pairing}/accept"))
                    .header(header::AUTHORIZATION, format!("Bearer {}", tokens[k % 2]))
                    .body(Body::empty())
                    .unwrap();
                tokio::spawn(async move { router.oneshot(request).await.unwrap().status() })
            })
            .collect();
        let mut statuses = Vec::new();
        for request in requests {
            statuses.push(request.await.unwrap());
        }
        let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        let conflicts = statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count();
        assert_eq!(
            (ok, conflicts),
            (2, 14),
            "{statuses:?} on {}",
            world.db.label()
        );
        let view = world
            .app
            .my_pairing(&dan, PairingId(pairing))
            .await
            .unwrap();
        assert_eq!(view.state, "exploring");
    }
}

#[tokio::test]
async fn bad_matching_input_is_refused_with_a_reason_and_changes_nothing() {
    for world in World::each().await {
        let dan = with_mentee(&world).await;
        let p = world.programme.0;
        let manager = world.browser(&world.manager).await;
        manager
            .post(&format!("/programmes/{p}/phase"), &[("to", "matching")])
            .await;
        let runs = |world: &World| {
            let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
            let app = world.app.clone();
            let programme = world.programme;
            async move { app.programme_runs(&manager, programme).await.unwrap().len() }
        };
        for (weight, problem) in [
            ("heavy", "the expertise weight must be a number"),
            ("11", "the expertise weight must be between 0 and 10"),
        ] {
            let refused = manager
                .post(
                    &format!("/programmes/{p}/runs"),
                    &[("weight_expertise", weight)],
                )
                .await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{weight}");
            assert!(refused.body.contains(problem), "{weight}: {}", refused.body);
        }
        assert_eq!(runs(&world).await, 0, "no run was queued");

        let mentee = world
            .app
            .my_enrolment(&dan, world.programme)
            .await
            .unwrap()
            .unwrap()
            .id
            .0
            .to_string();
        let mentor = world.alice_enrolment.0.to_string();
        let rules = format!("/programmes/{p}/pair-rules");
        let refused = manager
            .post(
                &rules,
                &[("mentor", &mentor), ("mentee", &mentee), ("rule", "maybe")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.body.contains("choose pin, forbid or clear"));
        let refused = manager
            .post(
                &rules,
                &[("mentor", "x"), ("mentee", &mentee), ("rule", "pin")],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let forbidden = manager
            .post(
                &rules,
                &[("mentor", &mentor), ("mentee", &mentee), ("rule", "forbid")],
            )
            .await;
        assert_eq!(forbidden.status, StatusCode::SEE_OTHER);
        let stored = world.app.store.pair_rules(world.programme).await.unwrap();
        assert_eq!(stored.len(), 1);

        // Over the API: a body that is not JSON, and a reason too long for anyone to read.
        let manager_token = world.token(&world.manager).await;
        let (status, _) = world
            .post(
                &format!("/api/v1/programmes/{p}/runs"),
                Some(&manager_token),
                Some(
                    json!({"weights": {"expertise": -1, "diversity": 1, "level_gap": 1,
                    "personality": 1, "schedule": 1, "channel": 1}}),
                ),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let pairing = {
            // Clear the forbid so the run can pair them, then publish.
            world
                .app
                .store
                .set_pair_rule(
                    world.programme,
                    world.alice_enrolment,
                    EnrolmentId(mentee.parse().unwrap()),
                    None,
                )
                .await
                .unwrap();
            let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
            let run = world
                .app
                .start_matching(&manager, world.programme, None, false)
                .await
                .unwrap();
            world.app.execute_run(run.id, &|_, _| {}).await.unwrap();
            world.app.publish_run(&manager, run.id).await.unwrap()[0]
                .id
                .0
        };
        let alice = world.token(&world.alice).await;
        let decline = format!("/api/v1/pairings/{pairing}/decline");
        let request = axum::http::Request::post(&decline)
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {alice}"))
            .body(axum::body::Body::from("{not json"))
            .unwrap();
        let response = tower::ServiceExt::oneshot(world.router.clone(), request)
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let (status, body) = world
            .post(
                &decline,
                Some(&alice),
                Some(json!({"reason": "x".repeat(2001)})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["problems"][0]["field"], "reason");
        let (_, seen) = world
            .get(&format!("/api/v1/pairings/{pairing}"), Some(&alice))
            .await;
        assert_eq!(seen["state"], "proposed", "nothing changed");
    }
}

#[tokio::test]
async fn declining_ending_and_withdrawing_ask_first_and_keep_the_reason() {
    for world in World::each().await {
        let dan = with_mentee(&world).await;
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let run = world.finished_run().await;
        let pairing = world.app.publish_run(&manager, run).await.unwrap()[0].id.0;

        let alice = world.browser(&world.alice).await;
        let path = format!("/pairings/{pairing}/decline");
        let asked = alice.post(&path, &[("reason", "no time <b>now</b>")]).await;
        assert_eq!(asked.status, StatusCode::OK);
        assert!(asked.body.contains("Decline the pairing with Dan D?"));
        let carried = asked
            .body
            .split("name=\"reason\" value=\"")
            .nth(1)
            .unwrap_or_default();
        assert!(
            carried.starts_with("no time &#60;b&#62;now&#60;/b&#62;\"")
                || carried.starts_with("no time &lt;b&gt;now&lt;/b&gt;\""),
            "the reason is carried, escaped: {carried:.60}"
        );
        assert_eq!(
            world.app.my_pairings(&world.alice).await.unwrap()[0].state,
            "proposed",
            "nothing changed yet"
        );
        let done = alice
            .post(&path, &[("reason", "no time now"), ("confirm", "yes")])
            .await;
        assert_eq!(
            done.location,
            Some(format!("/?done=decline#pairing-{pairing}"))
        );
        let stored = world.app.store.pairing(PairingId(pairing)).await.unwrap();
        assert_eq!(stored.reason.as_deref(), Some("no time now"));

        // The manager narrows the pairings to a state and exports them with the reasons.
        let manager_browser = world.browser(&world.manager).await;
        let p = world.programme.0;
        let declined = manager_browser
            .get(&format!("/programmes/{p}/pairings?state=declined"))
            .await;
        assert!(declined.body.contains("dan@<wbr>x.org"));
        let active = manager_browser
            .get(&format!("/programmes/{p}/pairings?state=active"))
            .await;
        assert!(
            !active.body.contains("dan@<wbr>x.org")
                && active.body.contains("No pairing is in that state")
        );
        let csv = manager_browser
            .get(&format!("/programmes/{p}/pairings.csv"))
            .await;
        assert!(
            csv.body.contains("declined,mentor,") && csv.body.contains("no time now"),
            "{}",
            csv.body
        );

        // Withdrawing asks first too; Dan withdraws after his pairing ended.
        let dan_browser = world.browser(&dan).await;
        let p = world.programme.0;
        let asked = dan_browser
            .post(&format!("/programmes/{p}/withdraw"), &[])
            .await;
        assert!(asked.body.contains("Withdraw from Digital fluency?"));
        assert!(
            world
                .app
                .my_enrolment(&dan, world.programme)
                .await
                .unwrap()
                .is_some()
        );
        let done = dan_browser
            .post(&format!("/programmes/{p}/withdraw"), &[("confirm", "yes")])
            .await;
        assert_eq!(
            done.location,
            Some(format!("/programmes/{p}?done=withdrawn"))
        );
        assert!(
            dan_browser
                .get(&done.location.unwrap())
                .await
                .body
                .contains("You have withdrawn")
        );
        // His earlier answer still counts if he comes back (the pair stays excluded).
        let excluded = world
            .app
            .store
            .excluded_pairs(world.programme)
            .await
            .unwrap();
        assert_eq!(excluded.len(), 1);
    }
}

#[tokio::test]
async fn the_run_page_lists_eligible_mentors_for_the_unmatched_only_when_asked() {
    for world in World::each().await {
        with_mentee(&world).await;
        // A second senior wanting what Alice offers: with one seat, one of the two stays unmatched.
        world.enrolled_mentee("eve@x.org", "Eve E", 17).await;
        let run = world.finished_run().await;

        let manager = world.browser(&world.manager).await;
        let plain = manager.get(&format!("/runs/{}", run.0)).await;
        assert!(plain.body.contains("Pair the unmatched by hand"));
        assert!(
            !plain.body.contains("Mentor for"),
            "not worked out unless asked"
        );
        let asked = manager.get(&format!("/runs/{}?by_hand=1", run.0)).await;
        assert!(asked.body.contains("Mentor for"), "{}", asked.body);
        assert!(asked.body.contains("Alice A (alice@x.org) · score"));
    }
}
