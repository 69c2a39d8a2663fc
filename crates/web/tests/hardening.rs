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

#[tokio::test]
async fn exports_cannot_carry_live_formulas_and_still_import_back_as_they_were() {
    for world in World::each().await {
        let admin = world.token(&world.admin).await;
        let csv = "email,name,job_level,department,location,time_zone\n\
                   f@x.org,=HYPERLINK(\"http://evil\"),3,+Sales,@Paris,UTC\n\
                   q@x.org,'quoted,4,-minus,\"\t=1+1\",UTC\n";
        let (status, body) = world.api_csv("/api/v1/people/import", &admin, csv).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let before_f = world.app.store.person("f@x.org").await.unwrap().unwrap();
        let before_q = world.app.store.person("q@x.org").await.unwrap().unwrap();
        assert_eq!(before_f.name, "=HYPERLINK(\"http://evil\")");

        let admin_browser = world.browser(&world.admin).await;
        let export = admin_browser.get("/people/export.csv").await.body;
        let line = export.lines().find(|l| l.starts_with("f@x.org")).unwrap();
        assert!(
            line.contains("\"'=HYPERLINK(\"\"http://evil\"\")\"")
                && line.contains(",'+Sales,'@Paris,"),
            "{line}"
        );
        for cell in export.lines().flat_map(|l| l.split(',')) {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t']),
                "a live cell: {cell:?}"
            );
        }

        // Imported back, the export changes nothing.
        let (status, body) = world
            .api_csv("/api/v1/people/import", &admin, &export)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            world.app.store.person("f@x.org").await.unwrap().unwrap(),
            before_f
        );
        let after_q = world.app.store.person("q@x.org").await.unwrap().unwrap();
        assert_eq!(after_q.name, before_q.name);
        assert_eq!(after_q.department, before_q.department);
    }
}

#[tokio::test]
async fn api_tokens_expire_are_listed_and_revoked_and_die_with_a_password_change() {
    for db in upward_store::testing::TestDatabase::each_backend().await {
        let settings = upward_app::Settings {
            api_token_days: 1,
            ..upward_app::Settings::default()
        };
        let world = World::with_settings(db, settings).await;
        let first = world.token(&world.alice).await;
        let second = world.token(&world.alice).await;
        let (status, listed) = world.get("/api/v1/auth/tokens", Some(&first)).await;
        assert_eq!(status, StatusCode::OK);
        let tokens = listed.as_array().unwrap();
        assert_eq!(tokens.len(), 2);
        assert!(
            !listed.to_string().contains(&first),
            "the token itself is never listed"
        );
        // Expiry: a day from now.
        let expires: jiff::Timestamp = tokens[0]["expires_at"].as_str().unwrap().parse().unwrap();
        let left = expires.duration_since(jiff::Timestamp::now());
        assert!(
            left > jiff::SignedDuration::from_hours(23)
                && left <= jiff::SignedDuration::from_hours(24)
        );

        // Revoking one leaves the other; another account's token id is not found.
        let id = tokens[0]["id"].as_str().unwrap().to_owned();
        let bob = world.token(&world.bob).await;
        let path = format!("/api/v1/auth/tokens/{id}");
        assert_eq!(
            world.api(Method::DELETE, &path, Some(&bob), None).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            world.api(Method::DELETE, &path, Some(&first), None).await.0,
            StatusCode::NO_CONTENT
        );
        let still = [
            world.get("/api/v1/me", Some(&first)).await.0,
            world.get("/api/v1/me", Some(&second)).await.0,
        ];
        assert_eq!(
            still.iter().filter(|s| **s == StatusCode::OK).count(),
            1,
            "one revoked, one alive"
        );

        // A password change ends every token.
        world
            .app
            .change_own_password(&world.alice, common::PASSWORD, "a completely new one")
            .await
            .unwrap();
        for token in [&first, &second] {
            assert_eq!(
                world.get("/api/v1/me", Some(token)).await.0,
                StatusCode::UNAUTHORIZED
            );
        }
    }
}

#[tokio::test]
async fn a_bad_path_id_answers_the_json_error_and_every_operation_documents_its_errors() {
    for world in World::each().await {
        let manager = world.token(&world.manager).await;
        let (status, body) = world
            .get("/api/v1/programmes/not-a-number", Some(&manager))
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body["error"].as_str().is_some(),
            "JSON, not plain text: {body}"
        );

        let (_, openapi) = world.get("/api/v1/openapi.json", None).await;
        for (path, item) in openapi["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let responses = operation["responses"].as_object().unwrap();
                for status in ["403", "404", "422", "429", "503"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} documents {status}"
                    );
                }
                // Signing in, and a calendar feed (its address carries its own secret).
                let public = (path.starts_with("/api/v1/auth/") && method == "post")
                    || path.starts_with("/api/v1/calendar-feeds/");
                assert_eq!(
                    responses.contains_key("401"),
                    !public,
                    "{method} {path} and 401"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_signed_in_form_needs_the_token_bound_to_its_own_session() {
    for world in World::each().await {
        let alice = world.browser(&world.alice).await;
        let bob = world.browser(&world.bob).await;
        let path = "/account/profile";
        let fields = [
            ("time_zone", "UTC"),
            ("location", ""),
            ("preferred_time", "any"),
        ];
        let with = |token: &str| {
            let mut all = vec![("csrf", token.to_owned())];
            all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
            all
        };
        for token in [common::CSRF.to_owned(), bob.form_token.clone()] {
            let all = with(&token);
            let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
            assert_eq!(
                alice.post_raw(path, &refs).await.status,
                StatusCode::FORBIDDEN,
                "{token}"
            );
        }
        let all = with(&alice.form_token);
        let refs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(alice.post_raw(path, &refs).await.status, StatusCode::OK);
        // The page itself carries the bound token.
        let page = alice.get("/account").await;
        assert!(page.body.contains(&alice.form_token));
    }
}

#[tokio::test]
async fn a_query_that_does_not_parse_answers_the_json_error() {
    for world in World::each().await {
        let manager = world.token(&world.manager).await;
        let (status, body) = world
            .get("/api/v1/people?page=99999999999999999999", Some(&manager))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"].as_str().unwrap().contains("page"), "{body}");
        // The document says pages run from 1 to 1,000,000, and the server holds to it.
        for (page, expected) in [
            ("0", StatusCode::UNPROCESSABLE_ENTITY),
            ("9223372036854775807", StatusCode::UNPROCESSABLE_ENTITY),
            ("1000000", StatusCode::OK),
        ] {
            let (status, _) = world
                .get(&format!("/api/v1/people?page={page}"), Some(&manager))
                .await;
            assert_eq!(status, expected, "page {page}");
        }
    }
}

#[tokio::test]
async fn a_field_a_request_does_not_have_is_refused_by_name_as_the_document_says() {
    for world in World::each().await {
        let manager = world.token(&world.manager).await;
        let p = world.programme.0;
        let (status, body) = world
            .post(
                &format!("/api/v1/programmes/{p}/phase"),
                Some(&manager),
                Some(json!({"to": "matching", "too": "closed"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"].as_str().unwrap().contains("'too'"), "{body}");
        let programme = world.app.programme(&world.admin, world.programme).await;
        assert_eq!(
            programme.unwrap().programme.phase,
            upward_domain::Phase::Enrolling
        );

        // A flattened request (the enrolment) is one closed object too.
        let alice = world.token(&world.alice).await;
        let (status, body) = world
            .api(
                axum::http::Method::PUT,
                &format!("/api/v1/programmes/{p}/enrolment"),
                Some(&alice),
                Some(json!({"role": "mentor", "offers": "ai:3", "interests": "",
                    "availability": "Tue 17:00-18:00", "channel": "virtual",
                    "preferred_time": "evening", "big_five": null, "statement": "",
                    "consent": true, "statment": "typo"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(
            body["error"].as_str().unwrap().contains("'statment'"),
            "{body}"
        );

        let (_, openapi) = world.get("/api/v1/openapi.json", None).await;
        let schemas = &openapi["components"]["schemas"];
        for request in [
            "PhaseChange",
            "EnrolRequest",
            "ProgrammeDraft",
            "NewAccount",
        ] {
            assert_eq!(schemas[request]["additionalProperties"], false, "{request}");
        }
        assert_eq!(
            schemas["EnrolRequest"]["properties"]["consent"]["enum"],
            json!([true])
        );
        let email = schemas["NewAccount"]["properties"]["email"]["pattern"]
            .as_str()
            .unwrap();
        assert!(email.starts_with("^[!-?A-~]+@"), "{email}");
        let name = schemas["NewAccount"]["properties"]["name"]["pattern"]
            .as_str()
            .unwrap();
        assert!(
            name.contains(r"\u200B"),
            "text refuses invisible characters: {name}"
        );
        // An answer may quote what it refused, so the rules stay on the requests' side.
        assert!(
            schemas["ErrorBody"]["properties"]["error"]
                .get("pattern")
                .is_none()
        );
    }
}

#[tokio::test]
async fn a_body_refused_unread_closes_the_connection_and_says_so() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let world = World::new(upward_store::testing::TestDatabase::sqlite().await).await;
    let bob = world.token(&world.bob).await;
    let send = async |path: &str, kind: &str, token: Option<&str>, body: String| {
        let mut request = Request::post(path).header(header::CONTENT_TYPE, kind);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        // In pieces, as a body arrives from the network.
        let pieces: Vec<Result<String, std::io::Error>> = body
            .into_bytes()
            .chunks(64 * 1024)
            .map(|piece| Ok(String::from_utf8_lossy(piece).into_owned()))
            .collect();
        let body = Body::from_stream(futures_util::stream::iter(pieces));
        let response = world
            .router
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        (
            response.status(),
            response.headers().get(header::CONNECTION).cloned(),
        )
    };
    let huge = json!({"email": "a".repeat(2 * 1024 * 1024), "password": "x"}).to_string();
    let (status, connection) = send("/api/v1/auth/token", "application/json", None, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(connection.unwrap(), "close");

    // A participant's upload is refused before the file is read.
    let csv = "email,name,job_level\n".to_owned() + &"a@x.org,A,3\n".repeat(1000);
    let (status, connection) = send("/api/v1/people/import", "text/csv", Some(&bob), csv).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(connection.unwrap(), "close");

    // A body read to its end keeps the connection, even when the answer is a refusal.
    let wrong = json!({"email": "bob@x.org", "password": "not the password"}).to_string();
    let (status, connection) = send("/api/v1/auth/token", "application/json", None, wrong).await;
    assert!(status.is_client_error());
    assert_eq!(connection, None);
}
