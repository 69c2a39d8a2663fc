//! Byte-level fuzzing of what reads untrusted text, on the stable toolchain (proptest): the
//! CSV importers, the availability and topic parsers, and emails never panic, whatever the
//! bytes, and a file they accept only holds clean values. Bounded cases, so CI stays fast;
//! raise `cases` below to search longer. A crash found becomes a regression test below.

use std::collections::HashSet;

use proptest::prelude::*;
use upward_app::import::{parse_enrolments, parse_people};
use upward_domain::{Availability, Email, TopicLevels};

/// Bytes that look like CSV often enough to get past the header: a real header, then rows
/// mixing plausible cells with arbitrary bytes, separators, quotes and line breaks.
fn csv_like(header: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let cell = prop_oneof![
        "[a-z0-9@. :;-]{0,12}",
        any::<String>(),
        Just("\"".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{0}".to_owned()),
        Just("\u{FEFF}".to_owned()),
    ];
    let row = prop::collection::vec(cell, 0..10).prop_map(|cells| cells.join(","));
    (prop::collection::vec(row, 0..8), any::<Vec<u8>>()).prop_map(move |(rows, tail)| {
        let mut bytes = format!("{header}\n{}", rows.join("\n")).into_bytes();
        bytes.extend(tail.into_iter().take(64));
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_people_importer_never_panics(bytes in prop_oneof![any::<Vec<u8>>(), csv_like("email,name,job_level,manager_email,department,location,time_zone,birth_year,gender")]) {
        if let Ok(people) = parse_people(&bytes, &[], 2026) {
            for person in people {
                prop_assert!(upward_domain::text::visible(&person.name).is_ok());
                prop_assert!(person.email.as_str().is_ascii());
            }
        }
    }

    #[test]
    fn the_enrolment_importer_never_panics(bytes in prop_oneof![any::<Vec<u8>>(), csv_like("email,role,offers,interests,availability,channel,preferred_time,statement")]) {
        let directory: HashSet<String> = ["a@x.org".to_owned()].into();
        if let Ok(rows) = parse_enrolments(&bytes, &directory) {
            for (email, profile) in rows {
                prop_assert!(directory.contains(&email));
                prop_assert!(upward_domain::text::visible(&profile.statement).is_ok());
            }
        }
    }

    #[test]
    fn the_text_parsers_never_panic(text in any::<String>()) {
        let _ = Availability::parse(&text);
        let _ = TopicLevels::parse(&text);
        if let Ok(email) = Email::parse(&text) {
            prop_assert!(email.as_str().is_ascii());
        }
        let _ = upward_domain::text::visible(&text);
    }
}
