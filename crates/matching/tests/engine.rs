//! Hard rules and criteria with hand-computed values, and whole-cohort proposals.

use jiff::civil::{Weekday, date, time};
use jiff::tz::TimeZone;
use upward_matching::availability::LocalSlot;
use upward_matching::criteria::{self, Prepared, broken_rule};
use upward_matching::*;

fn slot(day: Weekday, start: (i8, i8), end: (i8, i8)) -> LocalSlot {
    LocalSlot {
        day,
        start: time(start.0, start.1, 0, 0),
        end: time(end.0, end.1, 0, 0),
    }
}

fn person(id: u32, level: u8) -> Participant {
    Participant {
        person: id,
        managers: vec![],
        level,
        department: None,
        location: None,
        time_zone: TimeZone::UTC,
        availability: vec![slot(Weekday::Monday, (9, 0), (12, 0))],
        channel: Channel::Either,
        time_of_day: TimeOfDay::Any,
        topics: vec![],
        big_five: None,
        birth_year: None,
        gender: None,
    }
}

fn settings() -> Settings {
    Settings {
        min_level_gap: 3,
        mentor_capacity: 1,
        session_minutes: 60,
        weights: Weights::default(),
        diversity: vec![
            Dimension::Generation,
            Dimension::Gender,
            Dimension::Location,
        ],
        reference_weeks: vec![date(2025, 1, 13)],
        objective: Objective::MaxCardinality,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn expertise_is_the_weighted_share_of_interests_the_mentor_covers() {
    let mut mentor = person(1, 3);
    mentor.topics = vec![(1, 4), (9, 5)];
    let mut mentee = person(2, 12);
    mentee.topics = vec![(1, 5), (2, 3)];
    // (4/5 · 5/5) / (5/5 + 3/5) = 0.8 / 1.6
    assert!(close(criteria::expertise(&mentor, &mentee), 0.5));
    mentee.topics.clear();
    assert_eq!(criteria::expertise(&mentor, &mentee), 0.0);
}

#[test]
fn diversity_counts_differences_and_half_for_unknowns() {
    let mut mentor = person(1, 3);
    mentor.birth_year = Some(2000); // generation Z
    mentor.gender = Some("woman".into());
    let mut mentee = person(2, 12);
    mentee.birth_year = Some(1970); // generation X
    mentee.gender = Some("Woman ".into());
    mentee.location = Some("Paris".into());
    let settings = settings();
    let (a, b) = (
        Prepared::new(&mentor, &settings),
        Prepared::new(&mentee, &settings),
    );
    // generation differs (1) + same gender (0) + mentor's location unknown (0.5), over 3.
    assert!(close(criteria::diversity(&a, &b, &settings.diversity), 0.5));
    assert_eq!(criteria::diversity(&a, &b, &[]), 0.0);
}

#[test]
fn level_gap_scores_the_levels_beyond_the_minimum_up_to_six() {
    assert!(close(
        criteria::level_gap(&person(1, 3), &person(2, 8), 3),
        2.0 / 6.0
    ));
    assert!(close(
        criteria::level_gap(&person(1, 3), &person(2, 15), 3),
        1.0
    ));
    assert_eq!(criteria::level_gap(&person(1, 3), &person(2, 6), 3), 0.0);
}

#[test]
fn personality_is_similarity_in_openness_and_conscientiousness() {
    let mut mentor = person(1, 3);
    mentor.big_five = Some([4.0, 3.0, 1.0, 5.0, 1.0]);
    let mut mentee = person(2, 12);
    mentee.big_five = Some([2.0, 3.5, 5.0, 1.0, 5.0]);
    // 1 − (2 + 0.5) / 8: the other traits do not count.
    assert!(close(criteria::personality(&mentor, &mentee), 0.6875));
    mentee.big_five = None;
    assert_eq!(criteria::personality(&mentor, &mentee), 0.5);
}

#[test]
fn channel_prefers_the_same_site_then_virtual_then_travel() {
    let settings = settings();
    let channel = |a: &Participant, b: &Participant| {
        criteria::channel(&Prepared::new(a, &settings), &Prepared::new(b, &settings))
    };
    let (mut a, mut b) = (person(1, 3), person(2, 12));
    a.location = Some("Lyon".into());
    b.location = Some(" lyon".into());
    assert_eq!(channel(&a, &b), 1.0);
    b.location = Some("Oslo".into());
    assert_eq!(channel(&a, &b), 0.75);
    (a.channel, b.channel) = (Channel::InPerson, Channel::InPerson);
    assert_eq!(channel(&a, &b), 0.25);
    b.channel = Channel::Virtual;
    assert_eq!(channel(&a, &b), 0.0);
}

#[test]
fn schedule_rewards_common_time_and_preferred_hours() {
    let settings = settings();
    let mentor = person(1, 3); // Monday 09:00-12:00 UTC, any time
    let mut mentee = person(2, 12);
    mentee.availability = vec![slot(Weekday::Monday, (10, 0), (13, 0))];
    mentee.time_of_day = TimeOfDay::Morning;
    let (a, b) = (
        Prepared::new(&mentor, &settings),
        Prepared::new(&mentee, &settings),
    );
    // 120 common minutes of 180 wanted (3 sessions), all of them in the morning.
    assert!(close(
        criteria::schedule(&a, &b, 60),
        0.5 * (120.0 / 180.0) + 0.5
    ));
    mentee.time_of_day = TimeOfDay::Evening;
    let b = Prepared::new(&mentee, &settings);
    assert!(close(criteria::schedule(&a, &b, 60), 0.5 * (120.0 / 180.0)));
}

#[test]
fn each_hard_rule_is_enforced() {
    let settings = settings();
    let mentor = person(1, 3);
    fn prepared<'a>(p: &'a Participant, settings: &Settings) -> Prepared<'a> {
        Prepared::new(p, settings)
    }
    assert_eq!(
        broken_rule(
            &prepared(&mentor, &settings),
            &prepared(&person(2, 5), &settings),
            &settings
        ),
        Some(HardRule::LevelGap)
    );
    let mut boss = person(2, 12);
    boss.managers = vec![];
    let mut report = mentor.clone();
    report.managers = vec![7, 2]; // the mentee is the mentor's manager's manager
    assert_eq!(
        broken_rule(
            &prepared(&report, &settings),
            &prepared(&boss, &settings),
            &settings
        ),
        Some(HardRule::ReportingChain)
    );
    let mut busy = person(3, 12);
    busy.availability = vec![slot(Weekday::Monday, (11, 30), (14, 0))]; // 30 minutes in common
    assert_eq!(
        broken_rule(
            &prepared(&mentor, &settings),
            &prepared(&busy, &settings),
            &settings
        ),
        Some(HardRule::Availability)
    );
    assert_eq!(
        broken_rule(
            &prepared(&mentor, &settings),
            &prepared(&person(4, 12), &settings),
            &settings
        ),
        None
    );
}

#[test]
fn availability_must_hold_across_a_daylight_saving_change() {
    // London Tuesday 15:00-16:00 and New York Tuesday 10:00-11:00 meet in January but not in
    // the weeks of March when only America has moved its clocks.
    let mut settings = settings();
    let mut mentor = person(1, 3);
    mentor.time_zone = TimeZone::get("Europe/London").unwrap();
    mentor.availability = vec![slot(Weekday::Tuesday, (15, 0), (16, 0))];
    let mut mentee = person(2, 12);
    mentee.time_zone = TimeZone::get("America/New_York").unwrap();
    mentee.availability = vec![slot(Weekday::Tuesday, (10, 0), (11, 0))];
    let rule = |settings: &Settings| {
        broken_rule(
            &Prepared::new(&mentor, settings),
            &Prepared::new(&mentee, settings),
            settings,
        )
    };
    assert_eq!(rule(&settings), None);
    settings.reference_weeks = availability::reference_weeks(date(2025, 1, 13), date(2025, 6, 30));
    assert_eq!(rule(&settings), Some(HardRule::Availability));
}

#[test]
fn contributions_add_up_to_the_score_with_normalised_weights() {
    let settings = settings();
    let mut mentor = person(1, 3);
    mentor.topics = vec![(1, 5)];
    let mut mentee = person(2, 9);
    mentee.topics = vec![(1, 5)];
    let explanation = criteria::explain(
        &Prepared::new(&mentor, &settings),
        &Prepared::new(&mentee, &settings),
        &settings,
    );
    let sum: f64 = explanation.criteria.iter().map(|c| c.contribution).sum();
    assert!(close(sum, explanation.score));
    let expertise = explanation
        .criteria
        .iter()
        .find(|c| c.criterion == Criterion::Expertise)
        .unwrap();
    // Weight 3 of a total of 9: a perfect expertise fit contributes a third.
    assert!(close(expertise.contribution, 1.0 / 3.0));
    assert!((0.0..=1.0).contains(&explanation.score));
}

#[test]
fn a_cohort_is_matched_optimally_not_greedily() {
    // Mentor 0 suits both mentees best; a greedy pass gives it to mentee 0 and leaves mentee 1
    // alone. The optimum gives mentee 0 to mentor 1 and matches both.
    let mut settings = settings();
    settings.weights = Weights {
        expertise: 1.0,
        diversity: 0.0,
        level_gap: 0.0,
        personality: 0.0,
        schedule: 0.0,
        channel: 0.0,
    };
    let mut m0 = person(10, 3);
    m0.topics = vec![(1, 5), (2, 5)];
    let mut m1 = person(11, 3);
    m1.topics = vec![(1, 4)];
    let mut e0 = person(20, 12);
    e0.topics = vec![(1, 5)];
    let mut e1 = person(21, 12);
    e1.topics = vec![(2, 5)];
    let proposal = propose(&[m0, m1], &[e0, e1], &settings, &Constraints::default()).unwrap();
    let pairs: Vec<(usize, usize)> = proposal
        .pairs
        .iter()
        .map(|p| (p.mentor, p.mentee))
        .collect();
    assert_eq!(pairs, [(1, 0), (0, 1)]);
    assert!(close(proposal.total_score, 0.8 + 1.0));
    assert!(proposal.unmatched_mentors.is_empty() && proposal.unmatched_mentees.is_empty());
}

#[test]
fn pins_forbids_and_unmatched_reasons() {
    let settings = settings();
    let mentors = [person(1, 3), person(2, 3)];
    let mut far = person(12, 12);
    far.availability = vec![slot(Weekday::Friday, (9, 0), (12, 0))];
    let mentees = [person(10, 12), person(11, 4), far, person(13, 12)];
    let mut constraints = Constraints {
        pinned: vec![(1, 3)],
        ..Constraints::default()
    };
    constraints.forbidden.insert((0, 3));
    let proposal = propose(&mentors, &mentees, &settings, &constraints).unwrap();
    let pairs: Vec<(usize, usize, bool)> = proposal
        .pairs
        .iter()
        .map(|p| (p.mentor, p.mentee, p.pinned))
        .collect();
    assert_eq!(pairs, [(0, 0, false), (1, 3, true)]);
    assert_eq!(
        proposal.unmatched_mentees,
        [
            (1, Unmatched::NoCandidate(HardRule::LevelGap)),
            (2, Unmatched::NoCandidate(HardRule::Availability))
        ]
    );

    // A third mentor with nobody left to take.
    let mentors = [person(1, 3), person(2, 3), person(3, 3)];
    let proposal = propose(&mentors, &mentees[..1], &settings, &Constraints::default()).unwrap();
    assert_eq!(
        proposal.unmatched_mentors.len(),
        2,
        "equal mentors: any one may win"
    );
    assert!(
        proposal
            .unmatched_mentors
            .iter()
            .all(|&(_, reason)| reason == Unmatched::CandidatesTaken)
    );

    // A mentor whose only candidate is pinned to another, and one too senior for everyone.
    let mentors = [person(1, 3), person(2, 3), person(3, 11)];
    let pinned = Constraints {
        pinned: vec![(0, 0)],
        ..Constraints::default()
    };
    let proposal = propose(&mentors, &mentees[..1], &settings, &pinned).unwrap();
    assert_eq!(
        proposal.unmatched_mentors,
        [
            (1, Unmatched::CandidatesTaken),
            (2, Unmatched::NoCandidate(HardRule::LevelGap))
        ]
    );
    // A mentee whose only possible mentor is pinned to someone else.
    let proposal = propose(
        &mentors[..1],
        &[person(10, 12), person(14, 12)],
        &settings,
        &Constraints {
            pinned: vec![(0, 1)],
            ..Constraints::default()
        },
    )
    .unwrap();
    assert_eq!(
        proposal.unmatched_mentees,
        [(0, Unmatched::CandidatesTaken)]
    );

    let bad_pin = Constraints {
        pinned: vec![(0, 1)],
        ..Constraints::default()
    };
    assert_eq!(
        propose(&mentors, &mentees, &settings, &bad_pin).unwrap_err(),
        MatchingError::PinBreaksRule {
            mentor: 0,
            mentee: 1,
            rule: HardRule::LevelGap
        }
    );
    let twice = Constraints {
        pinned: vec![(0, 0), (1, 0)],
        ..Constraints::default()
    };
    assert_eq!(
        propose(&mentors, &mentees, &settings, &twice).unwrap_err(),
        MatchingError::MenteePinnedTwice { mentee: 0 }
    );
}

#[test]
fn when_every_pair_ties_a_mentee_scores_only_its_shortlist() {
    // Every pair's bound is its score plus a rounding margin (without the schedule, whose
    // bound is looser); if that margin kept the scoring going, each mentee would score every
    // mentor (90,000 pairs here) instead of its 32 best.
    let mut settings = settings();
    settings.weights.schedule = 0.0;
    let alike = |id: u32, level: u8| {
        let mut p = person(id, level);
        p.topics = vec![(1, 3)];
        p
    };
    let mentors: Vec<Participant> = (0..300).map(|k| alike(k, 2)).collect();
    let mentees: Vec<Participant> = (0..300).map(|k| alike(1000 + k, 12)).collect();
    let proposal = propose(&mentors, &mentees, &settings, &Constraints::default()).unwrap();
    assert_eq!(proposal.pairs.len(), 300);
    assert!(
        proposal.scored_pairs <= 300 * 2 * 32,
        "{} pairs scored",
        proposal.scored_pairs
    );
}

#[test]
fn the_same_cohort_gives_the_same_proposal() {
    let settings = settings();
    let mentors: Vec<Participant> = (0..30)
        .map(|k| {
            let mut p = person(k, 2 + (k % 4) as u8);
            p.topics = vec![(k % 5, 3)];
            p
        })
        .collect();
    let mentees: Vec<Participant> = (0..30)
        .map(|k| {
            let mut p = person(100 + k, 9 + (k % 6) as u8);
            p.topics = vec![(k % 7, 4)];
            p
        })
        .collect();
    let first = propose(&mentors, &mentees, &settings, &Constraints::default()).unwrap();
    let second = propose(&mentors, &mentees, &settings, &Constraints::default()).unwrap();
    assert_eq!(first.pairs, second.pairs);
    assert_eq!(first.pairs.len(), 30);
}

#[test]
fn seats_taken_by_kept_pairings_reduce_a_mentor_s_capacity() {
    let mut settings = settings();
    settings.mentor_capacity = 2;
    let mentors = [person(1, 3)];
    let mentees = [person(10, 12), person(11, 12), person(12, 12)];
    let mut constraints = Constraints {
        seats_taken: vec![1],
        ..Constraints::default()
    };
    let proposal = propose(&mentors, &mentees, &settings, &constraints).unwrap();
    assert_eq!(proposal.pairs.len(), 1);
    constraints.seats_taken = vec![2];
    let proposal = propose(&mentors, &mentees, &settings, &constraints).unwrap();
    assert!(proposal.pairs.is_empty());
    assert!(
        proposal
            .unmatched_mentees
            .iter()
            .all(|&(_, reason)| reason == Unmatched::CandidatesTaken)
    );
}
