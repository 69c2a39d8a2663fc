//! The agreement a pair signs and the goals it writes, over the API: versions and signatures,
//! goals kept to the pair while managers see only their figures.

mod common;

use axum::http::{Method, StatusCode};
use common::World;
use serde_json::json;

#[tokio::test]
async fn a_pair_signs_the_version_it_read_and_a_manager_s_edit_makes_a_new_one() {
    for world in World::each().await {
        let (dan, pairing) = world.active_pair().await;
        let (alice, dan) = (world.token(&world.alice).await, world.token(&dan).await);
        let manager = world.token(&world.manager).await;
        let read = format!("/api/v1/pairings/{pairing}/agreement");
        let (status, agreement) = world.get(&read, Some(&alice)).await;
        assert_eq!(status, StatusCode::OK, "{agreement}");
        assert_eq!(agreement["version"], 1);
        assert!(
            agreement["body"]
                .as_str()
                .unwrap()
                .contains("Confidentiality")
        );
        assert_eq!(agreement["signed_by_me"], false);

        let programme = format!("/api/v1/programmes/{}/agreement", world.programme.0);
        let (status, body) = world
            .api(
                Method::PUT,
                &programme,
                Some(&manager),
                Some(json!({"body": "  "})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let text = "## Ours\n\n1. We meet fortnightly.\n2. What we say stays between us.";
        let (status, edited) = world
            .api(
                Method::PUT,
                &programme,
                Some(&manager),
                Some(json!({"body": text})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["version"], 2);

        // Alice read version 1 before the edit: she is asked to read it again.
        let sign = format!("/api/v1/pairings/{pairing}/agreement/sign");
        let (status, body) = world
            .post(&sign, Some(&alice), Some(json!({"version": 1})))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("read it again"),
            "{body}"
        );
        let (status, signed) = world
            .post(&sign, Some(&alice), Some(json!({"version": 2})))
            .await;
        assert_eq!(status, StatusCode::OK, "{signed}");
        assert_eq!(
            (
                signed["signed_by_me"].clone(),
                signed["signed_by_both"].clone()
            ),
            (json!(true), json!(false))
        );
        let (_, both) = world.post(&sign, Some(&dan), Some(json!({}))).await;
        assert_eq!(both["signed_by_both"], true);
        let sides: Vec<(String, i64)> = both["signatures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["side"].as_str().unwrap().to_owned(),
                    s["version"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(sides, [("mentee".to_owned(), 2), ("mentor".to_owned(), 2)]);
        // Signing again changes nothing.
        let (status, again) = world.post(&sign, Some(&alice), Some(json!({}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["signatures"], both["signatures"]);
        let bob = world.token(&world.bob).await;
        assert_eq!(world.get(&read, Some(&bob)).await.0, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_agreement_is_signed_once_the_pairing_is_active() {
    for world in World::each().await {
        world.enrolled_mentee("dan@x.org", "Dan D", 16).await;
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let run = world.finished_run().await;
        let pairing = world.app.publish_run(&manager, run).await.unwrap()[0].id.0;
        let alice = world.token(&world.alice).await;
        let sign = format!("/api/v1/pairings/{pairing}/agreement/sign");
        let (status, body) = world.post(&sign, Some(&alice), Some(json!({}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
    }
}

#[tokio::test]
async fn goals_are_the_pair_s_and_managers_see_only_their_figures() {
    for world in World::each().await {
        let (dan, pairing) = world.active_pair().await;
        let (alice, dan) = (world.token(&world.alice).await, world.token(&dan).await);
        let goals = format!("/api/v1/pairings/{pairing}/goals");
        let (status, body) = world
            .post(&goals, Some(&dan), Some(json!({"why": "no what"})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (status, body) = world
            .post(
                &goals,
                Some(&dan),
                Some(json!({"what": "Use AI for board papers", "by_when": "next year"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("by_when"), "{body}");
        let (status, first) = world
            .post(
                &goals,
                Some(&dan),
                Some(json!({"what": "Use AI for board papers", "why": "Half my week is writing", "by_when": "2027-06-30"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{first}");
        assert_eq!(first["progress"], 0);
        assert_eq!(first["outcome"], json!(null));
        let (_, second) = world
            .post(
                &goals,
                Some(&alice),
                Some(json!({"what": "Give candid feedback upward"})),
            )
            .await;
        let (_, listed) = world.get(&goals, Some(&alice)).await;
        assert_eq!(listed.as_array().unwrap().len(), 2);

        let path = |goal: &serde_json::Value| format!("/api/v1/goals/{}", goal["id"]);
        let (status, updated) = world
            .api(
                Method::PATCH,
                &path(&first),
                Some(&alice),
                Some(json!({"progress": 60})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{updated}");
        assert_eq!(
            (updated["progress"].clone(), updated["what"].clone()),
            (json!(60), first["what"].clone())
        );
        let (status, _) = world
            .api(
                Method::PATCH,
                &path(&first),
                Some(&alice),
                Some(json!({"progress": 101})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (_, closed) = world
            .api(
                Method::PATCH,
                &path(&second),
                Some(&dan),
                Some(json!({"outcome": "achieved"})),
            )
            .await;
        assert_eq!(closed["outcome"], "achieved");

        let manager = world.token(&world.manager).await;
        let figures = format!("/api/v1/programmes/{}/goals", world.programme.0);
        let (status, counted) = world.get(&figures, Some(&manager)).await;
        assert_eq!(status, StatusCode::OK, "{counted}");
        assert_eq!(
            counted,
            json!({"pairings_with_goals": 1, "goals": 2, "achieved": 1, "partly_achieved": 0,
                   "not_achieved": 0, "open": 1, "mean_progress": 60.0})
        );
        assert_eq!(
            world.get(&goals, Some(&manager)).await.0,
            StatusCode::NOT_FOUND
        );
        let bob = world.token(&world.bob).await;
        let (status, _) = world
            .api(
                Method::PATCH,
                &path(&first),
                Some(&bob),
                Some(json!({"progress": 1})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another pair's goal");

        for k in 0..8 {
            let (status, _) = world
                .post(
                    &goals,
                    Some(&dan),
                    Some(json!({"what": format!("goal {k}")})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED);
        }
        let (status, body) = world
            .post(&goals, Some(&dan), Some(json!({"what": "one too many"})))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("at most 10"),
            "{body}"
        );
        let (status, _) = world
            .api(Method::DELETE, &path(&second), Some(&alice), None)
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (status, _) = world
            .api(Method::DELETE, &path(&second), Some(&alice), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = world
            .post(&goals, Some(&dan), Some(json!({"what": "room again"})))
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn a_manager_edits_the_agreement_on_its_page_and_a_blank_one_is_refused_in_place() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        let path = format!("/programmes/{}/agreement", world.programme.0);
        let page = manager.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("version 1, Upward&#x27;s default text")
                || page.body.contains("version 1, Upward's default text"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("<strong>Confidentiality.</strong>"),
            "rendered as pairs read it"
        );

        let refused = manager.post(&path, &[("body", "   ")]).await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?} {}",
            refused.location,
            &refused.body[..refused.body.len().min(3000)]
        );
        assert!(
            refused.body.contains("id=\"body-error\""),
            "the problem sits by the field"
        );
        let saved = manager
            .post(
                &path,
                &[(
                    "body",
                    "## Ours\n\nWe meet <script>alert(1)</script> fortnightly.",
                )],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let page = manager.get(&path).await;
        assert!(page.body.contains("It is version 2."), "{}", page.body);
        assert!(page.body.contains("<h2>Ours</h2>") && !page.body.contains("<script>alert"));
    }
}

#[tokio::test]
async fn the_pairing_page_s_forms_keep_what_was_typed_and_name_the_field_at_fault() {
    for world in World::each().await {
        let (_, pairing) = world.active_pair().await;
        let alice = world.browser(&world.alice).await;
        let goal = alice
            .post(
                &format!("/pairings/{pairing}/goals"),
                &[("what", " "), ("why", "Keep me"), ("progress", "lots")],
            )
            .await;
        assert_eq!(goal.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            goal.body.contains("id=\"progress-error\""),
            "progress named"
        );
        assert!(
            goal.body.contains(">Keep me</textarea>"),
            "what was typed stays"
        );
        let goal = alice
            .post(&format!("/pairings/{pairing}/goals"), &[("what", " ")])
            .await;
        assert_eq!(goal.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(goal.body.contains("id=\"what-error\""), "what named");

        let record = alice
            .post(
                &format!("/pairings/{pairing}/meetings"),
                &[("start", "2026-01-01T10:00"), ("minutes", "an hour")],
            )
            .await;
        assert_eq!(record.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(record.body.contains("id=\"minutes-error\""));
        let change = alice
            .post(
                &format!("/pairings/{pairing}/schedule/change"),
                &[("meeting", "0"), ("how", "move"), ("start", "soon")],
            )
            .await;
        assert_eq!(change.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            change.body.contains("id=\"start-error\""),
            "the new start named"
        );
        assert!(change.body.contains("The series could not be changed"));
    }
}
