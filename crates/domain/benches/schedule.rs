//! How long a schedule proposal takes for one pair, at its largest: both people free every
//! weekday 08:00–18:00 (a few hundred candidate times), London with Singapore, weekly meetings
//! for a year across both clock changes. Prints the median of three runs of 20 proposals.
//!
//! cargo bench -p upward-domain --bench schedule

use std::time::Instant;

use jiff::civil::date;
use jiff::tz::TimeZone;
use upward_domain::schedule::{Attendee, ScheduleRequest, propose_schedule};
use upward_domain::{Availability, Cadence, Channel, PreferredTime};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --benches` runs nothing
    }
    let week = Availability::parse(
        "Mon 08:00-18:00;Tue 08:00-18:00;Wed 08:00-18:00;Thu 08:00-18:00;Fri 08:00-18:00",
    )
    .expect("slots");
    let (london, singapore) = (
        TimeZone::get("Europe/London").expect("a zone"),
        TimeZone::get("Asia/Singapore").expect("a zone"),
    );
    let attendee = |time_zone, preferred| Attendee {
        time_zone,
        availability: &week,
        preferred,
        channel: Channel::Either,
    };
    let request = ScheduleRequest {
        mentor: attendee(&london, PreferredTime::Afternoon),
        mentee: attendee(&singapore, PreferredTime::Morning),
        first_day: date(2027, 1, 4),
        last_day: date(2027, 12, 31),
        cadence: Cadence {
            virtual_every_weeks: Some(1),
            in_person_every_months: Some(1),
        },
        minutes: 60,
    };
    let mut per_run = Vec::new();
    let mut meetings = 0;
    for _ in 0..3 {
        let started = Instant::now();
        for _ in 0..20 {
            meetings = propose_schedule(&request)
                .expect("a proposal")
                .meetings
                .len();
        }
        per_run.push(started.elapsed().as_secs_f64() / 20.0);
    }
    per_run.sort_by(f64::total_cmp);
    println!(
        "one proposal, {meetings} meetings: median {:.2} ms",
        per_run[1] * 1000.0
    );
}
