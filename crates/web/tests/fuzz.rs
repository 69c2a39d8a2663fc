//! Fuzzing the JSON API (proptest, stable toolchain): bodies built from arbitrary values and
//! strings, sent to the routes that read JSON as a participant and as a manager, never make a
//! 5xx, and never a success that stored something it should have refused. Bounded cases.

mod common;

use axum::http::Method;
use common::World;
use proptest::prelude::*;
use serde_json::Value;
use upward_store::testing::TestDatabase;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        any::<String>().prop_map(Value::from),
        "[a-z]{1,8}:[0-9]".prop_map(Value::from),
        "(Mon|Tue|Xyz) [0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::hash_map(
                prop_oneof![
                    Just("email".to_owned()),
                    Just("role".to_owned()),
                    Just("offers".to_owned()),
                    Just("interests".to_owned()),
                    Just("availability".to_owned()),
                    Just("name".to_owned()),
                    Just("consent".to_owned()),
                    Just("statement".to_owned()),
                    Just("mentor".to_owned()),
                    Just("mentee".to_owned()),
                    Just("rule".to_owned()),
                    Just("to".to_owned()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..8,
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

#[test]
fn arbitrary_json_bodies_never_make_a_server_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let world = runtime.block_on(async { World::new(TestDatabase::sqlite().await).await });
    let (participant, manager) = runtime.block_on(async {
        (
            world.token(&world.alice).await,
            world.token(&world.manager).await,
        )
    });
    let p = world.programme.0;
    let routes: Vec<(Method, String, String)> = vec![
        (
            Method::PUT,
            format!("/api/v1/programmes/{p}/enrolment"),
            participant.clone(),
        ),
        (Method::POST, "/api/v1/programmes".into(), manager.clone()),
        (
            Method::PUT,
            format!("/api/v1/programmes/{p}"),
            manager.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/programmes/{p}/phase"),
            manager.clone(),
        ),
        (
            Method::PUT,
            format!("/api/v1/programmes/{p}/pair-rules"),
            manager.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/programmes/{p}/invitations"),
            manager.clone(),
        ),
        (
            Method::POST,
            "/api/v1/auth/sign-in-link".into(),
            String::new(),
        ),
        (Method::POST, "/api/v1/auth/token".into(), String::new()),
    ];
    let config = ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    };
    proptest!(config, |(body in json_value(), which in 0..8usize)| {
        let (method, path, token) = &routes[which];
        let token = (!token.is_empty()).then_some(token.as_str());
        let (status, answer) = runtime.block_on(world.api(method.clone(), path, token, Some(body.clone())));
        prop_assert!(!status.is_server_error(), "{method} {path} with {body} → {status}: {answer}");
    });
    // A well-formed enrolment still works after all that.
    let (status, body) = runtime.block_on(world.api(
        Method::GET,
        &format!("/api/v1/programmes/{p}/enrolment"),
        Some(&participant),
        None::<Value>,
    ));
    assert!(
        status.is_success() || status.as_u16() == 404,
        "{status} {body}"
    );
}
