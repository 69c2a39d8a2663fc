//! One-time links, rate-limit counts and invitations, on SQLite and (when
//! `UPWARD_TEST_POSTGRES_URL` is set) PostgreSQL.

use jiff::{SignedDuration, Timestamp, civil::date};
use upward_domain::*;
use upward_store::testing::TestDatabase;
use upward_store::{AccessStore, Mail, NewLink, Store};

async fn each(test: impl AsyncFn(&dyn Store)) {
    for db in TestDatabase::each_backend().await {
        eprintln!("backend: {}", db.label());
        test(db.store.as_ref()).await;
    }
}

fn link(token: &str, email: &str, purpose: LinkPurpose, expires_at: Timestamp) -> NewLink {
    NewLink {
        token_hash: token.into(),
        email_key: email.into(),
        purpose,
        programme: None,
        expires_at,
    }
}

fn mail(to: &str, body: &str) -> Mail {
    Mail {
        recipient: to.into(),
        subject: "link".into(),
        body: body.into(),
    }
}

fn person(email: &str, level: i64, department: &str) -> Person {
    Person {
        email: Email::parse(email).unwrap(),
        name: format!("Name of {email}"),
        job_level: JobLevel::new(level).unwrap(),
        manager_email: None,
        department: Some(department.into()),
        location: None,
        time_zone: TimeZoneName::parse("Europe/London").unwrap(),
        birth_year: None,
        gender: None,
    }
}

async fn enrolling_programme(store: &dyn Store) -> ProgrammeId {
    let draft = ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: "Pilot".into(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: date(2027, 1, 4),
        end_date: date(2027, 9, 30),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    };
    store
        .create_programme(&draft, Phase::Enrolling, None, None)
        .await
        .unwrap()
        .id
}

#[tokio::test]
async fn a_link_works_once_for_its_purpose_and_before_it_expires() {
    each(async |store| {
        let now = Timestamp::now();
        let later = now + SignedDuration::from_mins(15);
        store
            .issue_link(
                &link("h1", "ana@x.org", LinkPurpose::SignIn, later),
                &mail("ana@x.org", "one"),
                now,
            )
            .await
            .unwrap();
        assert_eq!(store.outbox(10).await.unwrap()[0].mail.body, "one");
        // Another purpose's page does not accept it; looking does not use it.
        let reset = LinkPurpose::Reset;
        assert_eq!(store.live_link("h1", reset, now).await.unwrap(), None);
        assert_eq!(store.use_link("h1", reset, now).await.unwrap(), None);
        let sign_in = LinkPurpose::SignIn;
        assert!(store.live_link("h1", sign_in, now).await.unwrap().is_some());
        let used = store.use_link("h1", sign_in, now).await.unwrap().unwrap();
        assert_eq!(
            (used.email_key.as_str(), used.programme),
            ("ana@x.org", None)
        );
        assert_eq!(store.use_link("h1", sign_in, now).await.unwrap(), None);
        assert_eq!(store.live_link("h1", sign_in, now).await.unwrap(), None);

        store
            .issue_link(
                &link("h2", "ana@x.org", sign_in, later),
                &mail("ana@x.org", "two"),
                now,
            )
            .await
            .unwrap();
        assert_eq!(
            store.use_link("h2", sign_in, later).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(store.delete_expired_links(later).await.unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn a_newer_link_of_the_same_kind_replaces_the_older_one() {
    each(async |store| {
        let now = Timestamp::now();
        let later = now + SignedDuration::from_mins(60);
        let issue = async |token: &str, purpose| {
            store
                .issue_link(
                    &link(token, "ana@x.org", purpose, later),
                    &mail("ana@x.org", token),
                    now,
                )
                .await
                .unwrap();
        };
        issue("old", LinkPurpose::SignIn).await;
        issue("reset", LinkPurpose::Reset).await;
        issue("new", LinkPurpose::SignIn).await;
        assert_eq!(
            store
                .use_link("old", LinkPurpose::SignIn, now)
                .await
                .unwrap(),
            None
        );
        assert!(
            store
                .use_link("new", LinkPurpose::SignIn, now)
                .await
                .unwrap()
                .is_some()
        );
        // A link of another kind is left alone.
        assert!(
            store
                .use_link("reset", LinkPurpose::Reset, now)
                .await
                .unwrap()
                .is_some()
        );
    })
    .await;
}

#[tokio::test]
async fn simultaneous_uses_of_one_link_succeed_once() {
    for db in TestDatabase::each_backend().await {
        let store = db.store.clone();
        let now = Timestamp::now();
        let later = now + SignedDuration::from_mins(15);
        store
            .issue_link(
                &link("race", "ana@x.org", LinkPurpose::SignIn, later),
                &mail("ana@x.org", "x"),
                now,
            )
            .await
            .unwrap();
        let tries: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.use_link("race", LinkPurpose::SignIn, now).await })
            })
            .collect();
        let mut worked = 0;
        for attempt in tries {
            if attempt.await.unwrap().unwrap().is_some() {
                worked += 1;
            }
        }
        assert_eq!(worked, 1, "{}", db.label());
    }
}

#[tokio::test]
async fn request_counts_are_per_bucket_and_forget_old_events() {
    each(async |store| {
        let now = Timestamp::now();
        let window = now - SignedDuration::from_mins(15);
        let buckets = ["email:a".to_owned(), "client:1".to_owned()];
        store.count_request(&buckets, now, window).await.unwrap();
        let counts = store
            .count_request(&["email:b".to_owned(), "client:1".to_owned()], now, window)
            .await
            .unwrap();
        assert_eq!(counts, [1, 2]);
        let much_later = now + SignedDuration::from_mins(16);
        let counts = store
            .count_request(
                &buckets,
                much_later,
                much_later - SignedDuration::from_mins(15),
            )
            .await
            .unwrap();
        assert_eq!(counts, [1, 1], "events outside the window do not count");
        assert_eq!(store.delete_rate_events_before(now).await.unwrap(), 4);
    })
    .await;
}

#[tokio::test]
async fn invitations_are_not_sent_twice_within_the_resend_window_and_are_counted() {
    each(async |store| {
        store
            .upsert_people(&[
                person("ana@x.org", 3, "Tech"),
                person("ben@x.org", 5, "tech"),
                person("cy@x.org", 15, "Board"),
            ])
            .await
            .unwrap();
        let programme = enrolling_programme(store).await;
        let tech = Audience::filter(Some("TECH".into()), None, None).unwrap();
        let people = store.audience(&tech).await.unwrap();
        let keys: Vec<_> = people.iter().map(|p| p.email.key()).collect();
        assert_eq!(keys, ["ana@x.org", "ben@x.org"]);
        let seniors = Audience::filter(None, JobLevel::new(5).ok(), None).unwrap();
        assert_eq!(store.audience(&seniors).await.unwrap().len(), 2);
        let listed = Audience::emails("CY@x.org, ghost@x.org").unwrap();
        assert_eq!(
            store.audience(&listed).await.unwrap()[0].email.as_str(),
            "cy@x.org"
        );

        let now = Timestamp::now();
        let week = SignedDuration::from_hours(7 * 24);
        let invitations = |round: &str| -> Vec<(NewLink, Mail)> {
            keys.iter()
                .map(|key| {
                    let mut new = link(
                        &format!("{round}-{key}"),
                        key,
                        LinkPurpose::Invitation,
                        now + week * 2,
                    );
                    new.programme = Some(programme);
                    (new, mail(key, round))
                })
                .collect()
        };
        let sent = store
            .invite(
                programme,
                &invitations("first"),
                "hr@x.org",
                "Tech",
                now,
                now - week,
            )
            .await
            .unwrap();
        assert_eq!(sent, 2);
        let again = now + SignedDuration::from_hours(24);
        let sent = store
            .invite(
                programme,
                &invitations("second"),
                "hr@x.org",
                "Tech",
                again,
                again - week,
            )
            .await
            .unwrap();
        assert_eq!(sent, 0, "invited a day ago");
        let live = store
            .use_link("first-ana@x.org", LinkPurpose::Invitation, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(live.programme, Some(programme));
        store
            .mark_invitation_used(programme, "ana@x.org", now)
            .await
            .unwrap();
        store
            .save_enrolment(programme, "ana@x.org", &mentor())
            .await
            .unwrap();
        let counts = store.invitation_counts(programme).await.unwrap();
        assert_eq!(
            (counts.invited, counts.signed_in, counts.enrolled),
            (2, 1, 1)
        );
        let next_week = now + week + SignedDuration::from_mins(1);
        let sent = store
            .invite(
                programme,
                &invitations("third"),
                "hr@x.org",
                "Tech",
                next_week,
                next_week - week,
            )
            .await
            .unwrap();
        assert_eq!(sent, 2, "a week later both are invited again");
        assert_eq!(store.invitation_counts(programme).await.unwrap().invited, 2);
        let audit = store.audit_log(10, None).await.unwrap();
        assert_eq!(audit[0].action, "programme.invite");
        assert!(
            audit
                .iter()
                .any(|e| e.detail.contains("0 invited, 2 already invited"))
        );
    })
    .await;
}

fn mentor() -> EnrolmentProfile {
    EnrolmentProfile {
        role: EnrolmentRole::Mentor,
        offers: TopicLevels::parse("tiktok:5").unwrap(),
        interests: TopicLevels::default(),
        availability: Availability::parse("Mon 17:00-18:00").unwrap(),
        channel: Channel::Either,
        preferred_time: PreferredTime::Evening,
        big_five: None,
        statement: String::new(),
    }
}
