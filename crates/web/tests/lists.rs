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

/// A programme with `pairs` proposed pairings (a mentor and a mentee per pair, all alike).
async fn programme_with_pairings(world: &World, pairs: usize) -> ProgrammeId {
    let admin = upward_app::policy::Admin::check(&world.admin).unwrap();
    let manager = Manager::check(&world.manager).unwrap();
    let mut people = String::from("email,name,job_level,time_zone\n");
    let mut enrolments = String::from("email,role,offers,interests,availability\n");
    for k in 0..pairs {
        people.push_str(&format!("jm{k:03}@x.org,Junior {k:03},3,UTC\n"));
        people.push_str(&format!("se{k:03}@x.org,Senior {k:03},15,UTC\n"));
        enrolments.push_str(&format!("jm{k:03}@x.org,mentor,cloud:4,,Mon 08:00-10:00\n"));
        enrolments.push_str(&format!("se{k:03}@x.org,mentee,,cloud:4,Mon 08:00-10:00\n"));
    }
    world
        .app
        .import_people(&admin, people.as_bytes())
        .await
        .unwrap();
    let programme = world
        .app
        .create_programme(&manager, &common::draft("Large cohort"))
        .await
        .unwrap()
        .programme
        .id;
    for phase in [Phase::Enrolling, Phase::Matching] {
        world
            .app
            .change_phase(&manager, programme, phase)
            .await
            .unwrap();
    }
    world
        .app
        .import_enrolments(&manager, programme, enrolments.as_bytes())
        .await
        .unwrap();
    let run = world
        .app
        .start_matching(&manager, programme, None, false)
        .await
        .unwrap();
    world.app.execute_run(run.id, &|_, _| {}).await.unwrap();
    assert_eq!(
        world.app.publish_run(&manager, run.id).await.unwrap().len(),
        pairs
    );
    programme
}

#[tokio::test]
async fn a_programmes_pairings_come_a_page_at_a_time_with_counts_and_links() {
    for world in World::each().await {
        let programme = programme_with_pairings(&world, 130).await;
        let p = programme.0;
        let token = world.token(&world.manager).await;
        let base = format!("/api/v1/programmes/{p}/pairings");

        let (status, headers, first) = world.get_with_headers(&base, &token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(first.as_array().unwrap().len(), 100);
        // A page is written by hand, not through axum's `Json`: it must still say what it is.
        assert_eq!(headers["content-type"], "application/json");
        assert_eq!(headers["x-total-count"], "130");
        assert_eq!(
            headers["link"],
            format!("<{base}?page=2>; rel=\"next\"").as_str()
        );
        let (_, headers, second) = world
            .get_with_headers(&format!("{base}?page=2"), &token)
            .await;
        let ids = |page: &serde_json::Value| -> Vec<i64> {
            page.as_array()
                .unwrap()
                .iter()
                .map(|p| p["id"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(ids(&second).len(), 30);
        assert!(
            ids(&first).last() < ids(&second).first(),
            "in the order they were made"
        );
        assert_eq!(
            headers["link"],
            format!("<{base}?page=1>; rel=\"prev\"").as_str()
        );

        let (_, headers, active) = world
            .get_with_headers(&format!("{base}?state=active"), &token)
            .await;
        assert_eq!(active.as_array().unwrap().len(), 0);
        assert_eq!(headers["x-total-count"], "0");
        let (_, headers, proposed) = world
            .get_with_headers(&format!("{base}?state=proposed&page=2"), &token)
            .await;
        assert_eq!(proposed.as_array().unwrap().len(), 30);
        assert_eq!(headers["x-total-count"], "130");
        let (status, _, refused) = world
            .get_with_headers(&format!("{base}?state=happy"), &token)
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.to_string().contains("state"), "{refused}");
        for page in ["0", "1000001", "two"] {
            let (status, _, refused) = world
                .get_with_headers(&format!("{base}?page={page}"), &token)
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "page={page}");
            assert!(refused.to_string().contains("page"), "{refused}");
        }

        let manager = world.browser(&world.manager).await;
        let page = manager
            .get(&format!("/programmes/{p}/pairings?page=3"))
            .await;
        assert!(page.body.contains("Page 3 of 3"), "50 a page");
        assert!(page.body.contains("Every pairing (130)"));
        assert!(page.body.contains("Proposed (130)") && page.body.contains("Active (0)"));
        assert_eq!(page.body.matches("data-label=\"Mentor\"").count(), 30);
        let narrowed = manager
            .get(&format!("/programmes/{p}/pairings?state=active"))
            .await;
        assert!(narrowed.body.contains("No pairing is in that state."));
        // An unknown state (an old bookmark) shows every pairing, not an error.
        let unknown = manager
            .get(&format!("/programmes/{p}/pairings?state=happy"))
            .await;
        assert_eq!(unknown.status, StatusCode::OK);
        assert_eq!(unknown.body.matches("data-label=\"Mentor\"").count(), 50);
    }
}

#[tokio::test]
async fn the_accounts_api_is_paged_and_filtered_by_name_and_role() {
    for world in World::each().await {
        let admin = world.token(&world.admin).await;
        let (status, headers, all) = world.get_with_headers("/api/v1/users", &admin).await;
        assert_eq!(status, StatusCode::OK, "{all}");
        let count = all.as_array().unwrap().len();
        assert_eq!(headers["x-total-count"], count.to_string().as_str());
        assert!(headers.get("link").is_none(), "one page holds them all");
        let emails: Vec<&str> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap())
            .collect();
        let mut sorted = emails.clone();
        sorted.sort();
        assert_eq!(emails, sorted, "by email");

        let (_, headers, managers) = world
            .get_with_headers("/api/v1/users?role=manager", &admin)
            .await;
        assert!(
            managers
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["role"] == "manager")
        );
        assert_eq!(
            headers["x-total-count"],
            managers.as_array().unwrap().len().to_string().as_str()
        );
        let (_, _, alice) = world
            .get_with_headers("/api/v1/users?search=ALICE", &admin)
            .await;
        assert_eq!(alice.as_array().unwrap().len(), 1);
        assert_eq!(alice[0]["email"], "alice@x.org");

        let (_, headers, beyond) = world
            .get_with_headers("/api/v1/users?page=2&search=x.org", &admin)
            .await;
        assert_eq!(beyond, serde_json::json!([]));
        assert_eq!(
            headers["link"],
            "</api/v1/users?page=1&search=x.org>; rel=\"prev\""
        );
        let (status, _) = world.get("/api/v1/users?page=0", Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let (status, _) = world.get("/api/v1/users?role=wizard", Some(&admin)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

#[tokio::test]
async fn a_programmes_enrolments_come_a_page_at_a_time_newest_first() {
    for world in World::each().await {
        let programme = programme_with_pairings(&world, 130).await;
        let p = programme.0;
        let token = world.token(&world.manager).await;
        let base = format!("/api/v1/programmes/{p}/enrolments");
        let emails = |page: &serde_json::Value| -> Vec<String> {
            page.as_array()
                .unwrap()
                .iter()
                .map(|e| e["email"].as_str().unwrap().to_owned())
                .collect()
        };

        let (status, headers, first) = world.get_with_headers(&base, &token).await;
        assert_eq!(status, StatusCode::OK, "{first}");
        assert_eq!(headers["x-total-count"], "260");
        assert_eq!(headers["link"], format!("<{base}?page=2>; rel=\"next\""));
        let first = emails(&first);
        assert_eq!(first.len(), 100);
        assert_eq!(
            &first[..3],
            ["se129@x.org", "jm129@x.org", "se128@x.org"],
            "newest first"
        );
        let (_, headers, last) = world
            .get_with_headers(&format!("{base}?page=3"), &token)
            .await;
        assert_eq!(emails(&last).len(), 60);
        assert_eq!(emails(&last).last().unwrap(), "jm000@x.org");
        assert_eq!(headers["link"], format!("<{base}?page=2>; rel=\"prev\""));

        let (_, headers, mentees) = world
            .get_with_headers(&format!("{base}?role=mentee&page=2"), &token)
            .await;
        assert_eq!(
            headers["x-total-count"], "130",
            "the kept count of one role"
        );
        assert!(emails(&mentees).iter().all(|e| e.starts_with("se")));
        assert_eq!(
            headers["link"],
            format!("<{base}?page=1&role=mentee>; rel=\"prev\"")
        );
        let (_, headers, found) = world
            .get_with_headers(&format!("{base}?search=JUNIOR%20012"), &token)
            .await;
        assert_eq!(emails(&found), ["jm012@x.org"], "by name, any case");
        assert_eq!(headers["x-total-count"], "1");
        let (_, headers, _) = world
            .get_with_headers(&format!("{base}?search=cloud&role=mentor"), &token)
            .await;
        assert_eq!(headers["x-total-count"], "130", "by topic");
        for refused in ["page=0", "role=wizard"] {
            let (status, _) = world.get(&format!("{base}?{refused}"), Some(&token)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
        }

        let manager = world.browser(&world.manager).await;
        let page = manager
            .get(&format!("/programmes/{p}/enrolments?page=2"))
            .await;
        assert!(page.body.contains("260 enrolled") && page.body.contains("Page 2 of 6"));
        assert_eq!(page.body.matches("data-label=\"Name\"").count(), 50);
        let narrowed = manager
            .get(&format!(
                "/programmes/{p}/enrolments?search=senior%2001&role=mentee"
            ))
            .await;
        assert!(narrowed.body.contains("10 of 260 match"), "se010–se019");
        let beyond = manager
            .get(&format!("/programmes/{p}/enrolments?page=99"))
            .await;
        assert!(beyond.body.contains("Page 6 of 6") && beyond.body.contains("jm000@x.org"));
        let nobody = manager
            .get(&format!("/programmes/{p}/enrolments?search=nobody"))
            .await;
        assert!(nobody.body.contains("Nobody matches"));
    }
}
