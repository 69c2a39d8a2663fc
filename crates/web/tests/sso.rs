//! Single sign-on rules that need no provider: "SSO only" leaves passwords and mailed links to
//! admins, the log-in page offers what applies, and a provider that cannot be reached or a
//! callback that was not started here is refused with a page, never a hang or a 500. (The sign-in
//! through a real OpenID provider is the browser journey `sso.test.mjs`.)

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, World};
use serde_json::json;
use upward_app::Settings;
use upward_store::testing::TestDatabase;

/// Settings with single sign-on through a provider on a port nobody listens on.
fn sso_settings(sso_only: bool) -> Settings {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    Settings {
        oidc_issuer: Some(format!("http://{closed}")),
        oidc_client_id: Some("upward".into()),
        sso_only,
        ..Settings::default()
    }
}

async fn worlds(sso_only: bool) -> Vec<World> {
    let mut worlds = Vec::new();
    for db in TestDatabase::each_backend().await {
        worlds.push(World::with_settings(db, sso_settings(sso_only)).await);
    }
    worlds
}

#[tokio::test]
async fn sso_only_leaves_passwords_and_links_to_admins() {
    for world in worlds(true).await {
        let password = |email: &str| json!({"email": email, "password": PASSWORD});
        let (status, refused) = world
            .post("/api/v1/auth/token", None, Some(password("alice@x.org")))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(
            refused["error"]
                .as_str()
                .unwrap()
                .contains("Sign in with your organisation"),
            "{refused}"
        );
        let (status, _) = world
            .post("/api/v1/auth/token", None, Some(password("admin@x.org")))
            .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "the admin's break-glass password works"
        );

        for email in ["alice@x.org", "admin@x.org"] {
            let (status, _) = world
                .post(
                    "/api/v1/auth/sign-in-link",
                    None,
                    Some(json!({"email": email})),
                )
                .await;
            assert_eq!(status, StatusCode::ACCEPTED);
        }
        assert_eq!(
            world.mail_count("alice@x.org").await,
            0,
            "no link for a participant"
        );
        assert_eq!(
            world.mail_count("admin@x.org").await,
            1,
            "an admin gets theirs"
        );

        let page = world.anonymous().get("/login").await;
        assert!(page.body.contains("Sign in with your organisation"));
        assert!(page.body.contains("Admins: sign in with a password"));
        assert!(!page.body.contains("Email me a sign-in link"));

        // An invitation still counts, and leads to the organisation's sign-in, not a session.
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let audience = upward_domain::Audience::Emails(vec![
            upward_domain::Email::parse("bob@x.org").unwrap(),
        ]);
        world
            .app
            .invite(&manager, world.programme, &audience)
            .await
            .unwrap();
        let link = world.mailed_link("bob@x.org").await.unwrap();
        let followed = world.anonymous().post(&link, &[]).await;
        let to = followed.location.unwrap();
        assert!(to.starts_with("/sso/start?next=%2Fprogrammes%2F"), "{to}");
        assert!(
            !followed
                .set_cookies
                .iter()
                .any(|c| c.starts_with("upward_session="))
        );
        let counts = world
            .app
            .invitation_counts(&manager, world.programme)
            .await
            .unwrap();
        assert_eq!(counts.signed_in, 1);
    }
}

#[tokio::test]
async fn with_sso_beside_passwords_the_log_in_page_offers_both() {
    for world in worlds(false).await {
        let page = world.anonymous().get("/login").await;
        assert!(page.body.contains("Sign in with your organisation"));
        assert!(page.body.contains("Email me a sign-in link"));
        let (status, _) = world
            .post(
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "alice@x.org", "password": PASSWORD})),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn an_unreachable_provider_or_a_foreign_callback_gets_a_page_that_says_so() {
    for world in worlds(false).await {
        let browser = world.anonymous();
        let page = browser.get("/sso/start").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(
            page.body.contains("the provider could not be reached"),
            "{}",
            page.body
        );

        let page = browser.get("/sso/callback?code=abc&state=xyz").await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("not started in this browser"));

        let page = browser
            .get("/sso/callback?error=access_denied&error_description=The%20user%20said%20no")
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("The user said no"));
    }
}

#[tokio::test]
async fn sso_is_off_without_settings_and_half_settings_are_refused_at_start() {
    for world in World::each().await {
        assert_eq!(
            world.anonymous().get("/sso/start").await.status,
            StatusCode::NOT_FOUND
        );
        assert!(
            !world
                .anonymous()
                .get("/login")
                .await
                .body
                .contains("Sign in with your organisation")
        );
    }
    let half = Settings::load(None, |name| {
        (name == "UPWARD_OIDC_ISSUER").then(|| "https://idp.example".to_owned())
    });
    assert!(half.unwrap_err().to_string().contains("needs both"));
    let lonely = Settings::load(None, |name| {
        (name == "UPWARD_SSO_ONLY").then(|| "true".to_owned())
    });
    assert!(
        lonely
            .unwrap_err()
            .to_string()
            .contains("sso_only needs single sign-on")
    );
}
