//! Matching runs and pairings on both engines: runs are claimed once, publication is all or
//! nothing, and no race breaks a mentor's capacity, a mentee's one live pairing or a pairing's
//! state.

use std::sync::Arc;

use jiff::{Timestamp, ToSpan, civil::date};
use upward_domain::*;
use upward_store::testing::TestDatabase;
use upward_store::{Mail, PairRule, Store, StoreError};

fn person(email: &str, level: i64) -> Person {
    Person {
        email: Email::parse(email).unwrap(),
        name: format!("Name of {email}"),
        job_level: JobLevel::new(level).unwrap(),
        manager_email: None,
        department: None,
        location: None,
        time_zone: TimeZoneName::parse("Europe/London").unwrap(),
        birth_year: None,
        gender: None,
    }
}

fn profile(role: EnrolmentRole) -> EnrolmentProfile {
    EnrolmentProfile {
        role,
        offers: if role == EnrolmentRole::Mentor {
            TopicLevels::parse("cloud:4").unwrap()
        } else {
            TopicLevels::default()
        },
        interests: if role == EnrolmentRole::Mentee {
            TopicLevels::parse("cloud:5").unwrap()
        } else {
            TopicLevels::default()
        },
        availability: Availability::parse("Mon 08:00-10:00").unwrap(),
        channel: Channel::Either,
        preferred_time: PreferredTime::Any,
        big_five: None,
        statement: String::new(),
    }
}

/// A programme with mentors `m0…` and mentees `e0…`; returns it with both lists of enrolments.
async fn cohort(
    store: &dyn Store,
    mentors: usize,
    mentees: usize,
) -> (Programme, Vec<EnrolmentId>, Vec<EnrolmentId>) {
    let people: Vec<Person> = (0..mentors)
        .map(|k| person(&format!("m{k}@x.org"), 3))
        .chain((0..mentees).map(|k| person(&format!("e{k}@x.org"), 14)))
        .collect();
    store.upsert_people(&people).await.unwrap();
    let draft = ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: "Board digital fluency".into(),
        purpose: "Digital fluency".into(),
        objectives: Objective::parse_list("tech-upskilling").unwrap(),
        learning_expectations: String::new(),
        start_date: date(2027, 1, 4),
        end_date: date(2027, 9, 30),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    };
    let programme = store
        .create_programme(&draft, Phase::Enrolling, None, None)
        .await
        .unwrap();
    let enrol = async |email: String, role| {
        store
            .save_enrolment(programme.id, &email, &profile(role))
            .await
            .unwrap()
            .id
    };
    let mut mentor_ids = Vec::new();
    for k in 0..mentors {
        mentor_ids.push(enrol(format!("m{k}@x.org"), EnrolmentRole::Mentor).await);
    }
    let mut mentee_ids = Vec::new();
    for k in 0..mentees {
        mentee_ids.push(enrol(format!("e{k}@x.org"), EnrolmentRole::Mentee).await);
    }
    let programme = store
        .change_phase(programme.id, Phase::Enrolling, Phase::Matching)
        .await
        .unwrap();
    (programme, mentor_ids, mentee_ids)
}

fn pair(mentor: EnrolmentId, mentee: EnrolmentId, score: f64) -> ProposedPair {
    ProposedPair {
        mentor,
        mentee,
        explanation: PairExplanation {
            score,
            criteria: vec![CriterionPart {
                criterion: Criterion::Expertise,
                value: score,
                weight: 3.0,
                contribution: score,
            }],
        },
        origin: PairOrigin::Engine,
    }
}

/// A run taken to `done` with these pairs.
async fn done_run(store: &dyn Store, programme: &Programme, pairs: Vec<ProposedPair>) -> RunId {
    let run = store
        .create_run(programme.id, "manager@x.org", false, &Weights::default())
        .await
        .unwrap();
    assert!(store.start_run(run.id).await.unwrap());
    let result = RunResult {
        summary: RunSummary {
            pairs: pairs.len() as u32,
            ..RunSummary::default()
        },
        pairs,
        unmatched: vec![],
    };
    store.finish_run(run.id, &result).await.unwrap();
    run.id
}

fn due() -> Timestamp {
    Timestamp::now() + 168.hours()
}

async fn each(test: impl AsyncFn(Arc<dyn Store>)) {
    for db in TestDatabase::each_backend().await {
        eprintln!("backend: {}", db.label());
        test(db.store()).await;
    }
}

#[tokio::test]
async fn a_run_is_started_once_and_its_proposal_is_kept_as_stored() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 2, 2).await;
        let run = store
            .create_run(programme.id, "manager@x.org", true, &Weights::default())
            .await
            .unwrap();
        assert_eq!((run.status, run.incremental), (RunStatus::Queued, true));
        assert!(store.start_run(run.id).await.unwrap());
        assert!(
            !store.start_run(run.id).await.unwrap(),
            "a second worker gets nothing"
        );
        store.set_run_progress(run.id, 0.5).await.unwrap();
        assert_eq!(store.matching_run(run.id).await.unwrap().progress, 0.5);
        let result = RunResult {
            pairs: vec![pair(mentors[0], mentees[1], 0.75)],
            unmatched: vec![UnmatchedPerson {
                enrolment: mentees[0],
                reason: "no mentor with overlapping availability".into(),
            }],
            summary: RunSummary {
                mentors: 2,
                mentees: 2,
                pairs: 1,
                matched_share: 0.5,
                mean_score: 0.75,
                mean_diversity: 0.5,
                seconds: 0.01,
                notes: vec!["A pin lapsed.".into()],
            },
        };
        store.finish_run(run.id, &result).await.unwrap();
        assert_eq!(store.run_result(run.id).await.unwrap(), result);
        let stored = store.matching_run(run.id).await.unwrap();
        assert_eq!((stored.status, stored.progress), (RunStatus::Done, 1.0));
        assert!(matches!(
            store.finish_run(run.id, &result).await,
            Err(StoreError::Conflict { .. })
        ));
        let failed = store
            .create_run(programme.id, "manager@x.org", false, &Weights::default())
            .await
            .unwrap();
        store
            .fail_run(failed.id, "the engine stopped")
            .await
            .unwrap();
        let failed = store.matching_run(failed.id).await.unwrap();
        assert_eq!(failed.status, RunStatus::Failed);
        assert_eq!(failed.error.as_deref(), Some("the engine stopped"));
        assert_eq!(store.programme_runs(programme.id).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn publishing_is_all_or_nothing_and_keeps_capacity_and_one_live_pairing() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 2, 3).await;
        let mail = [Mail {
            recipient: "e0@x.org".into(),
            subject: "You have a proposed match".into(),
            body: "…".into(),
        }];
        let first = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[0], mentees[0], 0.9)],
        )
        .await;
        let published = store
            .publish_run(first, 1, due(), &mail, "manager@x.org")
            .await
            .unwrap();
        assert_eq!(published.len(), 1);
        assert_eq!(published[0].state, PairingState::PUBLISHED);
        assert_eq!(published[0].mentee_email.as_str(), "e0@x.org");
        assert_eq!(published[0].mentor_name, "Name of m0@x.org");
        assert!(matches!(
            store
                .publish_run(first, 1, due(), &[], "manager@x.org")
                .await,
            Err(StoreError::Conflict { .. })
        ));

        // Mentor 0 has no seat left: the whole second run is refused, its good pair too.
        let second = done_run(
            store.as_ref(),
            &programme,
            vec![
                pair(mentors[1], mentees[1], 0.8),
                pair(mentors[0], mentees[2], 0.7),
            ],
        )
        .await;
        let error = store
            .publish_run(second, 1, due(), &[], "manager@x.org")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("capacity"), "{error}");
        assert_eq!(
            store.programme_pairings(programme.id).await.unwrap().len(),
            1
        );
        assert_eq!(
            store.matching_run(second).await.unwrap().status,
            RunStatus::Done
        );

        // Mentee 0 already has a live pairing.
        let third = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[1], mentees[0], 0.8)],
        )
        .await;
        let error = store
            .publish_run(third, 1, due(), &[], "manager@x.org")
            .await
            .unwrap_err();
        assert!(error.to_string().contains("live pairing"), "{error}");
        // With capacity 2 the second run goes through.
        assert_eq!(
            store
                .publish_run(second, 2, due(), &[], "manager@x.org")
                .await
                .unwrap()
                .len(),
            2
        );
        let audit = store.audit_log(10, None).await.unwrap();
        assert!(audit.iter().any(|e| e.action == "matching.publish"));
    })
    .await;
}

#[tokio::test]
async fn a_pairing_changes_only_from_the_version_read_and_frees_the_seat_when_it_ends() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 1, 2).await;
        let run = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[0], mentees[0], 0.9)],
        )
        .await;
        let pairing = store
            .publish_run(run, 1, due(), &[], "manager@x.org")
            .await
            .unwrap()
            .remove(0);
        let counts = async || store.pairing_counts(programme.id).await.unwrap();
        assert_eq!(counts().await, [("proposed".to_owned(), 1)]);
        let accept = PairingEvent::Accept(Side::Mentor);
        let after = store
            .update_pairing(&pairing, accept, None, "m0@x.org", &[])
            .await
            .unwrap();
        assert_eq!(after.state.answer(Side::Mentor), Some(Answer::Yes));
        assert_eq!(
            counts().await,
            [("proposed".to_owned(), 1)],
            "an answer is no move"
        );
        assert_eq!(after.version, pairing.version + 1);
        // Someone who read the old version is refused; so is a move the rules forbid.
        let decline = PairingEvent::Decline(Side::Mentee);
        assert!(matches!(
            store
                .update_pairing(&pairing, decline, None, "e0@x.org", &[])
                .await,
            Err(StoreError::Conflict { .. })
        ));
        let error = store
            .update_pairing(&after, accept, None, "m0@x.org", &[])
            .await
            .unwrap_err();
        assert_eq!(error.to_string(), "the mentor has already accepted");
        let after = store
            .update_pairing(&after, decline, Some("no time this year"), "e0@x.org", &[])
            .await
            .unwrap();
        assert_eq!(after.state, PairingState::Declined { by: Side::Mentee });
        // Kept counts (migration 0020) follow the move: a state left empty is not listed.
        assert_eq!(counts().await, [("declined".to_owned(), 1)]);
        assert_eq!(after.reason.as_deref(), Some("no time this year"));
        assert_eq!(
            store.excluded_pairs(programme.id).await.unwrap(),
            [(mentors[0], mentees[0])]
        );
        assert!(store.live_pairings(programme.id).await.unwrap().is_empty());
        // The mentor's seat is free again, and the audit trail has both changes.
        let next = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[0], mentees[1], 0.5)],
        )
        .await;
        store
            .publish_run(next, 1, due(), &[], "manager@x.org")
            .await
            .unwrap();
        assert_eq!(
            counts().await,
            [("declined".to_owned(), 1), ("proposed".to_owned(), 1)]
        );
        let audit = store.audit_log(20, None).await.unwrap();
        let changes: Vec<&str> = audit
            .iter()
            .filter(|e| e.action == "pairing.state")
            .map(|e| e.detail.as_str())
            .collect();
        assert_eq!(
            changes,
            [
                "the mentee declined: proposed → declined",
                "the mentor accepted: proposed → proposed"
            ]
        );
        assert_eq!(
            store.person_pairings("m0@x.org").await.unwrap().len(),
            2,
            "both pairings of the mentor, newest first"
        );
    })
    .await;
}

#[tokio::test]
async fn many_simultaneous_accepts_make_one_consistent_pairing() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 1, 1).await;
        let run = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[0], mentees[0], 0.9)],
        )
        .await;
        let id = store
            .publish_run(run, 1, due(), &[], "manager@x.org")
            .await
            .unwrap()[0]
            .id;
        // Twelve clicks at once, six from each side: each side's acceptance lands once, the
        // rest are told it already happened, and nothing is lost to the race.
        let tasks: Vec<_> = (0..12)
            .map(|k| {
                let store = store.clone();
                let side = if k % 2 == 0 {
                    Side::Mentor
                } else {
                    Side::Mentee
                };
                tokio::spawn(async move {
                    let accept = PairingEvent::Accept(side);
                    loop {
                        let current = store.pairing(id).await.unwrap();
                        if current.state.apply(accept).is_err() {
                            return false;
                        }
                        match store.update_pairing(&current, accept, None, "x", &[]).await {
                            Ok(_) => return true,
                            Err(StoreError::Conflict { .. }) => continue,
                            Err(other) => panic!("{other}"),
                        }
                    }
                })
            })
            .collect();
        let mut landed = 0;
        for task in tasks {
            landed += usize::from(task.await.unwrap());
        }
        assert_eq!(landed, 2);
        let pairing = store.pairing(id).await.unwrap();
        assert_eq!(
            pairing.state,
            PairingState::Exploring {
                mentor: Answer::Pending,
                mentee: Answer::Pending
            }
        );
        assert_eq!(pairing.version, 2);
    })
    .await;
}

#[tokio::test]
async fn simultaneous_publications_never_exceed_a_mentor_s_capacity() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 1, 6).await;
        let mut runs = Vec::new();
        for mentee in &mentees {
            runs.push(
                done_run(
                    store.as_ref(),
                    &programme,
                    vec![pair(mentors[0], *mentee, 0.5)],
                )
                .await,
            );
        }
        let tasks: Vec<_> = runs
            .into_iter()
            .map(|run| {
                let store = store.clone();
                tokio::spawn(async move { store.publish_run(run, 2, due(), &[], "m").await })
            })
            .collect();
        let mut published = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => published += 1,
                Err(StoreError::Conflict { .. }) => {}
                Err(other) => panic!("{other}"),
            }
        }
        assert_eq!(published, 2);
        assert_eq!(store.live_pairings(programme.id).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn pair_rules_are_set_replaced_and_cleared() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 2, 1).await;
        store
            .set_pair_rule(programme.id, mentors[0], mentees[0], Some(PairRule::Pin))
            .await
            .unwrap();
        store
            .set_pair_rule(programme.id, mentors[1], mentees[0], Some(PairRule::Forbid))
            .await
            .unwrap();
        store
            .set_pair_rule(programme.id, mentors[0], mentees[0], Some(PairRule::Forbid))
            .await
            .unwrap();
        assert_eq!(
            store.pair_rules(programme.id).await.unwrap(),
            [
                (mentors[0], mentees[0], PairRule::Forbid),
                (mentors[1], mentees[0], PairRule::Forbid)
            ]
        );
        store
            .set_pair_rule(programme.id, mentors[0], mentees[0], None)
            .await
            .unwrap();
        assert_eq!(store.pair_rules(programme.id).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn withdrawing_keeps_the_history_and_re_enrolling_brings_the_same_enrolment_back() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 1, 1).await;
        let run = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[0], mentees[0], 0.9)],
        )
        .await;
        let pairing = store
            .publish_run(run, 1, due(), &[], "manager@x.org")
            .await
            .unwrap()
            .remove(0);
        let decline = PairingEvent::Decline(Side::Mentee);
        store
            .update_pairing(&pairing, decline, None, "e0@x.org", &[])
            .await
            .unwrap();

        store.withdraw_enrolment(mentees[0]).await.unwrap();
        assert!(
            store
                .enrolment_of(programme.id, "e0@x.org")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .programme_enrolments(programme.id)
                .await
                .unwrap()
                .iter()
                .all(|e| e.id != mentees[0])
        );
        assert!(
            store
                .matchable_enrolments(programme.id)
                .await
                .unwrap()
                .iter()
                .all(|e| e.id != mentees[0])
        );
        assert_eq!(
            store.programme_pairings(programme.id).await.unwrap().len(),
            1,
            "the pairing stays"
        );
        assert!(matches!(
            store.withdraw_enrolment(mentees[0]).await,
            Err(StoreError::NotFound { .. })
        ));

        let refused = store
            .save_enrolment(programme.id, "e0@x.org", &profile(EnrolmentRole::Mentee))
            .await
            .unwrap_err();
        assert!(
            matches!(refused, StoreError::Invalid { .. }),
            "no one enrols themselves while the programme is matching: {refused:?}"
        );
        store
            .change_phase(programme.id, Phase::Matching, Phase::Enrolling)
            .await
            .unwrap();
        let back = store
            .save_enrolment(programme.id, "e0@x.org", &profile(EnrolmentRole::Mentee))
            .await
            .unwrap();
        assert_eq!(back.id, mentees[0], "the same enrolment comes back");
        assert_eq!(
            store.excluded_pairs(programme.id).await.unwrap(),
            [(mentors[0], mentees[0])],
            "the refusal survives withdrawal and re-enrolment"
        );
    })
    .await;
}

/// The meetings of one pair in the engagement test: `(week, what happened, when it was logged)`
/// with weeks counted from 4 January 2027 at 09:00 UTC.
type Plan = Vec<(i64, Option<Outcome>, i64)>;

fn week(n: i64) -> Timestamp {
    "2027-01-04T09:00:00Z".parse::<Timestamp>().unwrap() + (168 * n).hours()
}

fn held() -> Option<Outcome> {
    Some(Outcome::Held {
        minutes: 60,
        channel: schedule::MeetingChannel::Virtual,
        topics: vec![],
        notes: "ours".into(),
    })
}

fn cancelled(by: Side) -> Option<Outcome> {
    Some(Outcome::Cancelled {
        by,
        rescheduled: false,
        notes: String::new(),
    })
}

fn missed() -> Option<Outcome> {
    Some(Outcome::Missed {
        notes: String::new(),
    })
}

#[tokio::test]
async fn engagement_summaries_computed_in_the_database_agree_with_the_domain_s() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 6, 6).await;
        let pairs = (0..6).map(|k| pair(mentors[k], mentees[k], 0.5)).collect();
        let run = done_run(store.as_ref(), &programme, pairs).await;
        let published = store
            .publish_run(run, 1, due(), &[], "manager@x.org")
            .await
            .unwrap();
        // Week 10 is "now": logs made later (cancellations ahead of time, made after now) and
        // meetings not yet logged must not count.
        let now = week(10) + 1.hours();
        let plans: Vec<Plan> = vec![
            vec![],
            vec![(1, None, 0), (3, None, 0)],
            vec![
                (1, held(), 1),
                (3, cancelled(Side::Mentee), 2),
                (5, held(), 5),
                (7, cancelled(Side::Mentee), 6),
                (9, cancelled(Side::Mentee), 6),
                (11, cancelled(Side::Mentor), 11),
                (13, None, 0),
            ],
            vec![
                (2, missed(), 2),
                (4, cancelled(Side::Mentor), 4),
                (6, held(), 6),
                (8, missed(), 8),
                (12, None, 0),
            ],
            vec![
                (0, held(), 0),
                (1, held(), 1),
                (2, cancelled(Side::Mentee), 1),
                (3, cancelled(Side::Mentee), 1),
                (4, held(), 4),
                (5, held(), 5),
                (6, missed(), 6),
                (7, held(), 7),
                (8, held(), 8),
            ],
        ];
        let mut active = Vec::new();
        for (pairing, plan) in published.iter().zip(&plans) {
            let mut current = pairing.clone();
            for event in [
                PairingEvent::Accept(Side::Mentor),
                PairingEvent::Accept(Side::Mentee),
                PairingEvent::Confirm(Side::Mentor),
                PairingEvent::Confirm(Side::Mentee),
            ] {
                current = store
                    .update_pairing(&current, event, None, "x@x.org", &[])
                    .await
                    .unwrap();
            }
            assert!(
                current.active_since.is_some(),
                "stamped when it became active"
            );
            active.push(current.id);
            if plan.is_empty() {
                continue;
            }
            let series = schedule::ScheduleProposal {
                meetings: plan
                    .iter()
                    .map(|&(n, ..)| schedule::ProposedMeeting {
                        start: week(n),
                        end: week(n) + 1.hours(),
                        channel: schedule::MeetingChannel::Virtual,
                        mentor_cost: 0,
                        mentee_cost: 0,
                        moved: false,
                    })
                    .collect(),
                weekly_times: vec![],
                skipped_weeks: vec![],
            };
            for side in [Side::Mentor, Side::Mentee] {
                store
                    .accept_schedule(&current, side, &series, "x@x.org", &[])
                    .await
                    .unwrap();
            }
            let meetings = store.pairing_meetings(current.id).await.unwrap();
            for (meeting, (_, outcome, logged)) in meetings.iter().zip(plan.iter()) {
                if let Some(outcome) = outcome {
                    let at = week(*logged) + 2.hours();
                    let next = meeting.log(outcome.clone(), at).unwrap();
                    let entry = upward_store::NewAuditEntry {
                        actor: "x@x.org",
                        action: "meeting.outcome",
                        subject: "test",
                        detail: "",
                        programme: None,
                    };
                    store.save_meeting(meeting, &next, &entry).await.unwrap();
                }
            }
        }
        let summaries = store
            .engagement_summaries(programme.id, None, now, 4)
            .await
            .unwrap();
        assert_eq!(
            summaries.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
            active[..5],
            "the active pairings, not the proposed sixth"
        );
        for (id, facts) in &summaries {
            let meetings = store.pairing_meetings(*id).await.unwrap();
            assert_eq!(
                facts.meetings,
                engagement::MeetingSummary::of(&meetings, now, 4),
                "pairing {id:?}"
            );
            assert!(!facts.agreement_signed);
        }
        assert!(
            summaries[2].1.meetings.recent.len() == 4 && summaries[4].1.meetings.recent.len() == 4
        );
        let one = store
            .engagement_summaries(programme.id, Some(&[active[3]]), now, 4)
            .await
            .unwrap();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].1, summaries[3].1);
        // Both signatures make the agreement signed; one is not enough.
        let signer = store.pairing(active[3]).await.unwrap();
        store
            .sign_agreement(&signer, Side::Mentor, 1, "m3@x.org")
            .await
            .unwrap();
        let half = store
            .engagement_summaries(programme.id, Some(&[active[3]]), now, 4)
            .await
            .unwrap();
        assert!(!half[0].1.agreement_signed);
        assert!(
            !store
                .sign_agreement(&signer, Side::Mentor, 2, "m3@x.org")
                .await
                .unwrap(),
            "once"
        );
        store
            .sign_agreement(&signer, Side::Mentee, 2, "e3@x.org")
            .await
            .unwrap();
        let both = store
            .engagement_summaries(programme.id, Some(&[active[3]]), now, 4)
            .await
            .unwrap();
        assert!(both[0].1.agreement_signed);
        let signatures = store.signatures(active[3]).await.unwrap();
        assert_eq!(
            signatures
                .iter()
                .map(|s| (s.side, s.version))
                .collect::<Vec<_>>(),
            [(Side::Mentee, 2), (Side::Mentor, 1)]
        );
        let none = store
            .engagement_summaries(programme.id, Some(&[]), now, 4)
            .await
            .unwrap();
        assert!(none.is_empty());
    })
    .await;
}

/// No use case deletes a pairing today, but deleting an enrolment or a programme would, by
/// cascade; the kept counts (migration 0020) must follow a deleted pairing as they follow a
/// new one or a move.
#[tokio::test]
async fn kept_pairing_counts_follow_a_deleted_pairing() {
    use sqlx::{Connection, Executor};
    for db in TestDatabase::each_backend().await {
        let store = db.store();
        let (programme, mentors, mentees) = cohort(store.as_ref(), 2, 2).await;
        let pairs = vec![
            pair(mentors[0], mentees[0], 0.9),
            pair(mentors[1], mentees[1], 0.8),
        ];
        let run = done_run(store.as_ref(), &programme, pairs).await;
        let published = store
            .publish_run(run, 1, due(), &[], "manager@x.org")
            .await
            .unwrap();
        let counts = async || store.pairing_counts(programme.id).await.unwrap();
        assert_eq!(
            counts().await,
            [("proposed".to_owned(), 2)],
            "{}",
            db.label()
        );
        let mut raw = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        raw.execute(sqlx::AssertSqlSafe(format!(
            "DELETE FROM pairings WHERE id = {}",
            published[0].id.0
        )))
        .await
        .unwrap();
        raw.close().await.ok();
        assert_eq!(
            counts().await,
            [("proposed".to_owned(), 1)],
            "{}",
            db.label()
        );
    }
}

/// A publication writes its programme's kept pairing counts once, at its end, not once per
/// pairing (decision 035; `TestDatabase::row_position` says why a row's position tells).
#[tokio::test]
async fn a_publication_writes_its_kept_counts_once_on_postgresql() {
    let Ok(server) = std::env::var(upward_store::testing::POSTGRES_URL_VARIABLE) else {
        return;
    };
    let db = TestDatabase::postgres(&server).await;
    let store = db.store();
    let (programme, mentors, mentees) = cohort(store.as_ref(), 40, 40).await;
    let pairs = (0..40).map(|k| pair(mentors[k], mentees[k], 0.8)).collect();
    let run = done_run(store.as_ref(), &programme, pairs).await;
    store
        .publish_run(run, 1, due(), &[], "manager@x.org")
        .await
        .unwrap();
    let condition = format!("programme_id = {} AND state = 'proposed'", programme.id.0);
    let position = db.row_position("pairing_counts", &condition).await;
    assert!(
        position.0 == 0 && position.1 <= 2,
        "made, then written once: at {position:?}"
    );
    let counts = store.pairing_counts(programme.id).await.unwrap();
    assert_eq!(counts, [("proposed".to_owned(), 40)]);
}

/// A publication's mail goes into the outbox several hundred to a statement; every message
/// arrives whole, in order, on both engines.
#[tokio::test]
async fn a_publication_queues_all_its_mail() {
    each(async |store| {
        let (programme, mentors, mentees) = cohort(store.as_ref(), 1, 1).await;
        let run = done_run(
            store.as_ref(),
            &programme,
            vec![pair(mentors[0], mentees[0], 0.9)],
        )
        .await;
        let mail: Vec<Mail> = (0..601)
            .map(|n| Mail {
                recipient: format!("person{n}@x.org"),
                subject: format!("Subject {n}"),
                body: format!("Body {n}, with a ' and a \\ in it"),
            })
            .collect();
        store
            .publish_run(run, 1, due(), &mail, "manager@x.org")
            .await
            .unwrap();
        let mut queued = store.outbox(1000).await.unwrap();
        queued.reverse();
        let queued: Vec<&Mail> = queued.iter().map(|entry| &entry.mail).collect();
        assert_eq!(queued, mail.iter().collect::<Vec<_>>());
    })
    .await;
}

/// A programme's goal figures count its own pairs' goals only, read by the programme each goal
/// names (migration 0023), whatever other programmes hold.
#[tokio::test]
async fn goal_figures_count_the_programme_s_own_goals() {
    each(async |store| {
        let mut published = Vec::new();
        for _ in 0..2 {
            let (programme, mentors, mentees) = cohort(store.as_ref(), 2, 2).await;
            let pairs = vec![
                pair(mentors[0], mentees[0], 0.9),
                pair(mentors[1], mentees[1], 0.8),
            ];
            let run = done_run(store.as_ref(), &programme, pairs).await;
            let pairings = store.publish_run(run, 1, due(), &[], "manager@x.org");
            published.push((programme.id, pairings.await.unwrap()));
        }
        let goal = |progress, outcome| GoalDraft {
            what: "Learn SQL".into(),
            why: String::new(),
            by_when: None,
            progress,
            outcome,
        };
        let (first, first_pairings) = &published[0];
        for draft in [
            goal(40, None),
            goal(80, None),
            goal(100, Some(GoalOutcome::Achieved)),
        ] {
            let pairing = &first_pairings[0];
            store
                .add_goal(pairing, &draft, 5, "m0@x.org")
                .await
                .unwrap();
        }
        let (second, second_pairings) = &published[1];
        for pairing in second_pairings {
            let draft = goal(10, Some(GoalOutcome::NotAchieved));
            store
                .add_goal(pairing, &draft, 5, "m0@x.org")
                .await
                .unwrap();
        }
        assert_eq!(
            store.goal_figures(*first).await.unwrap(),
            GoalFigures {
                pairings_with_goals: 1,
                goals: 3,
                achieved: 1,
                partly_achieved: 0,
                not_achieved: 0,
                open: 2,
                mean_progress: 60.0,
            }
        );
        assert_eq!(
            store.goal_figures(*second).await.unwrap(),
            GoalFigures {
                pairings_with_goals: 2,
                goals: 2,
                not_achieved: 2,
                ..GoalFigures::default()
            }
        );
    })
    .await;
}
