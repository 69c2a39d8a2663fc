//! The pages' behaviour: CSRF, log-in, forms that keep the input and show errors in place,
//! uploads, and a black-box run of the real server over TCP.

mod common;

use axum::http::StatusCode;
use common::{CSRF, PASSWORD, World};

#[tokio::test]
async fn a_form_post_without_the_matching_csrf_token_is_refused() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        let path = format!("/programmes/{}/phase", world.programme.0);
        let missing = manager.post_raw(&path, &[("to", "closed")]).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN);
        let wrong = manager
            .post_raw(
                &path,
                &[
                    ("csrf", "forged-token-forged-token-forged-token"),
                    ("to", "closed"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        let phase = async || {
            world
                .app
                .store
                .programme(world.programme)
                .await
                .unwrap()
                .phase
        };
        assert_eq!(phase().await, upward_domain::Phase::Enrolling);
        let right = manager.post(&path, &[("to", "closed")]).await;
        assert_eq!(right.status, StatusCode::SEE_OTHER);
        assert_eq!(phase().await, upward_domain::Phase::Closed);
    }
}

#[tokio::test]
async fn log_in_sets_a_hardened_session_cookie_and_throttles_guessing() {
    for world in World::each().await {
        let visitor = world.anonymous();
        let page = visitor.get("/login").await;
        assert!(page.body.contains("<label for=\"email\">Email</label>"));
        let wrong = visitor
            .post("/login", &[("email", "alice@x.org"), ("password", "guess")])
            .await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        assert!(wrong.body.contains("The email or password is wrong."));
        assert!(
            wrong.body.contains("value=\"alice@x.org\""),
            "the email is kept"
        );
        for _ in 0..4 {
            visitor
                .post("/login", &[("email", "alice@x.org"), ("password", "guess")])
                .await;
        }
        let locked = visitor
            .post(
                "/login",
                &[("email", "alice@x.org"), ("password", PASSWORD)],
            )
            .await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(locked.body.contains("Too many failed log-in attempts"));

        let ok = visitor
            .post(
                "/login",
                &[
                    ("email", "bob@x.org"),
                    ("password", PASSWORD),
                    ("next", "/programmes"),
                ],
            )
            .await;
        assert_eq!(
            (ok.status, ok.location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/programmes"))
        );
        let away = visitor
            .post(
                "/login",
                &[
                    ("email", "bob@x.org"),
                    ("password", PASSWORD),
                    ("next", "//evil.example"),
                ],
            )
            .await;
        assert_eq!(
            away.location.as_deref(),
            Some("/"),
            "log-in never redirects off the site"
        );
    }
}

#[tokio::test]
async fn a_rejected_programme_form_keeps_the_input_and_marks_each_field() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        let page = manager
            .post(
                "/programmes",
                &[
                    ("name", ""),
                    ("purpose", "Keep me"),
                    ("start_date", "2027-05-01"),
                    ("end_date", "2027-01-01"),
                    ("objectives", "ok, bad tag!"),
                    ("virtual_every_weeks", "2"),
                    ("in_person_every_months", ""),
                    ("min_level_gap", "3"),
                    ("mentor_capacity", "1"),
                    ("session_minutes", "60"),
                    ("answer_days", "7"),
                    ("weight_expertise", "3"),
                    ("weight_diversity", "1"),
                    ("weight_level_gap", "1"),
                    ("weight_personality", "1"),
                    ("weight_schedule", "2"),
                    ("weight_channel", "1"),
                ],
            )
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains(">Keep me</textarea>"));
        assert!(
            page.body.contains("id=\"objectives-error\""),
            "the objectives error sits by its field"
        );
        let created = manager
            .post(
                "/programmes",
                &[
                    ("name", "Roll-out"),
                    ("start_date", "2027-02-01"),
                    ("end_date", "2027-11-30"),
                    ("objectives", "inclusion"),
                    ("virtual_every_weeks", ""),
                    ("in_person_every_months", "3"),
                    ("min_level_gap", "4"),
                    ("mentor_capacity", "2"),
                    ("session_minutes", "45"),
                    ("answer_days", "10"),
                    ("weight_expertise", "3"),
                    ("weight_diversity", "1"),
                    ("weight_level_gap", "1"),
                    ("weight_personality", "0"),
                    ("weight_schedule", "2"),
                    ("weight_channel", "1"),
                    ("diversity_gender", "on"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let shown = manager.get(created.location.as_deref().unwrap()).await;
        assert!(shown.body.contains("Roll-out") && shown.body.contains("in person quarterly"));
        let summary = world.app.store.list_programmes().await.unwrap();
        let stored = summary
            .iter()
            .find(|s| s.programme.draft.name == "Roll-out")
            .unwrap();
        assert_eq!(
            stored.programme.draft.matching.diversity_dimensions,
            [upward_domain::DiversityDimension::Gender]
        );
        assert_eq!(stored.programme.draft.matching.session_minutes, 45);
        assert_eq!(stored.programme.draft.matching.answer_days, 10);
    }
}

#[tokio::test]
async fn the_enrolment_form_enrols_and_shows_problems_next_to_rows() {
    for world in World::each().await {
        let ceo = world
            .app
            .create_account_as_operator(
                "ceo@x.org",
                "Cleo",
                upward_domain::Role::Participant,
                PASSWORD,
            )
            .await
            .unwrap();
        let browser = world.browser(&ceo).await;
        let path = format!("/programmes/{}/enrol", world.programme.0);
        assert!(browser.get(&path).await.body.contains("As a mentee"));
        // A mentee's answers; each post below changes one thing.
        let answers = |start: &'static str, consent: bool| {
            let mut fields = vec![
                ("role", "mentee"),
                ("topic_0", "social media"),
                ("score_0", "5"),
                ("day_0", "Tue"),
                ("start_0", start),
                ("end_0", "08:00"),
                ("channel", "virtual"),
                ("preferred_time", "morning"),
            ];
            if consent {
                fields.push(("consent", "on"));
            }
            fields
        };
        let bad = browser.post(&path, &answers("09:00", true)).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            bad.body
                .contains("the slot Tue 09:00-08:00 ends before it starts")
        );
        assert!(
            bad.body.contains("value=\"social media\""),
            "answers are kept"
        );
        let no_consent = browser.post(&path, &answers("07:00", false)).await;
        assert!(no_consent.body.contains("tick the box"));
        let good = browser.post(&path, &answers("07:00", true)).await;
        assert_eq!(good.status, StatusCode::SEE_OTHER);
        let stored = world
            .app
            .store
            .enrolment_of(world.programme, "ceo@x.org")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.profile.interests.to_string(), "social media:5");
        assert_eq!(stored.profile.availability.to_string(), "Tue 07:00-08:00");
    }
}

#[tokio::test]
async fn the_real_server_serves_a_log_in_and_a_page_over_tcp() {
    for world in World::each().await {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(upward_web::serve(listener, world.app.clone()));
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .unwrap();
        let base = format!("http://{address}");
        let login = client
            .get(format!("{base}/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = login
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        assert_ne!(token, CSRF);
        let home = client
            .post(format!("{base}/login"))
            .form(&[
                ("csrf", token.as_str()),
                ("email", "manager@x.org"),
                ("password", PASSWORD),
                ("next", "/programmes"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(home.status(), reqwest::StatusCode::OK);
        assert!(home.text().await.unwrap().contains("Digital fluency"));
        server.abort();
    }
}

#[tokio::test]
async fn the_upload_pages_import_all_or_nothing_and_list_the_problems() {
    for world in World::each().await {
        let admin = world.browser(&world.admin).await;
        let bad =
            "email,name,job_level,time_zone\nnew@x.org,New,3,UTC\nbad@x.org,Bad,3,Moon/Base\n";
        let page = admin.upload("/people/import", bad).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("Nothing was imported."));
        assert!(
            page.body.contains(
                "line 3, column time_zone: &#39;Moon/Base&#39; is not an IANA time zone name"
            ),
            "{}",
            page.body
        );
        assert!(world.app.store.person("new@x.org").await.unwrap().is_none());
        let good = admin
            .upload(
                "/people/import",
                "email,name,job_level,time_zone\nnew@x.org,New,3,UTC\n",
            )
            .await;
        assert_eq!(good.status, StatusCode::OK);
        assert!(good.body.contains("Imported: 1 added, 0 updated."));
        // The page offers the form again, posting to itself (the token in the form, never in
        // the address), with the columns it accepts.
        assert!(good.body.contains(r#"action="/people/import""#));
        assert!(!good.body.contains("?csrf="));
        assert!(
            good.body
                .contains(&upward_app::import::PEOPLE_COLUMNS.join(","))
        );
        let empty = admin.upload("/people/import", "").await;
        assert!(empty.body.contains("choose a CSV file to upload"));

        let manager = world.browser(&world.manager).await;
        let path = format!("/programmes/{}/enrolments/import", world.programme.0);
        let page = manager
            .upload(
                &path,
                "email,role,interests,availability\nceo@x.org,mentee,ai:5,Tue 07:00-08:00\n",
            )
            .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("Imported: 1 added, 0 updated.") && page.body.contains("ceo@x.org")
        );
        assert!(page.body.contains(&format!(r#"action="{path}""#)));
        assert!(
            page.body
                .contains(&upward_app::import::ENROLMENT_COLUMNS.join(","))
        );
        let forged = manager.upload_with_token(&path, "", "wrong").await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        // A token in the address is not accepted in place of the form's.
        let in_url = format!("{path}?csrf={}", common::CSRF);
        let smuggled = manager.upload_with_token(&in_url, "", "").await;
        assert_eq!(smuggled.status, StatusCode::FORBIDDEN);
    }
}

#[tokio::test]
async fn a_new_account_is_a_participant_from_the_directory_and_is_confirmed() {
    for world in World::each().await {
        let admin = world.browser(&world.admin).await;
        let form = admin.get("/admin/accounts").await.body;
        assert!(
            form.contains(r#"<option value="participant" selected>"#),
            "participant is the default role"
        );
        let outside = admin
            .post(
                "/admin/accounts",
                &[
                    ("email", "stranger@x.org"),
                    ("name", "Stranger"),
                    ("role", "participant"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(outside.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            outside
                .body
                .contains("stranger@x.org is not in the directory"),
            "{}",
            outside.body
        );
        assert!(
            world
                .app
                .store
                .credentials("stranger@x.org")
                .await
                .unwrap()
                .is_none()
        );
        let created = admin
            .post(
                "/admin/accounts",
                &[
                    ("email", "ceo@x.org"),
                    ("name", "Cleo CEO"),
                    ("role", "participant"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        let location = created.location.expect("a redirect");
        assert!(
            location.starts_with("/admin/accounts?created="),
            "{location}"
        );
        let confirmed = admin.get(&location).await.body;
        assert!(confirmed.contains("Created the account of Cleo CEO (ceo@x.org) as participant."));
        // An HR colleague who only runs programmes may be outside the directory.
        let hr = admin
            .post(
                "/admin/accounts",
                &[
                    ("email", "hr@x.org"),
                    ("name", "HR"),
                    ("role", "manager"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(hr.status, StatusCode::SEE_OTHER);
        let changed = admin
            .post(
                &format!("/admin/accounts/{}/role", world.bob.id.0),
                &[("role", "manager")],
            )
            .await;
        let confirmed = admin.get(&changed.location.unwrap()).await.body;
        assert!(
            confirmed.contains("is now programme manager."),
            "{confirmed}"
        );
    }
}

#[tokio::test]
async fn the_enrolment_form_shows_every_topic_an_import_stored_and_one_empty_row() {
    for world in World::each().await {
        let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
        let csv = "email,role,offers,interests,availability\nbob@x.org,mentor,a:1;b:2;c:3;d:4;e:5;f:1;g:2,,Mon 08:00-09:00;Tue 08:00-09:00\n";
        world
            .app
            .import_enrolments(&manager, world.programme, csv.as_bytes())
            .await
            .unwrap();
        let bob = world.browser(&world.bob).await;
        let page = bob
            .get(&format!("/programmes/{}/enrol", world.programme.0))
            .await;
        assert!(
            page.body
                .contains("id=\"topic_6\" name=\"topic_6\" value=\"g\""),
            "the seventh topic is kept"
        );
        assert!(
            page.body.contains("id=\"topic_7\""),
            "one empty row to add another"
        );
        assert!(!page.body.contains("id=\"topic_8\""));
        assert!(
            page.body.contains("id=\"start_2\"") && !page.body.contains("id=\"start_3\""),
            "three time rows"
        );
    }
}

#[tokio::test]
async fn every_change_says_what_it_did_and_forms_default_sensibly() {
    for world in World::each().await {
        let manager = world.browser(&world.manager).await;
        let p = world.programme.0;
        let moved = manager
            .post(&format!("/programmes/{p}/phase"), &[("to", "matching")])
            .await;
        let page = manager.get(moved.location.as_deref().unwrap()).await;
        assert!(page.body.contains("The programme moved to its new phase."));
        // From matching the usual next step, running, is offered first.
        let options = page
            .body
            .split("<select id=\"to\" name=\"to\">")
            .nth(1)
            .unwrap();
        assert!(
            options
                .trim_start()
                .starts_with("<option value=\"running\">"),
            "{:.80}",
            options
        );

        let rule = manager
            .post(
                &format!("/programmes/{p}/pair-rules"),
                &[
                    ("mentor", &world.alice_enrolment.0.to_string()),
                    ("mentee", &world.alice_enrolment.0.to_string()),
                    ("rule", "pin"),
                ],
            )
            .await;
        assert_eq!(
            rule.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "a mentor is not a mentee"
        );

        // A senior enrolling as a mentor is told what reverse mentoring expects.
        let ceo = world
            .app
            .create_account_as_operator(
                "ceo@x.org",
                "Cleo",
                upward_domain::Role::Participant,
                common::PASSWORD,
            )
            .await
            .unwrap();
        let ceo_browser = world.browser(&ceo).await;
        world
            .app
            .change_phase(
                &upward_app::policy::Manager::check(&world.manager).unwrap(),
                world.programme,
                upward_domain::Phase::Enrolling,
            )
            .await
            .unwrap();
        let form = ceo_browser
            .get(&format!("/programmes/{p}/enrol?role=mentor"))
            .await;
        assert!(
            form.body
                .contains("You are at level 20, in the senior half"),
            "advice for the senior"
        );
        assert!(
            form.body.contains("in your own time zone (Europe/London"),
            "the form names the time zone"
        );
        let alice = world.browser(&world.alice).await;
        let form = alice
            .get(&format!("/programmes/{p}/enrol?role=mentor"))
            .await;
        assert!(
            !form.body.contains("in the senior half"),
            "a junior mentor is what is expected"
        );

        // A missing time is said in a sentence.
        let mistake = alice
            .post(
                &format!("/programmes/{p}/enrol"),
                &[
                    ("role", "mentor"),
                    ("topic_0", "ai"),
                    ("score_0", "4"),
                    ("day_0", "Mon"),
                    ("start_0", "08:00"),
                    ("end_0", ""),
                    ("channel", "either"),
                    ("preferred_time", "any"),
                    ("consent", "on"),
                ],
            )
            .await;
        assert!(
            mistake
                .body
                .contains("a time is missing: give both a start and an end"),
            "{}",
            mistake.body
        );
    }
}

#[tokio::test]
async fn a_manager_adds_a_co_manager_from_the_manager_accounts_not_yet_running_it() {
    for world in World::each().await {
        for (email, name) in [("zoe.pm@x.org", "Zoe PM"), ("amir.pm@x.org", "Amir PM")] {
            let role = upward_domain::Role::Manager;
            let app = &world.app;
            app.create_account_as_operator(email, name, role, PASSWORD)
                .await
                .unwrap();
        }
        let manager = world.browser(&world.manager).await;
        let path = format!("/programmes/{}", world.programme.0);
        let page = manager.get(&path).await.body;
        // Manager accounts only, by address; not the admin, a participant or the manager.
        let co_managers = |page: &str| {
            let select = &page[page.find(r#"id="co-manager""#).unwrap()..];
            select[..select.find("</select>").unwrap()].to_owned()
        };
        let choices: Vec<String> = co_managers(&page)
            .split("<option value=\"")
            .skip(1)
            .map(|option| option.split('"').next().unwrap().to_owned())
            .collect();
        assert_eq!(choices, ["amir.pm@x.org", "zoe.pm@x.org"]);
        let added = manager
            .post(&format!("{path}/managers"), &[("email", "zoe.pm@x.org")])
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER);
        let page = manager.get(added.location.as_deref().unwrap()).await.body;
        assert!(
            page.contains("Zoe PM now manages this programme too."),
            "{page}"
        );
        assert!(page.contains(r#"aria-label="Remove Zoe PM as a manager">Remove<"#));
        // Two managers now, so each may leave. The own button's accessible name contains what
        // it shows (WCAG's label in name).
        assert!(
            page.contains(r#"aria-label="Stop managing this programme yourself">Stop managing<"#)
        );
        let left = co_managers(&page);
        assert!(left.contains("amir.pm@x.org") && !left.contains("zoe.pm@x.org"));

        let zoe = page
            .split("/managers/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        let remove = format!("{path}/managers/{zoe}/remove");
        let asked = manager.post(&remove, &[]).await;
        assert!(asked.body.contains("Remove Zoe PM as a manager?"));
        let removed = manager.post(&remove, &[("confirm", "yes")]).await;
        let page = manager.get(removed.location.as_deref().unwrap()).await.body;
        assert!(page.contains("The manager was removed"));
        assert!(co_managers(&page).contains("zoe.pm@x.org"), "offered again");
    }
}
