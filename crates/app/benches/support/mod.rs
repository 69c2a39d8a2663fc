//! What the product benchmarks share: whether to run at all, their size, and the programme
//! they set up.
#![allow(dead_code)] // each benchmark uses its part

use jiff::civil::date;
use upward_app::App;
use upward_app::policy::Manager;
use upward_domain::{Cadence, MatchingSettings, Phase, ProgrammeDraft, ProgrammeId};

/// `cargo bench` passes --bench; `cargo test --benches` passes nothing and expects no work.
pub fn benchmarking() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The size `variable` asks for, or `default`.
pub fn size(variable: &str, default: usize) -> usize {
    std::env::var(variable)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// A programme for 2027 with the default settings, moved through `phases`.
pub async fn programme(app: &App, manager: &Manager, phases: &[Phase]) -> ProgrammeId {
    let draft = ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: "Benchmark".into(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: date(2027, 1, 11),
        end_date: date(2027, 10, 29),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    };
    let programme = app
        .create_programme(manager, &draft)
        .await
        .expect("a programme")
        .programme
        .id;
    for &phase in phases {
        app.change_phase(manager, programme, phase)
            .await
            .expect("a phase");
    }
    programme
}
