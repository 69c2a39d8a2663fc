//! Programme-scoped management, route by route: a manager of programme B reaches nothing of
//! programme A (its design, phase, enrolments, invitations, runs, pairings, rules, managers
//! and audit entries) until A's managers add them; admins reach everything.

mod common;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, World};
use serde_json::{Value, json};
use upward_app::policy::Manager;
use upward_domain::*;

/// The world, plus a second manager running programme B, and a matching run of programme A.
struct Scoped {
    world: World,
    other: User,
    other_programme: ProgrammeId,
    run: RunId,
}

async fn scoped(world: World) -> Scoped {
    let other = world
        .app
        .create_account_as_operator("other@x.org", "Olga Other", Role::Manager, PASSWORD)
        .await
        .unwrap();
    let other_manager = Manager::check(&other).unwrap();
    let mut draft = world
        .app
        .programme(&world.admin, world.programme)
        .await
        .unwrap()
        .programme
        .draft;
    draft.name = "Programme B".into();
    let other_programme = world
        .app
        .create_programme(&other_manager, &draft)
        .await
        .unwrap()
        .programme
        .id;
    let manager = Manager::check(&world.manager).unwrap();
    world
        .app
        .change_phase(&manager, world.programme, Phase::Matching)
        .await
        .unwrap();
    let run = world
        .app
        .start_matching(&manager, world.programme, None, false)
        .await
        .unwrap()
        .id;
    Scoped {
        world,
        other,
        other_programme,
        run,
    }
}

/// Every API route about one programme (or its run or enrolment), with a body that would be
/// accepted from its own managers.
fn programme_routes(s: &Scoped) -> Vec<(Method, String, Option<Value>)> {
    let p = s.world.programme.0;
    let run = s.run.0;
    let enrolment = s.world.alice_enrolment.0;
    let draft = json!({"name": "Renamed", "purpose": "", "objectives": [], "learning_expectations": "",
        "start_date": "2027-01-04", "end_date": "2027-09-30",
        "cadence": {"virtual_every_weeks": 2, "in_person_every_months": null},
        "matching": {"min_level_gap": 3, "mentor_capacity": 1, "session_minutes": 60,
          "weights": {"expertise": 1, "diversity": 1, "level_gap": 1, "personality": 1, "schedule": 1, "channel": 1},
          "diversity_dimensions": []}});
    vec![
        (
            Method::GET,
            format!("/api/v1/programmes/{p}/enrolments"),
            None,
        ),
        (Method::PUT, format!("/api/v1/programmes/{p}"), Some(draft)),
        (
            Method::POST,
            format!("/api/v1/programmes/{p}/phase"),
            Some(json!({"to": "running"})),
        ),
        (Method::POST, format!("/api/v1/programmes/{p}/clone"), None),
        (
            Method::GET,
            format!("/api/v1/programmes/{p}/invitations"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/programmes/{p}/invitations"),
            Some(json!({"everyone": true})),
        ),
        (Method::GET, format!("/api/v1/programmes/{p}/runs"), None),
        (
            Method::POST,
            format!("/api/v1/programmes/{p}/runs"),
            Some(json!({})),
        ),
        (
            Method::GET,
            format!("/api/v1/programmes/{p}/pairings"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/programmes/{p}/pair-rules"),
            Some(json!({"mentor": enrolment, "mentee": enrolment, "rule": "forbid"})),
        ),
        (
            Method::GET,
            format!("/api/v1/programmes/{p}/managers"),
            None,
        ),
        (
            Method::POST,
            format!("/api/v1/programmes/{p}/managers"),
            Some(json!({"email": "other@x.org"})),
        ),
        (
            Method::DELETE,
            format!("/api/v1/programmes/{p}/managers/{}", s.world.manager.id.0),
            None,
        ),
        (Method::GET, format!("/api/v1/runs/{run}"), None),
        (Method::POST, format!("/api/v1/runs/{run}/publish"), None),
        (
            Method::POST,
            format!("/api/v1/runs/{run}/pairs"),
            Some(json!({"mentor": enrolment, "mentee": enrolment})),
        ),
        (Method::GET, format!("/api/v1/enrolments/{enrolment}"), None),
    ]
}

#[tokio::test]
async fn a_manager_of_another_programme_reaches_nothing_of_it_over_the_api() {
    for world in World::each().await {
        let s = scoped(world).await;
        let other = s.world.token(&s.other).await;
        for (method, path, body) in programme_routes(&s) {
            let (status, error) = s.world.api(method.clone(), &path, Some(&other), body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {error}");
        }
        let import = format!(
            "/api/v1/programmes/{}/enrolments/import",
            s.world.programme.0
        );
        let csv = "email,role,offers,interests,availability,channel,preferred_time\nbob@x.org,mentor,tiktok:4,,Mon 17:00-18:00,either,evening\n";
        let (status, error) = s.world.api_csv(&import, &other, csv).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "POST {import}: {error}");
        // Nothing changed: the design, phase and managers of A are as they were.
        let manager = s.world.token(&s.world.manager).await;
        let (_, programme) = s
            .world
            .get(
                &format!("/api/v1/programmes/{}", s.world.programme.0),
                Some(&manager),
            )
            .await;
        assert_eq!(programme["name"], "Digital fluency");
        assert_eq!(programme["phase"], "matching");
        let (_, managers) = s
            .world
            .get(
                &format!("/api/v1/programmes/{}/managers", s.world.programme.0),
                Some(&manager),
            )
            .await;
        assert_eq!(managers.as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn its_own_managers_and_admins_reach_every_route_of_a_programme() {
    for world in World::each().await {
        let s = scoped(world).await;
        for user in [&s.world.manager, &s.world.admin] {
            let token = s.world.token(user).await;
            for (method, path, body) in programme_routes(&s) {
                if method != Method::GET {
                    continue; // The changes themselves are tested where they are built.
                }
                let (status, error) = s.world.api(method.clone(), &path, Some(&token), body).await;
                assert_eq!(
                    status,
                    StatusCode::OK,
                    "{} {method} {path}: {error}",
                    user.email
                );
            }
        }
    }
}

#[tokio::test]
async fn pages_of_another_programme_answer_not_found_to_its_non_managers() {
    for world in World::each().await {
        let s = scoped(world).await;
        let p = s.world.programme.0;
        let run = s.run.0;
        let other = s.world.browser(&s.other).await;
        for path in [
            format!("/programmes/{p}/edit"),
            format!("/programmes/{p}/enrolments"),
            format!("/programmes/{p}/pairings"),
            format!("/runs/{run}"),
        ] {
            let page = other.get(&path).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "GET {path}");
            assert!(
                page.body.contains("<nav"),
                "GET {path}: the error keeps the layout"
            );
        }
        for (path, fields) in [
            (format!("/programmes/{p}/edit"), vec![("name", "Renamed")]),
            (format!("/programmes/{p}/phase"), vec![("to", "running")]),
            (format!("/programmes/{p}/clone"), vec![]),
            (
                format!("/programmes/{p}/invitations"),
                vec![("kind", "everyone")],
            ),
            (format!("/programmes/{p}/runs"), vec![]),
            (
                format!("/programmes/{p}/managers"),
                vec![("email", "other@x.org")],
            ),
            (
                format!("/programmes/{p}/managers/{}/remove", s.world.manager.id.0),
                vec![],
            ),
            (format!("/runs/{run}/publish"), vec![]),
            (
                format!("/runs/{run}/pairs"),
                vec![("mentor", "1"), ("mentee", "1")],
            ),
            (
                format!("/programmes/{p}/pair-rules"),
                vec![("mentor", "1"), ("mentee", "1"), ("rule", "forbid")],
            ),
        ] {
            let page = other.post(&path, &fields).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {path}");
        }
        let upload = format!("/programmes/{p}/enrolments/import");
        let page = other
            .upload(&upload, "email,role\nbob@x.org,mentor\n")
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "POST {upload}");
        // The programme page itself is open to every signed-in person once it is past its
        // draft, but only its managers see the managing sections.
        let page = other.get(&format!("/programmes/{p}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(!page.body.contains("id=\"matching\""));
        assert!(!page.body.contains("Enrolments and import"));
        let own = s.world.browser(&s.world.manager).await;
        let page = own.get(&format!("/programmes/{p}")).await;
        assert!(page.body.contains("id=\"matching\""));
        assert!(page.body.contains("id=\"managers\""));
    }
}

#[tokio::test]
async fn a_draft_is_listed_only_for_its_managers_and_admins() {
    for world in World::each().await {
        let s = scoped(world).await;
        let other = s.world.token(&s.other).await;
        let manager = s.world.token(&s.world.manager).await;
        let admin = s.world.token(&s.world.admin).await;
        let names = |list: &Value| -> Vec<String> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let (_, list) = s.world.get("/api/v1/programmes", Some(&manager)).await;
        assert!(!names(&list).contains(&"Programme B".to_owned()));
        let (_, list) = s.world.get("/api/v1/programmes", Some(&other)).await;
        assert!(names(&list).contains(&"Programme B".to_owned()));
        let (_, list) = s.world.get("/api/v1/programmes", Some(&admin)).await;
        assert!(names(&list).contains(&"Programme B".to_owned()));
        let path = format!("/api/v1/programmes/{}", s.other_programme.0);
        assert_eq!(
            s.world.get(&path, Some(&manager)).await.0,
            StatusCode::NOT_FOUND
        );
    }
}

#[tokio::test]
async fn the_audit_trail_shows_a_manager_only_their_programmes() {
    for world in World::each().await {
        let s = scoped(world).await;
        let subjects = |entries: &Value| -> Vec<String> {
            entries
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["subject"].as_str().unwrap().to_owned())
                .collect()
        };
        let a = format!("programme {}", s.world.programme.0);
        let b = format!("programme {}", s.other_programme.0);
        let (_, mine) = s
            .world
            .get(
                "/api/v1/audit",
                Some(&s.world.token(&s.world.manager).await),
            )
            .await;
        assert!(subjects(&mine).contains(&a) && !subjects(&mine).contains(&b));
        let (_, theirs) = s
            .world
            .get("/api/v1/audit", Some(&s.world.token(&s.other).await))
            .await;
        assert!(subjects(&theirs).contains(&b) && !subjects(&theirs).contains(&a));
        // Nor the organisation's changes (accounts, directory): those are for admins.
        assert!(
            !subjects(&theirs)
                .iter()
                .any(|s| s.starts_with("account") || s == "directory")
        );
        let (_, all) = s
            .world
            .get("/api/v1/audit", Some(&s.world.token(&s.world.admin).await))
            .await;
        assert!(subjects(&all).contains(&a) && subjects(&all).contains(&b));
        assert!(subjects(&all).contains(&"directory".to_owned()));
    }
}

#[tokio::test]
async fn a_co_manager_added_by_a_manager_runs_the_programme_and_the_last_one_stays() {
    for world in World::each().await {
        let s = scoped(world).await;
        let p = s.world.programme.0;
        let manager = s.world.token(&s.world.manager).await;
        let other = s.world.token(&s.other).await;
        let enrolments = format!("/api/v1/programmes/{p}/enrolments");
        let managers = format!("/api/v1/programmes/{p}/managers");

        // Only accounts with the manager role can be added, and the answer says why.
        let (status, error) = s
            .world
            .post(
                &managers,
                Some(&manager),
                Some(json!({"email": "alice@x.org"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(error.to_string().contains("participant"), "{error}");

        let (status, added) = s
            .world
            .post(
                &managers,
                Some(&manager),
                Some(json!({"email": "OTHER@x.org"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{added}");
        assert_eq!(
            s.world.get(&enrolments, Some(&other)).await.0,
            StatusCode::OK
        );

        // The first manager leaves; the co-manager cannot then leave it without anyone.
        let path = format!("{managers}/{}", s.world.manager.id.0);
        assert_eq!(
            s.world
                .api(Method::DELETE, &path, Some(&other), None)
                .await
                .0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            s.world.get(&enrolments, Some(&manager)).await.0,
            StatusCode::NOT_FOUND
        );
        let path = format!("{managers}/{}", s.other.id.0);
        let (status, error) = s.world.api(Method::DELETE, &path, Some(&other), None).await;
        assert_eq!(status, StatusCode::CONFLICT, "{error}");
        assert!(error.to_string().contains("at least one manager"));
        assert_eq!(
            s.world.get(&enrolments, Some(&other)).await.0,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn the_programme_page_adds_and_removes_co_managers_and_says_so() {
    for world in World::each().await {
        let s = scoped(world).await;
        let p = s.world.programme.0;
        let own = s.world.browser(&s.world.manager).await;
        let page = own.get(&format!("/programmes/{p}")).await;
        assert!(
            page.body.contains("Olga Other (other@x.org)"),
            "offered as a co-manager"
        );
        let page = own
            .post(
                &format!("/programmes/{p}/managers"),
                &[("email", "other@x.org")],
            )
            .await;
        let location = page.location.unwrap();
        let page = own.get(&location).await;
        assert!(
            page.body
                .contains("Olga Other now manages this programme too.")
        );
        let remove = format!("/programmes/{p}/managers/{}/remove", s.world.manager.id.0);
        let asked = own.post(&remove, &[]).await;
        assert_eq!(asked.status, StatusCode::OK, "asked first");
        assert!(asked.body.contains("Stop managing this programme?"));
        let still = own.get(&format!("/programmes/{p}")).await;
        assert_eq!(still.status, StatusCode::OK, "nothing removed yet");
        assert!(still.body.contains(">Stop managing<"));
        let page = own.post(&remove, &[("confirm", "yes")]).await;
        assert_eq!(
            page.location.as_deref(),
            Some(format!("/programmes?stopped_managing={p}").as_str())
        );
        let page = own.get(&page.location.unwrap()).await;
        assert!(page.body.contains("You no longer manage that programme."));
    }
}

#[tokio::test]
async fn a_proof_of_running_one_programme_opens_no_other() {
    for world in World::each().await {
        let s = scoped(world).await;
        let proof = s
            .world
            .app
            .programme_and_manager(&s.other, s.other_programme)
            .await
            .unwrap()
            .1
            .expect("Olga runs programme B");
        assert!(
            s.world
                .app
                .managed_programme(&proof, s.other_programme)
                .await
                .is_ok()
        );
        assert!(matches!(
            s.world
                .app
                .managed_programme(&proof, s.world.programme)
                .await,
            Err(upward_app::AppError::NotFound(_))
        ));
        assert!(
            s.world
                .app
                .programme_and_manager(&s.other, s.world.programme)
                .await
                .unwrap()
                .1
                .is_none()
        );
    }
}
