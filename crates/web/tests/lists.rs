//! Lists that grow: accounts, enrolments, pairings and the audit trail can be searched,
//! narrowed, paged and exported, and an export imports back as it was.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, World};
use upward_app::policy::Manager;
use upward_domain::*;

#[tokio::test]
async fn accounts_are_searched_narrowed_by_role_and_paged() {
    for world in World::each().await {
        for k in 0..60 {
            let email = format!("extra{k:02}@x.org");
            world
                .app
                .create_account_as_operator(
                    &email,
                    &format!("Extra {k:02}"),
                    Role::Manager,
                    PASSWORD,
                )
                .await
                .unwrap();
        }
        let admin = world.browser(&world.admin).await;
        let first = admin.get("/admin/accounts").await;
        assert!(
            first.body.contains("64 accounts") && first.body.contains("Page 1 of 2"),
            "paged"
        );
        assert_eq!(
            first.body.matches("action=\"/admin/accounts/").count(),
            50,
            "50 rows a page"
        );
        let second = admin.get("/admin/accounts?search=&role=&page=2").await;
        assert!(second.body.contains("Page 2 of 2") && second.body.contains("manager@x.org"));
        assert!(
            !first.body.contains("manager@x.org</td>"),
            "by email, the manager is on page 2"
        );
        let found = admin.get("/admin/accounts?search=EXTRA07").await;
        assert!(found.body.contains("1 account matching") && found.body.contains("extra07@x.org"));
        let admins = admin.get("/admin/accounts?role=admin").await;
        assert!(admins.body.contains("1 account matching") && admins.body.contains("admin@x.org"));
    }
}

#[tokio::test]
async fn enrolments_export_as_an_import_file_and_are_searched() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        let p = world.programme.0;
        let csv = manager
            .get(&format!("/programmes/{p}/enrolments.csv"))
            .await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(
            csv.body
                .starts_with("email,role,offers,interests,availability,channel,preferred_time")
        );
        assert!(
            csv.body
                .contains("alice@x.org,mentor,tiktok:5,,Mon 17:00-18:00,either,evening"),
            "{}",
            csv.body
        );
        // The export imports back unchanged.
        let before = world
            .app
            .enrolment(&world.alice, world.alice_enrolment)
            .await
            .unwrap();
        let proof = Manager::check(&world.manager).unwrap();
        let counts = world
            .app
            .import_enrolments(&proof, world.programme, csv.body.as_bytes())
            .await
            .unwrap();
        assert_eq!((counts.added, counts.updated), (0, 1));
        let after = world
            .app
            .enrolment(&world.alice, world.alice_enrolment)
            .await
            .unwrap();
        assert_eq!(before.profile, after.profile);

        let found = manager
            .get(&format!(
                "/programmes/{p}/enrolments?search=tiktok&role=mentor"
            ))
            .await;
        assert!(found.body.contains("alice@x.org"));
        let none = manager
            .get(&format!("/programmes/{p}/enrolments?role=mentee"))
            .await;
        assert!(!none.body.contains("alice@x.org") && none.body.contains("0 of 1 match"));
        let other = world.browser(&world.alice).await;
        assert_eq!(
            other
                .get(&format!("/programmes/{p}/enrolments.csv"))
                .await
                .status,
            StatusCode::FORBIDDEN
        );
    }
}

#[tokio::test]
async fn the_audit_trail_is_paged() {
    for world in World::each().await {
        let proof = Manager::check(&world.manager).unwrap();
        for _ in 0..3 {
            for phase in [Phase::Matching, Phase::Enrolling] {
                world
                    .app
                    .change_phase(&proof, world.programme, phase)
                    .await
                    .unwrap();
            }
        }
        for k in 0..50 {
            let draft = world
                .app
                .programme(&world.manager, world.programme)
                .await
                .unwrap()
                .programme
                .draft;
            let mut draft = draft;
            draft.name = format!("Edit {k}");
            world
                .app
                .update_programme(&proof, world.programme, &draft)
                .await
                .unwrap();
        }
        let manager = world.browser(&world.manager).await;
        let first = manager.get("/audit").await;
        assert!(
            first.body.contains("Page 1 of 2"),
            "over 50 entries are paged"
        );
        assert!(
            first.body.contains("Changed a programme&#39;s design")
                || first.body.contains("Changed a programme's design")
        );
        let second = manager.get("/audit?page=2").await;
        assert!(
            second.body.contains("Created a programme"),
            "the oldest entries are on the last page"
        );
    }
}

#[tokio::test]
async fn a_page_beyond_the_end_shows_the_last_page_labelled_as_such() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        for path in [
            "/people?page=9223372036854775807",
            "/audit?page=99",
            "/people?page=-5",
        ] {
            let page = manager.get(path).await;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(!page.body.contains("Page 9223372036854775807"), "{path}");
        }
        let admin = world.browser(&world.admin).await;
        let page = admin.get("/admin/accounts?page=9223372036854775807").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("admin@x.org"),
            "the last (only) page is shown"
        );
    }
}
