//! Route by route and role by role: a participant reaches nothing of another participant's,
//! and nothing that only managers or admins may see or change.

mod common;

use axum::http::{Method, StatusCode};
use common::{PEOPLE, World};
use serde_json::json;

#[tokio::test]
async fn api_routes_refuse_participants_what_is_not_theirs() {
    for world in World::each().await {
        let bob = world.token(&world.bob).await;
        let p = world.programme.0;
        let alice_enrolment = world.alice_enrolment.0;
        let alice_id = world.alice.id.0;
        let draft = json!({"name": "X", "purpose": "", "objectives": [], "learning_expectations": "",
            "start_date": "2027-01-01", "end_date": "2027-08-01",
            "cadence": {"virtual_every_weeks": 2, "in_person_every_months": null},
            "matching": {"min_level_gap": 3, "mentor_capacity": 1, "session_minutes": 60,
              "weights": {"expertise": 1, "diversity": 1, "level_gap": 1, "personality": 1, "schedule": 1, "channel": 1},
              "diversity_dimensions": []}});
        let forbidden: Vec<(Method, String, Option<serde_json::Value>)> = vec![
            (
                Method::GET,
                format!("/api/v1/programmes/{p}/enrolments"),
                None,
            ),
            (Method::GET, "/api/v1/people".into(), None),
            (Method::GET, "/api/v1/people/export".into(), None),
            (Method::GET, "/api/v1/users".into(), None),
            (
                Method::POST,
                "/api/v1/users".into(),
                Some(
                    json!({"email": "e@x.org", "name": "E", "role": "admin", "password": "0123456789ab"}),
                ),
            ),
            (
                Method::PUT,
                format!("/api/v1/users/{alice_id}/role"),
                Some(json!({"role": "admin"})),
            ),
            (Method::GET, "/api/v1/audit".into(), None),
            (
                Method::POST,
                "/api/v1/programmes".into(),
                Some(draft.clone()),
            ),
            (Method::PUT, format!("/api/v1/programmes/{p}"), Some(draft)),
            (
                Method::POST,
                format!("/api/v1/programmes/{p}/phase"),
                Some(json!({"to": "closed"})),
            ),
            (Method::POST, format!("/api/v1/programmes/{p}/clone"), None),
        ];
        for (method, path, body) in forbidden {
            let (status, error) = world.api(method.clone(), &path, Some(&bob), body).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{method} {path} on {}",
                world.db.label()
            );
            assert!(
                error["error"].as_str().unwrap().starts_with("Only "),
                "{error}"
            );
        }
        let (status, _) = world.api_csv("/api/v1/people/import", &bob, PEOPLE).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = world
            .api_csv(
                &format!("/api/v1/programmes/{p}/enrolments/import"),
                &bob,
                "email,role,availability\n",
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // Alice's enrolment does not exist for Bob, by id or through "my enrolment".
        let (status, body) = world
            .get(&format!("/api/v1/enrolments/{alice_enrolment}"), Some(&bob))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!body.to_string().contains("ALICE-SECRET"));
        let (status, _) = world
            .get(&format!("/api/v1/programmes/{p}/enrolment"), Some(&bob))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = world
            .api(
                Method::DELETE,
                &format!("/api/v1/programmes/{p}/enrolment"),
                Some(&bob),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        // Bob enrolling writes Bob's enrolment, never Alice's.
        let profile = json!({"role": "mentor", "offers": "ai:3", "interests": "", "availability": "Tue 17:00-18:00",
            "channel": "virtual", "preferred_time": "evening", "big_five": null, "statement": "bob", "consent": true});
        let (status, body) = world
            .api(
                Method::PUT,
                &format!("/api/v1/programmes/{p}/enrolment"),
                Some(&bob),
                Some(profile),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["email"], "bob@x.org");
        let alice = world.token(&world.alice).await;
        let (status, body) = world
            .get(
                &format!("/api/v1/enrolments/{alice_enrolment}"),
                Some(&alice),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body["statement"], "ALICE-SECRET-STATEMENT",
            "Alice's answers are untouched"
        );
    }
}

#[tokio::test]
async fn api_routes_refuse_managers_what_only_admins_may_do() {
    for world in World::each().await {
        let manager = world.token(&world.manager).await;
        for (method, path) in [
            (Method::GET, "/api/v1/users"),
            (Method::GET, "/api/v1/people/export"),
        ] {
            let (status, _) = world.api(method.clone(), path, Some(&manager), None).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
        }
        let (status, _) = world
            .api_csv("/api/v1/people/import", &manager, PEOPLE)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, body) = world
            .get(
                &format!("/api/v1/programmes/{}/enrolments", world.programme.0),
                Some(&manager),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn the_api_demands_a_valid_bearer_token() {
    for world in World::each().await {
        for path in [
            "/api/v1/me",
            "/api/v1/programmes",
            "/api/v1/people",
            "/api/v1/users",
        ] {
            let (status, body) = world.get(path, None).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
            assert_eq!(body["error"], "Please log in");
            let (status, _) = world.get(path, Some("forged-token")).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        }
    }
}

#[tokio::test]
async fn pages_refuse_participants_what_is_not_theirs() {
    for world in World::each().await {
        let bob = world.browser(&world.bob).await;
        let p = world.programme.0;
        for path in [
            format!("/programmes/{p}/enrolments"),
            format!("/programmes/{p}/edit"),
            "/programmes/new".into(),
            "/people".into(),
            "/people/import".into(),
            "/people/export.csv".into(),
            "/admin/accounts".into(),
            "/audit".into(),
        ] {
            let page = bob.get(&path).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "GET {path}");
            assert!(!page.body.contains("ALICE-SECRET"));
        }
        for (path, fields) in [
            (format!("/programmes/{p}/phase"), vec![("to", "closed")]),
            (format!("/programmes/{p}/clone"), vec![]),
            (format!("/programmes/{p}/edit"), vec![("name", "Hijacked")]),
            ("/programmes".to_owned(), vec![("name", "Mine")]),
            (
                "/admin/accounts".into(),
                vec![
                    ("email", "e@x.org"),
                    ("name", "E"),
                    ("role", "admin"),
                    ("password", "0123456789ab"),
                ],
            ),
            (
                format!("/admin/accounts/{}/role", world.bob.id.0),
                vec![("role", "admin")],
            ),
        ] {
            let page = bob.post(&path, &fields).await;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "POST {path}");
        }
        // Bob's own pages show nothing of Alice's.
        for path in [
            "/".to_owned(),
            format!("/programmes/{p}"),
            format!("/programmes/{p}/enrol?role=mentor"),
            "/programmes".into(),
        ] {
            let page = bob.get(&path).await;
            assert_eq!(page.status, StatusCode::OK, "GET {path}");
            assert!(
                !page.body.contains("ALICE-SECRET") && !page.body.contains("alice@x.org"),
                "{path} leaks Alice's data"
            );
        }
        // Withdrawing as Bob does not touch Alice's enrolment.
        assert_eq!(
            bob.post(&format!("/programmes/{p}/withdraw"), &[])
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        assert!(
            world
                .app
                .store
                .enrolment(world.alice_enrolment)
                .await
                .is_ok()
        );
        assert_eq!(
            world.app.store.user(world.bob.id).await.unwrap().role,
            upward_domain::Role::Participant
        );
    }
}

#[tokio::test]
async fn pages_refuse_managers_the_admin_pages() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        for path in ["/admin/accounts", "/people/import", "/people/export.csv"] {
            assert_eq!(
                manager.get(path).await.status,
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
        let page = manager
            .get(&format!("/programmes/{}/enrolments", world.programme.0))
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("alice@x.org"),
            "managers see who enrolled"
        );
        assert!(
            !page.body.contains("ALICE-SECRET"),
            "the statement is for the future partner, not the list"
        );
    }
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in_and_brought_back() {
    for world in World::each().await {
        let visitor = world.anonymous();
        for path in ["/", "/programmes", "/people", "/admin/accounts", "/account"] {
            let page = visitor.get(path).await;
            assert_eq!(page.status, StatusCode::SEE_OTHER, "{path}");
            assert_eq!(page.location.unwrap(), format!("/login?next={path}"));
        }
    }
}

#[tokio::test]
async fn a_person_downloads_everything_held_about_them_and_nothing_of_anyone_else() {
    for world in World::each().await {
        let alice = world.token(&world.alice).await;
        let (status, data) = world.get("/api/v1/me/data", Some(&alice)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(data["account"]["email"], "alice@x.org");
        assert_eq!(
            data["directory"]["birth_year"], 2001,
            "their own sensitive fields"
        );
        assert_eq!(data["enrolments"][0]["statement"], "ALICE-SECRET-STATEMENT");
        assert!(
            !data.to_string().contains("bob@x.org"),
            "nothing of anyone else"
        );

        let page = world
            .browser(&world.alice)
            .await
            .get("/account/data.json")
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.headers
                .get("content-disposition")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        assert!(page.body.contains("ALICE-SECRET-STATEMENT"));
        let bob_page = world
            .browser(&world.bob)
            .await
            .get("/account/data.json")
            .await;
        assert!(!bob_page.body.contains("ALICE-SECRET"));
        assert_eq!(
            world.get("/api/v1/me/data", None).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn an_admin_erases_a_person_and_the_figures_keep_counting_them() {
    for world in World::each().await {
        let alice = world.token(&world.alice).await;
        let manager = world.token(&world.manager).await;
        let p = world.programme.0;
        let (_, before) = world
            .get(
                &format!("/api/v1/programmes/{p}/enrolments"),
                Some(&manager),
            )
            .await;
        let erase = Some(json!({"email": "Alice@x.org"}));
        assert_eq!(
            world
                .post("/api/v1/people/erase", Some(&manager), erase.clone())
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        let admin = world.token(&world.admin).await;
        let (status, erased) = world
            .post("/api/v1/people/erase", Some(&admin), erase.clone())
            .await;
        assert_eq!(status, StatusCode::OK, "{erased}");
        assert!(
            erased["erased_as"]
                .as_str()
                .unwrap()
                .ends_with("@erased.invalid")
        );

        // Gone: the account, the directory record, every way in.
        assert_eq!(
            world.get("/api/v1/me", Some(&alice)).await.0,
            StatusCode::UNAUTHORIZED
        );
        assert!(
            world
                .app
                .store
                .person("alice@x.org")
                .await
                .unwrap()
                .is_none()
        );
        // Still counted: the programme has as many enrolments, one of them anonymous and blank.
        let (_, after) = world
            .get(
                &format!("/api/v1/programmes/{p}/enrolments"),
                Some(&manager),
            )
            .await;
        assert_eq!(
            before.as_array().unwrap().len(),
            after.as_array().unwrap().len()
        );
        let text = after.to_string();
        assert!(
            text.contains("Erased person")
                && !text.contains("ALICE-SECRET")
                && !text.contains("alice@x.org")
        );
        // Nor in the audit trail or the outbox.
        let audit = world.app.store.audit_log(500, None).await.unwrap();
        assert!(
            audit
                .iter()
                .all(|e| !format!("{e:?}").to_lowercase().contains("alice@x.org"))
        );
        assert_eq!(world.mail_count("alice@x.org").await, 0);
        // Erasing twice finds nobody.
        assert_eq!(
            world
                .post("/api/v1/people/erase", Some(&admin), erase)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn a_closed_programme_s_personal_answers_go_after_the_retention_period() {
    for db in upward_store::testing::TestDatabase::each_backend().await {
        let settings = upward_app::Settings {
            retention_days: Some(30),
            ..upward_app::Settings::default()
        };
        let world = World::with_settings(db, settings).await;
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let now = jiff::Timestamp::now();
        let day = jiff::SignedDuration::from_hours(24);
        let mailer = upward_app::mail::LogMailer;
        // Open programmes keep everything, however old.
        assert_eq!(
            world
                .app
                .upkeep(&mailer, now + day * 400)
                .await
                .unwrap()
                .programmes_cleared,
            0
        );
        world
            .app
            .change_phase(&manager, world.programme, upward_domain::Phase::Closed)
            .await
            .unwrap();
        assert_eq!(
            world
                .app
                .upkeep(&mailer, now + day * 29)
                .await
                .unwrap()
                .programmes_cleared,
            0
        );
        assert_eq!(
            world
                .app
                .upkeep(&mailer, now + day * 31)
                .await
                .unwrap()
                .programmes_cleared,
            1
        );
        let enrolment = world
            .app
            .store
            .enrolment(world.alice_enrolment)
            .await
            .unwrap();
        assert!(
            enrolment.profile.statement.is_empty(),
            "the statement is gone"
        );
        assert_eq!(
            enrolment.profile.role,
            upward_domain::EnrolmentRole::Mentor,
            "the figures stay"
        );
        assert_eq!(
            world
                .app
                .upkeep(&mailer, now + day * 32)
                .await
                .unwrap()
                .programmes_cleared,
            0,
            "once"
        );
    }
}
