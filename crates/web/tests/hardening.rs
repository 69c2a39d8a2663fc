//! Hostile input at the edge, on both engines: control and invisible characters are refused
//! with a 422 naming the field (never a 500), look-alike emails cannot make a second person,
//! and huge bodies or files of bad rows get short answers.

mod common;

use axum::http::{Method, StatusCode};
use common::World;
use serde_json::json;

#[tokio::test]
async fn control_and_invisible_characters_are_refused_naming_the_field() {
    for world in World::each().await {
        let (status, body) = world
            .post(
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "alice@x.org\u{0}", "password": "x"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("'email'"),
            "{body}"
        );

        let login = world
            .anonymous()
            .post(
                "/login",
                &[("email", "alice@x.org\u{0}"), ("password", "x")],
            )
            .await;
        assert_eq!(login.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            login.body.contains("the field &#39;email&#39;")
                || login.body.contains("the field 'email'")
        );

        let alice = world.token(&world.alice).await;
        let p = world.programme.0;
        let (_, mine) = world
            .get(&format!("/api/v1/programmes/{p}/enrolment"), Some(&alice))
            .await;
        let mut changed = mine.clone();
        changed["statement"] = json!("hello\u{200B}there");
        changed["consent"] = json!(true);
        let (status, body) = world
            .api(
                Method::PUT,
                &format!("/api/v1/programmes/{p}/enrolment"),
                Some(&alice),
                Some(changed),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("'statement'")
                && body["error"].as_str().unwrap().contains("U+200B")
        );

        let manager = world.token(&world.manager).await;
        let (status, _) = world
            .get("/api/v1/people?search=a%00b", Some(&manager))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

        let admin = world.token(&world.admin).await;
        let csv = "email,name,job_level,time_zone\nnew@x.org,New\u{0} Person,3,UTC\n";
        let (status, body) = world.api_csv("/api/v1/people/import", &admin, csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["import_problems"][0]["line"], 2);
        assert_eq!(body["import_problems"][0]["column"], "name");
        assert!(
            world.app.store.person("new@x.org").await.unwrap().is_none(),
            "nothing imported"
        );
    }
}

#[tokio::test]
async fn look_alike_emails_cannot_make_a_second_person() {
    for world in World::each().await {
        let admin = world.token(&world.admin).await;
        for look_alike in ["\u{430}lice@x.org", "alice\u{200B}@x.org"] {
            let csv = format!("email,name,job_level,time_zone\n{look_alike},Fake Alice,3,UTC\n");
            let (status, body) = world.api_csv("/api/v1/people/import", &admin, &csv).await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{look_alike}: {body}"
            );
        }
        let (status, body) = world
            .post("/api/v1/users", Some(&admin), Some(json!({"email": "\u{430}lice@x.org", "name": "A", "role": "manager", "password": "0123456789ab"})))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body.to_string().contains("not plain ASCII"), "{body}");
    }
}

#[tokio::test]
async fn a_file_of_bad_rows_and_a_huge_body_get_short_answers() {
    for world in World::each().await {
        let admin = world.token(&world.admin).await;
        let mut csv = String::from("email,name,job_level,time_zone\n");
        for k in 0..5000 {
            csv.push_str(&format!("p{k}@x.org,P,high,UTC\n"));
        }
        let (status, body) = world.api_csv("/api/v1/people/import", &admin, &csv).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let problems = body["import_problems"].as_array().unwrap();
        assert_eq!(
            problems.len(),
            1001,
            "the first 1,000 and a count of the rest"
        );
        assert!(
            problems[1000]["problem"]
                .as_str()
                .unwrap()
                .contains("and 4000 more problems")
        );

        let huge = json!({"email": "a".repeat(2 * 1024 * 1024), "password": "x"});
        let (status, body) = world.post("/api/v1/auth/token", None, Some(huge)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
        assert!(body["error"].as_str().unwrap().contains("larger than"));
    }
}
