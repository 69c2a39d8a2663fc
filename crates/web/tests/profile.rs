//! People keep their own time zone, location and preferred time current; matching follows,
//! and the directory wins (and the page says so).

mod common;

use axum::http::StatusCode;
use common::{PEOPLE, World};
use upward_app::policy::Admin;
use upward_domain::*;

/// Posts the profile form as the browser's person.
async fn save_profile(
    browser: &common::Browser,
    time_zone: &str,
    location: &str,
    preferred_time: &str,
) -> common::Page {
    let fields = [
        ("time_zone", time_zone),
        ("location", location),
        ("preferred_time", preferred_time),
    ];
    browser.post("/account/profile", &fields).await
}

#[tokio::test]
async fn a_participant_updates_their_profile_and_their_enrolments_follow() {
    for world in World::each().await {
        let alice = world.browser(&world.alice).await;
        let page = alice.get("/account").await;
        assert!(
            page.body.contains("Your profile")
                && page
                    .body
                    .contains("<option value=\"Europe/Paris\" selected>")
        );

        let page = save_profile(&alice, "Asia/Tokyo", "Osaka", "morning").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Your profile is saved"));
        let person = world
            .app
            .store
            .person("alice@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (person.time_zone.as_str(), person.location.as_deref()),
            ("Asia/Tokyo", Some("Osaka"))
        );
        let enrolment = world
            .app
            .enrolment(&world.alice, world.alice_enrolment)
            .await
            .unwrap();
        assert_eq!(
            enrolment.profile.preferred_time,
            PreferredTime::Morning,
            "the next run uses it"
        );

        let page = save_profile(&alice, "Mars/Base", "x", "noonish").await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.body.contains("not an IANA time zone name")
                && page.body.matches("field-error").count() == 2
        );
        let person = world
            .app
            .store
            .person("alice@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            person.time_zone.as_str(),
            "Asia/Tokyo",
            "nothing saved from a bad form"
        );
    }
}

#[tokio::test]
async fn the_directory_wins_and_the_page_says_so() {
    for world in World::each().await {
        let alice = world.browser(&world.alice).await;
        save_profile(&alice, "Asia/Tokyo", "Osaka", "evening").await;
        // The same file again: Alice's directory record still says Paris.
        let admin = Admin::check(&world.admin).unwrap();
        world
            .app
            .import_people(&admin, PEOPLE.as_bytes())
            .await
            .unwrap();
        let person = world
            .app
            .store
            .person("alice@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(person.time_zone.as_str(), "Europe/Paris");
        let page = alice.get("/account").await;
        assert!(
            page.body
                .contains("directory changed your time zone or location"),
            "{}",
            page.body
        );
        // Bob never set his own: an import says nothing to him.
        let bob = world.browser(&world.bob).await;
        assert!(!bob.get("/account").await.body.contains("directory changed"));
    }
}

#[tokio::test]
async fn an_account_made_from_a_link_sets_a_password_without_a_current_one() {
    for world in World::each().await {
        world
            .app
            .request_link(LinkPurpose::SignIn, "ceo@x.org", "t")
            .await
            .unwrap();
        let link = world.mailed_link("ceo@x.org").await.unwrap();
        let (ceo, _) = world
            .app
            .sign_in_with_link(link.trim_start_matches("/sign-in/"), LinkPurpose::SignIn)
            .await
            .unwrap()
            .unwrap();
        let browser = world.browser(&ceo).await;
        let page = browser.get("/account").await;
        assert!(page.body.contains("Set a password") && !page.body.contains("Current password"));
        let page = browser
            .post(
                "/account",
                &[
                    ("new_password", "a brand new secret"),
                    ("repeat_password", "a brand new secret"),
                ],
            )
            .await;
        // Saved, and this browser carries on in a fresh session (the old one ended).
        assert_eq!(
            page.location.as_deref(),
            Some("/account?done=password"),
            "{}",
            page.body
        );
        assert!(
            page.set_cookies
                .iter()
                .any(|c| c.starts_with("upward_session="))
        );
        assert!(
            world
                .app
                .log_in("ceo@x.org", "a brand new secret", "test")
                .await
                .is_ok()
        );
    }
}
