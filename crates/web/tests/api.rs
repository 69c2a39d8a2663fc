//! The JSON API's behaviour: tokens, validation, imports, phases and the OpenAPI document.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, World};
use serde_json::{Value, json};

fn draft(name: &str, end: &str) -> Value {
    json!({"name": name, "purpose": "p", "objectives": ["tech-upskilling"], "learning_expectations": "",
        "start_date": "2027-01-01", "end_date": end,
        "cadence": {"virtual_every_weeks": 2, "in_person_every_months": 1},
        "matching": {"min_level_gap": 3, "mentor_capacity": 2, "session_minutes": 60,
          "weights": {"expertise": 3, "diversity": 1, "level_gap": 1, "personality": 1, "schedule": 2, "channel": 1},
          "diversity_dimensions": ["gender"]}})
}

#[tokio::test]
async fn a_token_is_issued_for_the_right_password_only() {
    for world in World::each().await {
        let (status, body) = world
            .post(
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "MANAGER@x.org", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        let token = body["token"].as_str().unwrap().to_owned();
        let (status, me) = world.get("/api/v1/me", Some(&token)).await;
        assert_eq!(
            (status, me["role"].as_str()),
            (StatusCode::OK, Some("manager"))
        );
        let (status, body) = world
            .post(
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "manager@x.org", "password": "nope"})),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(body["error"], "The email or password is wrong");
    }
}

#[tokio::test]
async fn programmes_are_validated_field_by_field_and_warn_about_duration() {
    for world in World::each().await {
        let token = world.token(&world.manager).await;
        let (status, body) = world
            .post(
                "/api/v1/programmes",
                Some(&token),
                Some(draft("", "2026-12-01")),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let fields: Vec<&str> = body["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["field"].as_str().unwrap())
            .collect();
        assert_eq!(fields, ["name", "end_date"]);

        let (status, body) = world
            .post(
                "/api/v1/programmes",
                Some(&token),
                Some(draft("Pilot", "2027-03-01")),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["phase"], "draft");
        assert!(
            body["duration_warning"]
                .as_str()
                .unwrap()
                .contains("6 to 12 months")
        );

        let (status, body) = world
            .post("/api/v1/programmes", Some(&token), Some(json!({"name": 3})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"].as_str().unwrap().contains("name"), "{body}");
        let mut bad_date = draft("X", "2027-13-40");
        bad_date["start_date"] = json!("soon");
        let (status, _) = world
            .post("/api/v1/programmes", Some(&token), Some(bad_date))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn illegal_phase_changes_are_409_and_legal_ones_are_applied() {
    for world in World::each().await {
        let token = world.token(&world.manager).await;
        let path = format!("/api/v1/programmes/{}/phase", world.programme.0);
        let (status, body) = world
            .post(&path, Some(&token), Some(json!({"to": "running"})))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("from enrolling it can move to matching or closed"),
            "{body}"
        );
        let (status, body) = world
            .post(&path, Some(&token), Some(json!({"to": "matching"})))
            .await;
        assert_eq!(
            (status, body["phase"].as_str()),
            (StatusCode::OK, Some("matching"))
        );
        let (status, _) = world
            .post(&path, Some(&token), Some(json!({"to": "sideways"})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn a_bad_import_lists_every_problem_and_changes_nothing() {
    for world in World::each().await {
        let admin = world.token(&world.admin).await;
        let csv = "email,name,job_level,time_zone,manager_email\nnew@x.org,New,3,UTC,\nworse@x.org,Worse,high,Nowhere/City,ghost@x.org\n";
        let (status, body) = world.api_csv("/api/v1/people/import", &admin, csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let problems: Vec<(u64, &str)> = body["import_problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["line"].as_u64().unwrap(), p["column"].as_str().unwrap()))
            .collect();
        assert_eq!(
            problems,
            [(3, "job_level"), (3, "time_zone"), (3, "manager_email")]
        );
        assert!(
            world.app.store.person("new@x.org").await.unwrap().is_none(),
            "the good row was not imported either"
        );

        let (status, body) = world
            .api_csv(
                "/api/v1/people/import",
                &admin,
                "email,name,job_level,time_zone\nnew@x.org,New,3,UTC\n",
            )
            .await;
        assert_eq!((status, body["added"].as_u64()), (StatusCode::OK, Some(1)));
    }
}

#[tokio::test]
async fn enrolments_import_through_the_api_is_all_or_nothing() {
    for world in World::each().await {
        let manager = world.token(&world.manager).await;
        let path = format!("/api/v1/programmes/{}/enrolments/import", world.programme.0);
        let bad = "email,role,interests,availability\nceo@x.org,mentee,ai:5,Mon 07:00-08:00\nbob@x.org,mentee,ai:5,Mon 09:00-08:00\n";
        let (status, body) = world.api_csv(&path, &manager, bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["import_problems"][0]["line"], 3);
        assert!(
            world
                .app
                .store
                .enrolment_of(world.programme, "ceo@x.org")
                .await
                .unwrap()
                .is_none()
        );
        let good = "email,role,interests,availability\nceo@x.org,mentee,ai:5,Mon 07:00-08:00\n";
        let (status, body) = world.api_csv(&path, &manager, good).await;
        assert_eq!((status, body["added"].as_u64()), (StatusCode::OK, Some(1)));
    }
}

#[tokio::test]
async fn the_openapi_document_describes_every_route() {
    for world in World::each().await {
        let (status, doc) = world.get("/api/v1/openapi.json", None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        let paths = doc["paths"].as_object().unwrap();
        for path in [
            "/api/v1/auth/token",
            "/api/v1/programmes/{id}/phase",
            "/api/v1/people/import",
            "/api/v1/enrolments/{id}",
        ] {
            assert!(
                paths.contains_key(path),
                "{path} is missing from the OpenAPI document"
            );
        }
        assert!(doc["components"]["schemas"]["ProgrammeDraft"].is_object());
        let (status, _) = world.get("/api/v1/nothing-here", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn health_and_metrics_report_the_database() {
    for world in World::each().await {
        let (status, body) = world.get("/healthz", None).await;
        assert_eq!(
            (status, body["database"].as_str()),
            (StatusCode::OK, Some("ok"))
        );
        let page = world.anonymous().get("/metrics").await;
        assert!(page.body.contains("upward_database_up 1"));
        assert!(
            !page.body.contains("upward_people"),
            "no headcount in public metrics"
        );
        // Pages with personal data are never kept by browsers or proxies; assets may be.
        let home = world.browser(&world.alice).await.get("/").await;
        assert_eq!(
            home.headers
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store")
        );
    }
}
