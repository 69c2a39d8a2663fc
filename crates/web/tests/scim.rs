//! SCIM 2.0 provisioning through the router: tokens, the Users resource, deactivation and
//! what it refuses, reporting lines, and that a provisioned person takes part like anyone.

mod common;

use axum::http::{Method, StatusCode};
use common::{PASSWORD, World};
use serde_json::{Value, json};
use upward_app::policy::{Admin, Manager};
use upward_domain::*;

async fn scim_token(world: &World) -> String {
    world
        .app
        .create_scim_token(&Admin::check(&world.admin).unwrap(), "test IdP")
        .await
        .unwrap()
}

fn user(email: &str, level: i64) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": email,
        "name": {"givenName": "Sam", "familyName": email.split('@').next().unwrap()},
        "emails": [{"value": email, "type": "work", "primary": true}],
        "urn:upward:params:scim:schemas:extension:upward:2.0:User": {"jobLevel": level.to_string(), "timeZone": "Europe/Berlin"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"},
    })
}

/// The SCIM id of the person with this userName.
async fn id_of(world: &World, token: &str, user_name: &str) -> String {
    let (status, list) = world
        .get(
            &format!("/scim/v2/Users?filter=userName%20eq%20%22{user_name}%22"),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["totalResults"], 1, "{list}");
    list["Resources"][0]["id"].as_str().unwrap().to_owned()
}

/// Sends one PATCH operation to the user.
async fn patch(world: &World, token: &str, id: &str, operation: Value) -> (StatusCode, Value) {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [operation]});
    world
        .api(
            Method::PATCH,
            &format!("/scim/v2/Users/{id}"),
            Some(token),
            Some(body),
        )
        .await
}

/// `active` as Entra ID sends it: a capitalised op and the value as a string.
async fn patch_active(world: &World, token: &str, id: &str, active: bool) -> (StatusCode, Value) {
    let value = if active { "True" } else { "False" };
    patch(
        world,
        token,
        id,
        json!({"op": "Replace", "path": "active", "value": value}),
    )
    .await
}

#[tokio::test]
async fn only_a_live_scim_token_is_let_in() {
    for world in World::each().await {
        let (status, error) = world.get("/scim/v2/Users", None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            error["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
        // An admin's API token is not a SCIM token.
        let api = world.token(&world.admin).await;
        assert_eq!(
            world.get("/scim/v2/Users", Some(&api)).await.0,
            StatusCode::UNAUTHORIZED
        );
        let token = scim_token(&world).await;
        assert_eq!(
            world.get("/scim/v2/Users", Some(&token)).await.0,
            StatusCode::OK
        );
        let admin = Admin::check(&world.admin).unwrap();
        let listed = world.app.scim_tokens(&admin).await.unwrap();
        assert!(listed[0].last_used_at.is_some());
        world
            .app
            .revoke_scim_token(&admin, listed[0].id)
            .await
            .unwrap();
        assert_eq!(
            world.get("/scim/v2/Users", Some(&token)).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn users_are_created_filtered_paged_replaced_and_bad_ones_refused_clearly() {
    for world in World::each().await {
        let token = scim_token(&world).await;
        let (status, created) = world
            .post(
                "/scim/v2/Users",
                Some(&token),
                Some(user("Sam.Senior@x.org", 15)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["name"]["givenName"], "Sam");
        assert_eq!(
            created["urn:upward:params:scim:schemas:extension:upward:2.0:User"]["jobLevel"],
            "15"
        );
        let person = world
            .app
            .store
            .person("sam.senior@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (person.name.as_str(), person.job_level.get()),
            ("Sam Sam.Senior", 15)
        );
        assert_eq!(person.time_zone.as_str(), "Europe/Berlin");

        // userName matches without regard to case; people imported from a file answer to their email.
        let id = id_of(&world, &token, "sam.senior@X.ORG").await;
        assert_eq!(id, created["id"]);
        id_of(&world, &token, "alice@x.org").await;
        let (_, page) = world
            .get("/scim/v2/Users?startIndex=2&count=1", Some(&token))
            .await;
        assert_eq!(
            (page["totalResults"].as_i64(), page["itemsPerPage"].as_i64()),
            (Some(4), Some(1))
        );
        assert_eq!(page["startIndex"], 2);

        let (status, same) = world
            .post(
                "/scim/v2/Users",
                Some(&token),
                Some(user("sam.senior@x.org", 15)),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{same}");
        assert_eq!(same["scimType"], "uniqueness");

        let mut replacement = user("sam.senior@x.org", 16);
        replacement["displayName"] = json!("Samantha Senior");
        let (status, replaced) = world
            .api(
                Method::PUT,
                &format!("/scim/v2/Users/{id}"),
                Some(&token),
                Some(replacement),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{replaced}");
        let person = world
            .app
            .store
            .person("sam.senior@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (person.name.as_str(), person.job_level.get()),
            ("Samantha Senior", 16)
        );

        for (bad, says) in [
            (json!({"userName": "no-email"}), "email"),
            (user("x@x.org", 30), "jobLevel"),
            (
                {
                    let mut u = user("y@x.org", 5);
                    u["urn:upward:params:scim:schemas:extension:upward:2.0:User"]["timeZone"] =
                        json!("Mars/Olympus");
                    u
                },
                "IANA",
            ),
        ] {
            let (status, error) = world.post("/scim/v2/Users", Some(&token), Some(bad)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
            assert!(error["detail"].as_str().unwrap().contains(says), "{error}");
        }
        let (status, error) = world
            .get(
                "/scim/v2/Users?filter=displayName%20co%20%22a%22",
                Some(&token),
            )
            .await;
        assert_eq!(
            (status, error["scimType"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalidFilter"))
        );
    }
}

#[tokio::test]
async fn a_provisioned_person_signs_in_enrols_and_is_matched() {
    for world in World::each().await {
        let token = scim_token(&world).await;
        world
            .post("/scim/v2/Users", Some(&token), Some(user("sam@x.org", 15)))
            .await;
        // First sign-in by link makes the account from the provisioned record.
        world
            .app
            .request_link(LinkPurpose::SignIn, "sam@x.org", "test")
            .await
            .unwrap();
        let link = world
            .mailed_link("sam@x.org")
            .await
            .expect("a sign-in link");
        let token_part = link.trim_start_matches("/sign-in/");
        let (sam, _) = world
            .app
            .sign_in_with_link(token_part, LinkPurpose::SignIn)
            .await
            .unwrap()
            .unwrap();
        let mut profile = common::mentor_profile("I want to learn TikTok");
        profile.role = EnrolmentRole::Mentee;
        profile.offers = TopicLevels::default();
        profile.interests = TopicLevels::parse("tiktok:4").unwrap();
        world
            .app
            .enrol(&sam, world.programme, &profile, true)
            .await
            .unwrap();
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let run = world.finished_run().await;
        let view = world.app.run_view(&manager, run).await.unwrap();
        assert_eq!(
            view.pairs.len(),
            1,
            "{:?}",
            view.unmatched.iter().map(|u| &u.reason).collect::<Vec<_>>()
        );
        assert!(view.pairs[0].mentee_name.starts_with("Sam"));
    }
}

#[tokio::test]
async fn deactivation_refuses_every_way_in_and_every_later_match_but_keeps_history() {
    for world in World::each().await {
        let token = scim_token(&world).await;
        let browser = world.browser(&world.alice).await;
        let api = world.token(&world.alice).await;
        let id = id_of(&world, &token, "alice@x.org").await;
        let (status, patched) = patch_active(&world, &token, &id, false).await;
        assert_eq!(status, StatusCode::OK, "{patched}");
        assert_eq!(patched["active"], false);

        let home = browser.get("/").await;
        assert!(
            home.location.unwrap().starts_with("/login"),
            "the session ends"
        );
        assert_eq!(
            world.get("/api/v1/me", Some(&api)).await.0,
            StatusCode::UNAUTHORIZED
        );
        let login = world
            .post(
                "/api/v1/auth/token",
                None,
                Some(json!({"email": "alice@x.org", "password": PASSWORD})),
            )
            .await;
        assert_eq!(login.0, StatusCode::FORBIDDEN);
        let before = world.mail_count("alice@x.org").await;
        let (status, _) = world
            .post(
                "/api/v1/auth/sign-in-link",
                None,
                Some(json!({"email": "alice@x.org"})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::ACCEPTED,
            "the same answer as for anyone"
        );
        assert_eq!(
            world.mail_count("alice@x.org").await,
            before,
            "but no link is sent"
        );

        // Her enrolment stays in the programme's records; matching leaves her out.
        let manager = Manager::check(&world.manager).unwrap();
        let enrolments = world
            .app
            .programme_enrolments(&manager, world.programme)
            .await
            .unwrap();
        assert!(enrolments.iter().any(|e| e.email.as_str() == "alice@x.org"));
        let run = world.finished_run().await;
        let view = world.app.run_view(&manager, run).await.unwrap();
        assert!(
            view.unmatched
                .iter()
                .all(|u| u.enrolment != world.alice_enrolment)
        );

        // Active again: she signs in again, with a new token (the old one died with the
        // deactivation). Deleted: gone from SCIM, still in the records.
        patch_active(&world, &token, &id, true).await;
        assert_eq!(
            world.get("/api/v1/me", Some(&api)).await.0,
            StatusCode::UNAUTHORIZED
        );
        let api = world.token(&world.alice).await;
        assert_eq!(world.get("/api/v1/me", Some(&api)).await.0, StatusCode::OK);
        let path = format!("/scim/v2/Users/{id}");
        assert_eq!(
            world.api(Method::DELETE, &path, Some(&token), None).await.0,
            StatusCode::NO_CONTENT
        );
        assert_eq!(
            world.get(&path, Some(&token)).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            world.get("/api/v1/me", Some(&api)).await.0,
            StatusCode::UNAUTHORIZED
        );
        let enrolments = world
            .app
            .programme_enrolments(&manager, world.programme)
            .await
            .unwrap();
        assert!(enrolments.iter().any(|e| e.email.as_str() == "alice@x.org"));
        let audit = world.app.store.audit_log(20, None).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.action == "scim.delete" && e.detail.contains("alice@x.org"))
        );
    }
}

#[tokio::test]
async fn managers_link_when_they_arrive_and_reporting_loops_are_refused() {
    for world in World::each().await {
        let token = scim_token(&world).await;
        // The report arrives first, naming a manager id the directory does not have yet.
        let (_, boss) = world
            .post("/scim/v2/Users", Some(&token), Some(user("boss@x.org", 18)))
            .await;
        let boss_id = boss["id"].as_str().unwrap().to_owned();
        let mut report = user("report@x.org", 6);
        let next_id = (boss_id.parse::<i64>().unwrap() + 1).to_string();
        report["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"] =
            json!({"value": boss_id});
        let (status, created) = world
            .post("/scim/v2/Users", Some(&token), Some(report))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let person = world
            .app
            .store
            .person("report@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(person.manager_email.unwrap().as_str(), "boss@x.org");

        let mut early = user("early@x.org", 4);
        let future = (next_id.parse::<i64>().unwrap() + 2).to_string(); // the id "late" will get
        early["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["manager"] =
            json!({"value": future});
        world
            .post("/scim/v2/Users", Some(&token), Some(early))
            .await;
        assert!(
            world
                .app
                .store
                .person("early@x.org")
                .await
                .unwrap()
                .unwrap()
                .manager_email
                .is_none()
        );
        let (_, late) = world
            .post("/scim/v2/Users", Some(&token), Some(user("late@x.org", 12)))
            .await;
        assert_eq!(late["id"], future.as_str());
        let early = world
            .app
            .store
            .person("early@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            early.manager_email.unwrap().as_str(),
            "late@x.org",
            "linked on arrival"
        );

        // The boss cannot report to their own report.
        let manager = json!({"op": "add",
            "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
            "value": {"value": created["id"]}});
        let (status, error) = patch(&world, &token, &boss_id, manager).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
        assert!(
            error["detail"]
                .as_str()
                .unwrap()
                .contains("already reports to them")
        );
    }
}

#[tokio::test]
async fn an_email_moves_with_the_account_unless_the_person_takes_part() {
    for world in World::each().await {
        let token = scim_token(&world).await;
        let bob = id_of(&world, &token, "bob@x.org").await;
        let email = json!({"op": "replace", "path": "emails[type eq \"work\"].value", "value": "robert@x.org"});
        let (status, moved) = patch(&world, &token, &bob, email).await;
        assert_eq!(status, StatusCode::OK, "{moved}");
        let (account, _) = world
            .app
            .issue_api_token("robert@x.org", PASSWORD, "t", "test")
            .await
            .unwrap();
        assert_eq!(
            account.id, world.bob.id,
            "the account moved with the address"
        );

        let alice = id_of(&world, &token, "alice@x.org").await;
        let email = json!({"op": "replace", "path": "emails[type eq \"work\"].value", "value": "alicia@x.org"});
        let (status, error) = patch(&world, &token, &alice, email).await;
        assert_eq!(status, StatusCode::CONFLICT, "{error}");
        assert!(
            world
                .app
                .store
                .person("alice@x.org")
                .await
                .unwrap()
                .is_some(),
            "nothing changed"
        );
    }
}

#[tokio::test]
async fn admins_make_and_revoke_tokens_on_the_provisioning_page_after_a_confirmation() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        assert_eq!(
            manager.get("/admin/provisioning").await.status,
            StatusCode::FORBIDDEN
        );
        let admin = world.browser(&world.admin).await;
        let page = admin
            .post("/admin/provisioning", &[("label", "Okta")])
            .await;
        assert_eq!(page.status, StatusCode::OK);
        let start =
            page.body.find("<code class=\"secret\">").unwrap() + "<code class=\"secret\">".len();
        let token = &page.body[start..start + page.body[start..].find('<').unwrap()];
        assert_eq!(
            world.get("/scim/v2/Users", Some(token)).await.0,
            StatusCode::OK
        );
        assert!(
            !admin.get("/admin/provisioning").await.body.contains(token),
            "shown once"
        );

        let empty = admin.post("/admin/provisioning", &[("label", " ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("field-error"));

        let id = world
            .app
            .scim_tokens(&Admin::check(&world.admin).unwrap())
            .await
            .unwrap()[0]
            .id;
        let ask = admin
            .post(&format!("/admin/provisioning/tokens/{id}/revoke"), &[])
            .await;
        assert!(ask.body.contains("Revoke “Okta”?"), "asks first");
        assert_eq!(
            world.get("/scim/v2/Users", Some(token)).await.0,
            StatusCode::OK,
            "not yet revoked"
        );
        let done = admin
            .post(
                &format!("/admin/provisioning/tokens/{id}/revoke"),
                &[("confirm", "yes")],
            )
            .await;
        let page = admin.get(&done.location.unwrap()).await;
        assert!(page.body.contains("is revoked"));
        assert_eq!(
            world.get("/scim/v2/Users", Some(token)).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
}
