//! The pairing lifecycle end to end on a real database (SQLite, and PostgreSQL when
//! configured): a run, its explained proposal, publication, private answers, the exploratory
//! meeting, a decline, an exit, and a re-match that keeps the active pairing.

use upward_app::policy::Manager;
use upward_app::{App, AppError, PairingAction, Settings};
use upward_domain::*;
use upward_store::testing::TestDatabase;

mod common;

// The CTO and the CFO report to the CEO; Ana reports to the CTO, Ben and Cat to the CFO. So
// nobody can mentor the CEO (everyone is in the CEO's reporting line), Ana cannot mentor the
// CTO, and neither Ben nor Cat the CFO.
const PEOPLE: &str = "email,name,job_level,manager_email,time_zone
ceo@x.org,Cleo CEO,20,,Europe/London
cto@x.org,Tom CTO,18,ceo@x.org,Europe/London
cfo@x.org,Fay CFO,17,ceo@x.org,Europe/London
ana@x.org,Ana Analyst,3,cto@x.org,Europe/London
ben@x.org,Ben Buyer,4,cfo@x.org,Europe/London
cat@x.org,Cat Clerk,2,cfo@x.org,Europe/London
";

const ENROLMENTS: &str = "email,role,offers,interests,availability
ana@x.org,mentor,cloud:5,,Mon 08:00-10:00
ben@x.org,mentor,social media:4,,Mon 08:00-10:00
cat@x.org,mentor,generative ai:3,,Mon 08:00-10:00
cto@x.org,mentee,,social media:5,Mon 08:00-10:00
cfo@x.org,mentee,,cloud:5,Mon 08:00-10:00
ceo@x.org,mentee,,generative ai:4,Mon 08:00-10:00
";

struct World {
    _db: TestDatabase,
    app: App,
    manager: Manager,
    programme: ProgrammeId,
}

impl World {
    async fn user(&self, email: &str) -> User {
        self.app
            .store
            .credentials(email)
            .await
            .unwrap()
            .unwrap()
            .user
    }

    async fn name_of(&self, enrolment: EnrolmentId) -> String {
        self.app.store.enrolment(enrolment).await.unwrap().name
    }

    async fn run(&self, incremental: bool) -> upward_app::RunView {
        let run = self
            .app
            .start_matching(&self.manager, self.programme, None, incremental)
            .await
            .unwrap();
        assert!(self.app.execute_run(run.id, &|_, _| {}).await.unwrap());
        self.app.run_view(&self.manager, run.id).await.unwrap()
    }

    /// Runs matching and publishes it; returns the pairing of the mentee with this email.
    async fn published_pairing_of(&self, mentee: &str) -> PairingId {
        let view = self.run(false).await;
        let published = self
            .app
            .publish_run(&self.manager, view.run.id)
            .await
            .unwrap();
        published
            .iter()
            .find(|p| p.mentee_email.as_str() == mentee)
            .unwrap()
            .id
    }

    async fn act(
        &self,
        email: &str,
        id: PairingId,
        action: PairingAction,
    ) -> upward_app::MyPairing {
        let user = self.user(email).await;
        self.app
            .act_on_pairing(&user, id, action, None)
            .await
            .unwrap_or_else(|e| panic!("{email} {action:?}: {e}"))
    }
}

async fn worlds() -> Vec<World> {
    let mut worlds = Vec::new();
    for db in TestDatabase::each_backend().await {
        let app = App::new(db.store(), Settings::default()).unwrap();
        let admin = common::admin(&app).await;
        for line in PEOPLE.lines().skip(1) {
            let email = line.split(',').next().unwrap();
            app.create_account_as_operator(email, email, Role::Participant, "a long password")
                .await
                .unwrap();
        }
        let (manager, programme) =
            common::matching_programme(&app, &admin, "Board digital fluency", PEOPLE, ENROLMENTS)
                .await;
        worlds.push(World {
            _db: db,
            app,
            manager,
            programme,
        });
    }
    worlds
}

#[tokio::test]
async fn a_run_proposes_the_best_pairs_and_says_why_everyone_else_is_unmatched() {
    for world in worlds().await {
        let view = world.run(false).await;
        assert_eq!(view.run.status, RunStatus::Done);
        let pairs: Vec<(&str, &str)> = view
            .pairs
            .iter()
            .map(|p| (p.mentor_name.as_str(), p.mentee_name.as_str()))
            .collect();
        assert_eq!(pairs.len(), 2);
        assert!(pairs.contains(&("Ana Analyst", "Fay CFO")), "{pairs:?}");
        assert!(pairs.contains(&("Ben Buyer", "Tom CTO")), "{pairs:?}");
        for pair in &view.pairs {
            let explanation = &pair.pair.explanation;
            assert_eq!(explanation.criteria.len(), 6);
            let sum: f64 = explanation.criteria.iter().map(|c| c.contribution).sum();
            assert!((sum - explanation.score).abs() < 1e-12);
        }
        let reasons: Vec<(&str, &str)> = view
            .unmatched
            .iter()
            .map(|u| (u.name.as_str(), u.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons.iter().any(|(name, reason)| *name == "Cleo CEO"
            && reason.contains("same reporting line")));
        assert!(
            reasons.iter().any(|(name, reason)| *name == "Cat Clerk"
                && reason.contains("serves the programme better"))
        );
        let summary = view.run.summary.unwrap();
        assert_eq!((summary.mentors, summary.mentees, summary.pairs), (3, 3, 2));
        assert!((summary.matched_share - 2.0 / 3.0).abs() < 1e-12);

        // A run is executed once: a second worker finds it taken.
        assert!(
            !world
                .app
                .execute_run(view.run.id, &|_, _| {})
                .await
                .unwrap()
        );
        let participant = world.user("ana@x.org").await;
        assert!(matches!(
            Manager::check(&participant),
            Err(AppError::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn consent_exploration_decline_exit_and_a_re_match_that_keeps_the_active_pair() {
    for world in worlds().await {
        let view = world.run(false).await;
        let published = world
            .app
            .publish_run(&world.manager, view.run.id)
            .await
            .unwrap();
        assert_eq!(published.len(), 2);
        let find = |mentee: &str| {
            published
                .iter()
                .find(|p| p.mentee_email.as_str() == mentee)
                .unwrap()
                .id
        };
        let (ana_fay, ben_tom) = (find("cfo@x.org"), find("cto@x.org"));

        // Nobody withdraws from under a live pairing: they decline or end it first.
        let tom = world.user("cto@x.org").await;
        let Err(AppError::Conflict(reason)) = world.app.withdraw(&tom, world.programme).await
        else {
            panic!("withdrawing with a live pairing must be refused");
        };
        assert!(reason.contains("decline or end it first"), "{reason}");

        // Each sees their own proposal, with why, and nothing of the other side's answer.
        let fay = world.user("cfo@x.org").await;
        let mine = world.app.my_pairings(&fay).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].partner_name, "Ana Analyst");
        assert_eq!(mine[0].partner_email, None);
        assert_eq!(
            mine[0].actions,
            [PairingAction::Accept, PairingAction::Decline]
        );
        assert_eq!(mine[0].explanation.criteria.len(), 6);
        world.act("ana@x.org", ana_fay, PairingAction::Accept).await;
        let seen_by_fay = world.app.my_pairing(&fay, ana_fay).await.unwrap();
        assert_eq!(seen_by_fay.status, "proposed: please accept or decline");
        assert_eq!(seen_by_fay.my_answer, Some(Answer::Pending));

        // Both accept: the exploratory meeting, where each may confirm or step back.
        let exploring = world.act("cfo@x.org", ana_fay, PairingAction::Accept).await;
        assert_eq!(exploring.state, "exploring");
        assert_eq!(exploring.partner_email.as_deref(), Some("ana@x.org"));
        world
            .act("cfo@x.org", ana_fay, PairingAction::Confirm)
            .await;
        let active = world
            .act("ana@x.org", ana_fay, PairingAction::Confirm)
            .await;
        assert_eq!(
            (active.state, active.actions.as_slice()),
            ("active", &[PairingAction::End][..])
        );

        // Ben declines; Tom is told only that it did not go ahead.
        let ben = world.user("ben@x.org").await;
        world
            .app
            .act_on_pairing(
                &ben,
                ben_tom,
                PairingAction::Decline,
                Some("my manager said no"),
            )
            .await
            .unwrap();
        let tom = world.user("cto@x.org").await;
        let seen_by_tom = world.app.my_pairing(&tom, ben_tom).await.unwrap();
        assert!(
            seen_by_tom
                .status
                .starts_with("this proposal did not go ahead")
        );
        let json = serde_json::to_string(&seen_by_tom).unwrap();
        assert!(!json.contains("my manager said no") && !json.contains("ben@x.org"));
        let managed = world
            .app
            .programme_pairings(&world.manager, world.programme)
            .await
            .unwrap();
        let declined = managed.iter().find(|p| p.id == ben_tom).unwrap();
        assert_eq!(declined.reason.as_deref(), Some("my manager said no"));
        assert_eq!(declined.state, PairingState::Declined { by: Side::Mentor });

        // Nobody else can see or touch a pairing; an illegal move is a conflict with a reason.
        let cat = world.user("cat@x.org").await;
        assert!(matches!(
            world.app.my_pairing(&cat, ana_fay).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            world
                .app
                .act_on_pairing(&cat, ana_fay, PairingAction::End, None)
                .await,
            Err(AppError::NotFound(_))
        ));
        let Err(AppError::Conflict(reason)) = world
            .app
            .act_on_pairing(&tom, ben_tom, PairingAction::Accept, None)
            .await
        else {
            panic!("accepting a declined proposal must be refused");
        };
        assert_eq!(reason, "a pairing that is declined cannot be accepted");

        // A full run cannot be published over live pairings: the manager is told whom it concerns.
        let full = world.run(false).await;
        let Err(AppError::Conflict(reason)) =
            world.app.publish_run(&world.manager, full.run.id).await
        else {
            panic!("a full run over live pairings must be refused");
        };
        assert!(
            reason.contains("already has a live pairing: run a re-match"),
            "{reason}"
        );

        // The re-match keeps Ana and Fay, never proposes Ben and Tom again, and finds Cat for Tom.
        let rematch = world.run(true).await;
        let mut again = Vec::new();
        for pair in &rematch.pairs {
            again.push((
                world.name_of(pair.pair.mentor).await,
                world.name_of(pair.pair.mentee).await,
            ));
        }
        assert_eq!(again, [("Cat Clerk".to_owned(), "Tom CTO".to_owned())]);
        assert_eq!(rematch.run.summary.unwrap().mentees, 2, "Tom and the CEO");
        world
            .app
            .publish_run(&world.manager, rematch.run.id)
            .await
            .unwrap();

        // Fay ends the active pairing without penalty; Ana sees only that it ended.
        world
            .app
            .act_on_pairing(
                &fay,
                ana_fay,
                PairingAction::End,
                Some("moving to another role"),
            )
            .await
            .unwrap();
        let ana = world.user("ana@x.org").await;
        let seen_by_ana = world.app.my_pairing(&ana, ana_fay).await.unwrap();
        assert_eq!(
            (seen_by_ana.state, seen_by_ana.status.as_str()),
            ("ended", "ended")
        );
        assert!(seen_by_ana.actions.is_empty());
        let audit = world.app.store.audit_log(50, None).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.actor == "cfo@x.org" && e.detail == "the mentee ended: active → ended")
        );
    }
}

#[tokio::test]
async fn both_sides_accepting_at_once_both_count() {
    for world in worlds().await {
        let pairing = world.published_pairing_of("cfo@x.org").await;
        let (ana, fay) = (world.user("ana@x.org").await, world.user("cfo@x.org").await);
        let mut tasks = Vec::new();
        for k in 0..8 {
            let app = world.app.clone();
            let user = if k % 2 == 0 { ana.clone() } else { fay.clone() };
            tasks.push(tokio::spawn(async move {
                app.act_on_pairing(&user, pairing, PairingAction::Accept, None)
                    .await
            }));
        }
        let mut accepted = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => accepted += 1,
                Err(AppError::Conflict(reason)) => assert!(
                    reason.contains("already accepted") || reason.contains("exploratory"),
                    "{reason}"
                ),
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(accepted, 2);
        assert_eq!(
            world.app.my_pairing(&ana, pairing).await.unwrap().state,
            "exploring"
        );
    }
}

#[tokio::test]
async fn upkeep_reminds_halfway_expires_at_the_end_and_runs_what_waits_in_the_queue() {
    use jiff::{SignedDuration, Timestamp};
    use upward_app::mail::LogMailer;
    for world in worlds().await {
        let ana_fay = world.published_pairing_of("cfo@x.org").await;
        world.act("ana@x.org", ana_fay, PairingAction::Accept).await;
        let day = SignedDuration::from_hours(24);
        let now = Timestamp::now();

        // Nothing to do on day 1; on day 4 of 7, a reminder to each person who has not answered.
        let quiet = world.app.upkeep(&LogMailer, now + day).await.unwrap();
        assert_eq!((quiet.reminded, quiet.expired), (0, 0));
        assert_eq!(quiet.mailed, 4, "the four proposals");
        let halfway = world.app.upkeep(&LogMailer, now + day * 4).await.unwrap();
        assert_eq!(halfway.reminded, 2, "both proposals");
        assert_eq!(halfway.mailed, 3, "three reminders");
        let outbox = world.app.store.outbox(50).await.unwrap();
        let reminded: Vec<&str> = outbox
            .iter()
            .filter(|m| m.mail.subject.starts_with("Reminder"))
            .map(|m| m.mail.recipient.as_str())
            .collect();
        assert_eq!(reminded.len(), 3);
        assert!(!reminded.contains(&"ana@x.org"), "Ana has answered");
        let again = world.app.upkeep(&LogMailer, now + day * 5).await.unwrap();
        assert_eq!(again.reminded, 0, "one reminder each");

        // After seven days both proposals expire, and may be proposed again.
        let late = world.app.upkeep(&LogMailer, now + day * 8).await.unwrap();
        assert_eq!(late.expired, 2);
        let fay = world.user("cfo@x.org").await;
        assert_eq!(
            world.app.my_pairing(&fay, ana_fay).await.unwrap().state,
            "expired"
        );
        assert!(
            world
                .app
                .store
                .excluded_pairs(world.programme)
                .await
                .unwrap()
                .is_empty()
        );

        // A run queued by a server that went away is run by the next upkeep; a run whose
        // server stopped half-way is marked failed.
        let orphan = world
            .app
            .start_matching(&world.manager, world.programme, None, false)
            .await
            .unwrap();
        let later = world
            .app
            .upkeep(&LogMailer, Timestamp::now() + SignedDuration::from_mins(1))
            .await
            .unwrap();
        assert_eq!(later.runs_started, 1);
        for _ in 0..500 {
            if world
                .app
                .store
                .matching_run(orphan.id)
                .await
                .unwrap()
                .status
                == RunStatus::Done
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(
            world
                .app
                .store
                .matching_run(orphan.id)
                .await
                .unwrap()
                .status,
            RunStatus::Done
        );
        let stalled = world
            .app
            .start_matching(&world.manager, world.programme, None, false)
            .await
            .unwrap();
        assert!(world.app.store.start_run(stalled.id).await.unwrap());
        // A minute of silence is not yet a lost server (the heartbeat beats every 15 s)...
        let soon = world
            .app
            .upkeep(&LogMailer, Timestamp::now() + SignedDuration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(soon.runs_failed, 0);
        // ...a minute and a half is.
        let much_later = world
            .app
            .upkeep(&LogMailer, Timestamp::now() + SignedDuration::from_secs(91))
            .await
            .unwrap();
        assert_eq!(much_later.runs_failed, 1);
        let failed = world.app.store.matching_run(stalled.id).await.unwrap();
        assert_eq!(failed.status, RunStatus::Failed);
        assert!(failed.error.unwrap().contains("start it again"));
    }
}

#[tokio::test]
async fn a_manager_pairs_people_by_hand_with_the_pair_s_score_and_the_rules_still_hold() {
    for world in worlds().await {
        let view = world.run(false).await;
        let id_of = |name: &str| {
            let pair = view
                .pairs
                .iter()
                .find(|p| p.mentor_name == name || p.mentee_name == name);
            let unmatched = view.unmatched.iter().find(|u| u.name == name);
            match (pair, unmatched) {
                (Some(p), _) if p.mentor_name == name => p.pair.mentor,
                (Some(p), _) => p.pair.mentee,
                (None, Some(u)) => u.enrolment,
                _ => panic!("{name} is not in the run"),
            }
        };
        let (cat, tom, ceo, ana) = (
            id_of("Cat Clerk"),
            id_of("Tom CTO"),
            id_of("Cleo CEO"),
            id_of("Ana Analyst"),
        );
        // Cat takes Tom from Ben: Ben is listed as freed, the pair carries its own score.
        let changed = world
            .app
            .pair_by_hand(&world.manager, view.run.id, cat, tom)
            .await
            .unwrap();
        let manual = changed
            .pairs
            .iter()
            .find(|p| p.mentee_name == "Tom CTO")
            .unwrap();
        assert_eq!(manual.mentor_name, "Cat Clerk");
        assert_eq!(manual.pair.origin, PairOrigin::Manual);
        assert!(manual.pair.explanation.score > 0.0);
        assert_eq!(manual.pair.explanation.criteria.len(), 6);
        let ben = changed
            .unmatched
            .iter()
            .find(|u| u.name == "Ben Buyer")
            .unwrap();
        assert!(ben.reason.starts_with("freed when the manager paired"));
        assert!(!changed.unmatched.iter().any(|u| u.name == "Cat Clerk"));
        let summary = changed.run.summary.unwrap();
        assert_eq!(summary.pairs, 2);

        // The hard rules still hold for pairs made by hand.
        for (mentor, mentee, problem) in [
            (cat, ceo, "reporting line"),
            (ana, tom, "reporting line"),
            (tom, cat, "choose a mentor"),
        ] {
            let Err(AppError::Invalid(problems)) = world
                .app
                .pair_by_hand(&world.manager, view.run.id, mentor, mentee)
                .await
            else {
                panic!("{problem}");
            };
            assert!(problems[0].problem.contains(problem), "{:?}", problems);
        }
        // Once published, a run is what was proposed.
        world
            .app
            .publish_run(&world.manager, view.run.id)
            .await
            .unwrap();
        assert!(matches!(
            world
                .app
                .pair_by_hand(&world.manager, view.run.id, ana, id_of("Fay CFO"))
                .await,
            Err(AppError::Conflict(_))
        ));
        let cat_user = world.user("cat@x.org").await;
        assert_eq!(
            world.app.my_pairings(&cat_user).await.unwrap()[0].partner_name,
            "Tom CTO"
        );
    }
}

#[tokio::test]
async fn two_servers_on_one_database_never_run_the_same_run_twice() {
    for world in worlds().await {
        let other_server = App::new(world.app.store.clone(), Settings::default()).unwrap();
        for _ in 0..5 {
            let run = world
                .app
                .start_matching(&world.manager, world.programme, None, false)
                .await
                .unwrap();
            let (a, b) = tokio::join!(
                world.app.execute_run(run.id, &|_, _| {}),
                other_server.execute_run(run.id, &|_, _| {})
            );
            assert_eq!(
                u8::from(a.unwrap()) + u8::from(b.unwrap()),
                1,
                "exactly one server ran it"
            );
            let stored = world.app.run_view(&world.manager, run.id).await.unwrap();
            assert_eq!(stored.pairs.len(), 2, "and its proposal is stored once");
        }
    }
}

#[tokio::test]
async fn pins_and_forbids_bind_the_next_run() {
    for world in worlds().await {
        let first = world.run(false).await;
        let id_of = |name: &str| {
            first
                .pairs
                .iter()
                .flat_map(|p| {
                    [
                        (p.mentor_name.as_str(), p.pair.mentor),
                        (p.mentee_name.as_str(), p.pair.mentee),
                    ]
                })
                .chain(
                    first
                        .unmatched
                        .iter()
                        .map(|u| (u.name.as_str(), u.enrolment)),
                )
                .find(|(n, _)| *n == name)
                .unwrap()
                .1
        };
        let (cat, tom, ana, fay) = (
            id_of("Cat Clerk"),
            id_of("Tom CTO"),
            id_of("Ana Analyst"),
            id_of("Fay CFO"),
        );
        use upward_store::PairRule;
        for (mentor, mentee, rule) in [(cat, tom, PairRule::Pin), (ana, fay, PairRule::Forbid)] {
            world
                .app
                .set_pair_rule(&world.manager, world.programme, mentor, mentee, Some(rule))
                .await
                .unwrap();
        }
        let Err(AppError::Invalid(problems)) = world
            .app
            .set_pair_rule(
                &world.manager,
                world.programme,
                tom,
                cat,
                Some(PairRule::Pin),
            )
            .await
        else {
            panic!("a mentee in the mentor's place must be refused");
        };
        assert!(problems[0].problem.contains("name a mentor and a mentee"));

        let second = world.run(false).await;
        let pinned = second
            .pairs
            .iter()
            .find(|p| p.mentee_name == "Tom CTO")
            .unwrap();
        assert_eq!(
            (pinned.mentor_name.as_str(), pinned.pair.origin),
            ("Cat Clerk", PairOrigin::Pinned)
        );
        let fay_reason = &second
            .unmatched
            .iter()
            .find(|u| u.name == "Fay CFO")
            .unwrap()
            .reason;
        assert!(
            fay_reason.contains("ruled out by the manager"),
            "{fay_reason}"
        );
    }
}

#[tokio::test]
async fn a_pin_the_pair_has_since_ended_lapses_and_the_run_says_so() {
    for world in worlds().await {
        let first = world.run(false).await;
        let toms = first
            .pairs
            .iter()
            .find(|p| p.mentee_name == "Tom CTO")
            .unwrap();
        let (mentor_name, cat, tom) =
            (toms.mentor_name.clone(), toms.pair.mentor, toms.pair.mentee);
        use upward_store::PairRule;
        world
            .app
            .set_pair_rule(
                &world.manager,
                world.programme,
                cat,
                tom,
                Some(PairRule::Pin),
            )
            .await
            .unwrap();
        // Tom's best mentor is pinned to him; the pair is published, and Tom declines it.
        let pairing = world.published_pairing_of("cto@x.org").await;
        world
            .act("cto@x.org", pairing, PairingAction::Decline)
            .await;

        // The next run does not fail on the pin: it lapses, is removed and the run says why.
        let next = world.run(false).await;
        assert_eq!(next.run.status, RunStatus::Done, "{:?}", next.run.error);
        let notes = &next.run.summary.as_ref().unwrap().notes;
        assert_eq!(notes.len(), 1, "{notes:?}");
        let expected = format!("The pin of {mentor_name} with Tom CTO lapsed");
        assert!(notes[0].contains(&expected), "{}", notes[0]);
        assert!(
            next.pairs
                .iter()
                .all(|p| !(p.pair.mentor == cat && p.pair.mentee == tom))
        );
        let rules = world
            .app
            .pair_rules(&world.manager, world.programme)
            .await
            .unwrap();
        assert!(
            rules.is_empty(),
            "the lapsed pin is gone from the programme's list"
        );
    }
}

#[tokio::test]
async fn the_programme_is_running_once_a_pairing_is_active() {
    for world in worlds().await {
        let pairing = world.published_pairing_of("cto@x.org").await;
        let mentor = world.app.store.pairing(pairing).await.unwrap().mentor_email;
        for email in ["cto@x.org", mentor.as_str()] {
            world.act(email, pairing, PairingAction::Accept).await;
        }
        let phase = |world: &World| {
            let app = world.app.clone();
            let id = world.programme;
            async move { app.store.programme(id).await.unwrap().phase }
        };
        assert_eq!(
            phase(&world).await,
            Phase::Matching,
            "exploring is not yet under way"
        );
        for email in ["cto@x.org", mentor.as_str()] {
            world.act(email, pairing, PairingAction::Confirm).await;
        }
        assert_eq!(phase(&world).await, Phase::Running);
        let audit = world.app.store.audit_log(5, None).await.unwrap();
        assert!(
            audit
                .iter()
                .any(|e| e.detail.contains("the first pairing became active"))
        );
    }
}

#[tokio::test]
async fn pairing_by_hand_offers_only_mentors_who_pass_every_rule() {
    for world in worlds().await {
        let view = world.run(false).await;
        let partners = world
            .app
            .hand_partners(&world.manager, view.run.id)
            .await
            .unwrap();
        let ceo = view
            .unmatched
            .iter()
            .find(|u| u.name == "Cleo CEO")
            .unwrap()
            .enrolment;
        let offered = &partners
            .iter()
            .find(|(mentee, _)| *mentee == ceo)
            .unwrap()
            .1;
        // Everyone reports to the CEO: no mentor may be offered.
        assert!(offered.is_empty(), "{offered:?}");
        for (mentee, mentors) in &partners {
            for (mentor, _) in mentors {
                // Whatever is offered is accepted.
                let view = world
                    .app
                    .pair_by_hand(&world.manager, view.run.id, *mentor, *mentee)
                    .await;
                assert!(view.is_ok(), "{:?}", view.err());
            }
        }
    }
}
