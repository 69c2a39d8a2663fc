//! Signing in without a password, through the router: sign-in and reset links answer the same
//! for known and unknown addresses, a link's page changes nothing until its button is pressed,
//! a link works once, and a manager's invitation brings someone to the enrolment form.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, World};
use serde_json::json;

const CEO: &str = "ceo@x.org";

#[tokio::test]
async fn link_requests_answer_the_same_for_known_and_unknown_addresses() {
    for world in World::each().await {
        for route in ["/api/v1/auth/sign-in-link", "/api/v1/auth/password-reset"] {
            let known = world.post(route, None, Some(json!({"email": CEO}))).await;
            let unknown = world
                .post(route, None, Some(json!({"email": "nobody@x.org"})))
                .await;
            assert_eq!(known.0, StatusCode::ACCEPTED, "{route}");
            assert_eq!(known, unknown, "{route}");
        }
        assert_eq!(world.mail_count(CEO).await, 2, "a sign-in and a reset link");
        assert_eq!(world.mail_count("nobody@x.org").await, 0);

        let anonymous = world.anonymous();
        let page = |email: &'static str| {
            let anonymous = &anonymous;
            async move {
                let page = anonymous.post("/sign-in-link", &[("email", email)]).await;
                (page.status, page.body.replace(email, "EMAIL"))
            }
        };
        let (known, unknown) = (page("bob@x.org").await, page("ghost@x.org").await);
        assert_eq!(known.0, StatusCode::OK);
        assert_eq!(known, unknown);
        assert!(known.1.contains("Check your mail"));

        let (status, body) = world
            .post(
                route_of_sign_in(),
                None,
                Some(json!({"email": "not an address"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["problems"][0]["field"], "email");
    }
}

fn route_of_sign_in() -> &'static str {
    "/api/v1/auth/sign-in-link"
}

#[tokio::test]
async fn link_requests_are_limited_per_address_whether_known_or_not() {
    for world in World::each().await {
        for email in [CEO, "nobody@x.org"] {
            for _ in 0..upward_app::access::REQUESTS_PER_EMAIL {
                let (status, _) = world
                    .post(route_of_sign_in(), None, Some(json!({"email": email})))
                    .await;
                assert_eq!(status, StatusCode::ACCEPTED);
            }
            let (status, body) = world
                .post(route_of_sign_in(), None, Some(json!({"email": email})))
                .await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{email}");
            assert_eq!(body["error"], "Too many requests; try again in 15 minutes");
        }
        assert_eq!(world.mail_count(CEO).await, 3);
    }
}

#[tokio::test]
async fn a_sign_in_link_shows_a_button_signs_in_once_and_makes_the_account() {
    for world in World::each().await {
        world
            .post(
                route_of_sign_in(),
                None,
                Some(json!({"email": "CEO@x.org"})),
            )
            .await;
        let link = world.mailed_link(CEO).await.expect("a link in the mail");
        assert!(link.starts_with("/sign-in/"), "{link}");
        let browser = world.anonymous();
        // Opening the link (a mail scanner does) changes nothing.
        for _ in 0..2 {
            let page = browser.get(&link).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains(&format!("action=\"{link}\"")));
            assert!(page.body.contains("ceo@x.org"));
            assert!(
                page.set_cookies
                    .iter()
                    .all(|c| !c.starts_with("upward_session"))
            );
        }
        let used = browser.post(&link, &[]).await;
        assert_eq!(used.status, StatusCode::SEE_OTHER);
        assert_eq!(used.location.as_deref(), Some("/"));
        let session = used
            .set_cookies
            .iter()
            .find(|c| c.starts_with("upward_session="))
            .expect("a session cookie");
        assert!(session.contains("HttpOnly"));
        let user = world
            .app
            .store
            .credentials(CEO)
            .await
            .unwrap()
            .unwrap()
            .user;
        assert_eq!(user.role, upward_domain::Role::Participant);
        assert_eq!(user.name, "Cleo CEO");

        for again in [browser.post(&link, &[]).await, browser.get(&link).await] {
            assert_eq!(again.status, StatusCode::GONE);
            assert!(again.body.contains("This link no longer works"));
            assert!(again.body.contains("href=\"/sign-in-link\""));
        }
    }
}

#[tokio::test]
async fn only_the_newest_link_works() {
    for world in World::each().await {
        world
            .post(
                route_of_sign_in(),
                None,
                Some(json!({"email": "bob@x.org"})),
            )
            .await;
        let first = world.mailed_link("bob@x.org").await.unwrap();
        world
            .post(
                route_of_sign_in(),
                None,
                Some(json!({"email": "bob@x.org"})),
            )
            .await;
        let second = world.mailed_link("bob@x.org").await.unwrap();
        assert_ne!(first, second);
        let browser = world.anonymous();
        assert_eq!(browser.post(&first, &[]).await.status, StatusCode::GONE);
        assert_eq!(
            browser.post(&second, &[]).await.status,
            StatusCode::SEE_OTHER
        );
        // A sign-in link is no reset link.
        let reset = second.replace("/sign-in/", "/reset-password/");
        assert_eq!(browser.get(&reset).await.status, StatusCode::GONE);
    }
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_but_not_a_weak_one() {
    for world in World::each().await {
        world
            .post(
                "/api/v1/auth/password-reset",
                None,
                Some(json!({"email": "bob@x.org"})),
            )
            .await;
        let link = world.mailed_link("bob@x.org").await.unwrap();
        assert!(link.starts_with("/reset-password/"), "{link}");
        let browser = world.anonymous();
        assert!(
            browser
                .get(&link)
                .await
                .body
                .contains("Choose a new password")
        );
        let choose = async |password: &str, repeat: &str| {
            let fields = [("password", password), ("repeat_password", repeat)];
            browser.post(&link, &fields).await
        };
        let weak = choose("short", "short").await;
        assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(weak.body.contains("use at least 10 characters"));
        let differ = choose("a long new one", "another").await;
        assert!(differ.body.contains("the two passwords differ"));
        let saved = choose("a long new one", "a long new one").await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
        assert!(
            world
                .app
                .log_in("bob@x.org", "a long new one", "test")
                .await
                .is_ok()
        );
        assert!(
            world
                .app
                .log_in("bob@x.org", PASSWORD, "test")
                .await
                .is_err()
        );
        let again = browser
            .post(
                &link,
                &[
                    ("password", "third password"),
                    ("repeat_password", "third password"),
                ],
            )
            .await;
        assert_eq!(again.status, StatusCode::GONE);
        assert!(again.body.contains("href=\"/forgot-password\""));
    }
}

#[tokio::test]
async fn an_invitation_signs_the_invitee_in_on_the_enrolment_form() {
    for world in World::each().await {
        let token = world.token(&world.manager).await;
        let path = format!("/api/v1/programmes/{}/invitations", world.programme.0);
        let (status, outcome) = world
            .post(&path, Some(&token), Some(json!({"department": "tech"})))
            .await;
        assert_eq!(status, StatusCode::OK, "{outcome}");
        assert_eq!(outcome["sent"], 2, "alice and bob work in Tech");
        assert_eq!(world.mail_count("bob@x.org").await, 1);

        let link = world.mailed_link("bob@x.org").await.unwrap();
        assert!(link.starts_with("/invitation/"), "{link}");
        let browser = world.anonymous();
        assert!(
            browser
                .get(&link)
                .await
                .body
                .contains("You are invited to Digital fluency")
        );
        let used = browser.post(&link, &[]).await;
        let enrol = format!("/programmes/{}/enrol", world.programme.0);
        assert_eq!(used.location.as_deref(), Some(enrol.as_str()));

        let (_, counts) = world.get(&path, Some(&token)).await;
        assert_eq!(counts, json!({"invited": 2, "signed_in": 1, "enrolled": 1}));
        let (_, again) = world
            .post(
                &path,
                Some(&token),
                Some(json!({"emails": "bob@x.org, ghost@x.org"})),
            )
            .await;
        assert_eq!(again["sent"], 0, "bob was invited today");
        assert_eq!(again["already_invited"], 1);
        assert_eq!(again["not_in_directory"], json!(["ghost@x.org"]));
        assert_eq!(world.mail_count("bob@x.org").await, 1);
    }
}

#[tokio::test]
async fn invitations_need_a_manager_a_clear_audience_and_an_open_programme() {
    for world in World::each().await {
        let path = format!("/api/v1/programmes/{}/invitations", world.programme.0);
        let alice = world.token(&world.alice).await;
        let (status, _) = world
            .post(&path, Some(&alice), Some(json!({"everyone": true})))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let manager = world.token(&world.manager).await;
        let (status, body) = world
            .post(
                &path,
                Some(&manager),
                Some(json!({"everyone": true, "emails": "a@x.org"})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["problems"][0]["field"], "audience");
        let (_, body) = world
            .post(
                &path,
                Some(&manager),
                Some(json!({"min_level": 9, "max_level": 2})),
            )
            .await;
        assert_eq!(
            body["problems"][0]["problem"],
            "the lowest level (9) is above the highest (2)"
        );
        let (status, _) = world
            .post(
                "/api/v1/programmes/999/invitations",
                Some(&manager),
                Some(json!({"everyone": true})),
            )
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let manager_proof = upward_app::policy::Manager::check(&world.manager).unwrap();
        world
            .app
            .change_phase(
                &manager_proof,
                world.programme,
                upward_domain::Phase::Matching,
            )
            .await
            .unwrap();
        let (status, body) = world
            .post(&path, Some(&manager), Some(json!({"everyone": true})))
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .contains("pilot or enrolling phase")
        );
    }
}

#[tokio::test]
async fn the_programme_page_asks_before_it_invites_and_then_says_what_it_sent() {
    for world in World::each().await {
        let browser = world.browser(&world.manager).await;
        let programme = format!("/programmes/{}", world.programme.0);
        let page = browser.get(&programme).await;
        assert!(page.body.contains("0 invited, 0 signed in"));
        let action = format!("{programme}/invitations");
        let confirm = browser
            .post(
                &action,
                &[
                    ("kind", "filter"),
                    ("department", "Board"),
                    ("min_level", ""),
                    ("max_level", ""),
                ],
            )
            .await;
        assert_eq!(confirm.status, StatusCode::OK);
        assert!(
            confirm.body.contains("Send 1 invitation"),
            "{}",
            confirm.body
        );
        assert_eq!(
            world.mail_count(CEO).await,
            0,
            "nothing is sent before confirming"
        );
        let sent = browser
            .post(
                &action,
                &[
                    ("kind", "filter"),
                    ("department", "Board"),
                    ("confirmed", "yes"),
                ],
            )
            .await;
        assert!(
            sent.body.contains("1 invitation is on its way"),
            "{}",
            sent.body
        );
        assert_eq!(world.mail_count(CEO).await, 1);
        assert!(
            browser
                .get(&programme)
                .await
                .body
                .contains("1 invited, 0 signed in")
        );

        let wrong = browser
            .post(&action, &[("kind", "filter"), ("min_level", "high")])
            .await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            wrong
                .body
                .contains("id=\"min_level-error\">&#39;high&#39; is not a whole number"),
            "{}",
            wrong.body
        );
        let participant = world.browser(&world.alice).await;
        let refused = participant.post(&action, &[("kind", "everyone")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }
}
