//! Matching runs in the product: a manager queues a run, a worker claims it and feeds the
//! programme's enrolments to the engine (on a blocking thread: it is CPU work), and the
//! proposal is stored for review; publishing proposes every pair to both people.

mod cohort;

use std::time::Instant;

use serde::Serialize;
use upward_domain::{
    EnrolmentId, EnrolmentRole, MatchingRun, Pairing, Phase, ProgrammeId, ProposedPair, RunId,
    RunStatus, Weights,
};
use upward_store::{Mail, PairRule};

use crate::policy::Manager;
use crate::{App, AppError, AppResult};
use cohort::{Cohort, Records};

/// A proposed pair with the names a manager reads.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairView {
    #[serde(flatten)]
    pub pair: ProposedPair,
    pub mentor_name: String,
    pub mentee_name: String,
}

/// Someone a run left unmatched.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnmatchedView {
    pub enrolment: EnrolmentId,
    pub name: String,
    pub role: EnrolmentRole,
    pub reason: String,
}

/// A pin or forbid as the programme page lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairRuleView {
    pub mentor: EnrolmentId,
    pub mentee: EnrolmentId,
    pub mentor_name: String,
    pub mentee_name: String,
    pub rule: PairRule,
}

/// A run with its proposal, for review.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RunView {
    pub run: MatchingRun,
    pub pairs: Vec<PairView>,
    pub unmatched: Vec<UnmatchedView>,
}

impl App {
    /// Queues a matching run of the programme with `weights` (the programme's own if `None`).
    /// `incremental` keeps every live pairing and matches only the people without one: the
    /// re-match after declines and exits. The caller runs it with [`App::execute_run`] (the
    /// server does so in the background).
    pub async fn start_matching(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        weights: Option<Weights>,
        incremental: bool,
    ) -> AppResult<MatchingRun> {
        let programme = self.managed_programme(manager, programme).await?;
        if !matches!(programme.phase, Phase::Matching | Phase::Running) {
            return Err(AppError::Conflict(format!(
                "{} is {}: move it to matching first",
                programme.draft.name,
                programme.phase.label().to_lowercase()
            )));
        }
        let weights = weights.unwrap_or(programme.draft.matching.weights);
        let mut draft = programme.draft.clone();
        draft.matching.weights = weights;
        let weight_problems: Vec<_> = draft
            .problems()
            .into_iter()
            .filter(|p| p.field == "weights" || Weights::FIELDS.contains(&p.field))
            .collect();
        if !weight_problems.is_empty() {
            return Err(AppError::Invalid(weight_problems));
        }
        let run = self
            .store
            .create_run(
                programme.id,
                manager.user().email.as_str(),
                incremental,
                &weights,
            )
            .await?;
        self.audit_programme(
            manager.user(),
            "matching.start",
            programme.id,
            &format!(
                "run {}{}",
                run.id.0,
                if incremental { " (re-match)" } else { "" }
            ),
        )
        .await?;
        Ok(run)
    }

    /// Runs a queued run on this server in the background (the server's way to execute
    /// [`App::start_matching`]'s runs); failures are recorded on the run and logged.
    pub fn run_in_background(&self, id: RunId) {
        let app = self.clone();
        tokio::spawn(async move {
            if let Err(error) = app.execute_run(id, &|_, _| {}).await {
                tracing::warn!(run = id.0, %error, "matching run failed");
            }
        });
    }

    /// Runs a queued run to the end: claims it (a run already claimed elsewhere is left
    /// alone and `false` returned), loads the cohort, runs the engine and stores the proposal,
    /// or records why it failed. `progress` hears the stages, 0 to 1.
    pub async fn execute_run(
        &self,
        id: RunId,
        progress: &(dyn Fn(f64, &str) + Sync),
    ) -> AppResult<bool> {
        if !self.store.start_run(id).await? {
            return Ok(false);
        }
        // While the engine works, say every few seconds that this server is still at it; a run
        // whose heartbeat stops is failed by any server's upkeep (its server was killed).
        let store = self.store.clone();
        let heartbeat = tokio::spawn(async move {
            let mut beat = tokio::time::interval(crate::upkeep::RUN_HEARTBEAT);
            loop {
                beat.tick().await;
                if let Err(error) = store.touch_run(id).await {
                    tracing::warn!(run = id.0, %error, "the run's heartbeat failed");
                }
            }
        });
        let outcome = self.compute_run(id, progress).await;
        heartbeat.abort();
        match outcome {
            Ok(()) => Ok(true),
            Err(error) => {
                self.store.fail_run(id, &error.to_string()).await?;
                Err(error)
            }
        }
    }

    async fn compute_run(&self, id: RunId, progress: &(dyn Fn(f64, &str) + Sync)) -> AppResult<()> {
        let run = self.store.matching_run(id).await?;
        progress(0.05, "loading the cohort");
        let records = self.records(&run).await?;
        let cohort = Cohort::build(&records).map_err(AppError::Conflict)?;
        self.store.set_run_progress(id, 0.2).await?;
        progress(0.2, "matching");
        let started = Instant::now();
        let (cohort, proposal) = tokio::task::spawn_blocking(move || {
            let proposal = upward_matching::propose(
                &cohort.mentors,
                &cohort.mentees,
                &cohort.settings,
                &cohort.constraints,
            );
            (cohort, proposal)
        })
        .await
        .map_err(|e| anyhow::anyhow!("the matching engine stopped: {e}"))?;
        let proposal = proposal.map_err(|e| AppError::Conflict(e.to_string()))?;
        self.store.set_run_progress(id, 0.9).await?;
        progress(0.9, "storing the proposal");
        let result = cohort.result(&records, &proposal, started.elapsed());
        for (mentor, mentee) in &cohort.lapsed_pins {
            self.store
                .set_pair_rule(run.programme_id, *mentor, *mentee, None)
                .await?;
        }
        self.store.finish_run(id, &result).await?;
        progress(1.0, "done");
        Ok(())
    }

    /// Everything the engine needs for a run of this programme.
    async fn records(&self, run: &MatchingRun) -> AppResult<Records> {
        let programme = self.store.programme(run.programme_id).await?;
        Ok(Records {
            weights: run.weights,
            enrolments: self.store.matchable_enrolments(programme.id).await?,
            people: self.store.all_people().await?,
            live: if run.incremental {
                self.store.live_pairings(programme.id).await?
            } else {
                Vec::new()
            },
            excluded: self.store.excluded_pairs(programme.id).await?,
            rules: self.store.pair_rules(programme.id).await?,
            programme,
        })
    }

    /// Puts a mentor and a mentee together by hand in a finished run's proposal, with the
    /// score the engine gives the pair. The mentee's earlier partner, and the mentor's weakest
    /// pair if that is what makes room, are taken apart and listed as unmatched. Refused if
    /// the pair breaks a hard rule, said no before or is forbidden.
    pub async fn pair_by_hand(
        &self,
        manager: &Manager,
        id: RunId,
        mentor: EnrolmentId,
        mentee: EnrolmentId,
    ) -> AppResult<RunView> {
        let run = self.managed_run(manager, id).await?;
        if run.status != RunStatus::Done {
            return Err(AppError::Conflict(format!(
                "only a finished, unpublished run can be changed; this one is {}",
                run.status.as_str()
            )));
        }
        let records = self.records(&run).await?;
        let find = |id: EnrolmentId, role: EnrolmentRole| {
            records
                .enrolments
                .iter()
                .find(|e| e.id == id && e.profile.role == role)
                .ok_or_else(|| {
                    AppError::invalid(
                        "pair",
                        format!("choose a {} enrolled in this programme", role.as_str()),
                    )
                })
        };
        let (mentor_enrolment, mentee_enrolment) = (
            find(mentor, EnrolmentRole::Mentor)?,
            find(mentee, EnrolmentRole::Mentee)?,
        );
        let explanation = cohort::explain_pair(&records, mentor_enrolment, mentee_enrolment)
            .map_err(|problem| AppError::invalid("pair", problem))?;
        let mut result = self.store.run_result(id).await?;
        let capacity = usize::from(records.programme.draft.matching.mentor_capacity)
            .saturating_sub(records.live.iter().filter(|p| p.mentor == mentor).count());
        if capacity == 0 {
            return Err(AppError::Conflict(format!(
                "{} already has as many live pairings as the programme allows",
                mentor_enrolment.name
            )));
        }
        let mut freed = Vec::new();
        result.pairs.retain(|pair| {
            let goes = pair.mentee == mentee;
            if goes {
                freed.push((
                    pair.mentor,
                    "freed when the manager paired their mentee with someone else by hand",
                ));
            }
            !goes
        });
        let mut mentor_pairs: Vec<usize> = (0..result.pairs.len())
            .filter(|&k| result.pairs[k].mentor == mentor)
            .collect();
        if mentor_pairs.len() >= capacity {
            mentor_pairs.sort_by(|&a, &b| {
                result.pairs[a]
                    .explanation
                    .score
                    .total_cmp(&result.pairs[b].explanation.score)
            });
            let weakest = result.pairs.remove(mentor_pairs[0]);
            freed.push((
                weakest.mentee,
                "freed when the manager gave their mentor's place to someone else by hand",
            ));
        }
        result.pairs.push(ProposedPair {
            mentor,
            mentee,
            explanation,
            origin: upward_domain::PairOrigin::Manual,
        });
        result
            .unmatched
            .retain(|person| person.enrolment != mentor && person.enrolment != mentee);
        for (enrolment, reason) in freed {
            let still_paired = result
                .pairs
                .iter()
                .any(|p| p.mentor == enrolment || p.mentee == enrolment);
            if !still_paired && enrolment != mentor {
                result.unmatched.push(upward_domain::UnmatchedPerson {
                    enrolment,
                    reason: reason.into(),
                });
            }
        }
        result.unmatched.sort_by_key(|person| person.enrolment);
        result.summary = summarise(&result.pairs, result.summary);
        self.store.replace_run_result(id, &result).await?;
        self.audit_programme(
            manager.user(),
            "matching.manual_pair",
            run.programme_id,
            &format!(
                "run {}: {} ↔ {} by hand",
                id.0, mentor_enrolment.name, mentee_enrolment.name
            ),
        )
        .await?;
        self.run_view(manager, id).await
    }

    /// For each mentee a finished run left unmatched (the first 50), the mentors they could be
    /// paired with by hand, best first: only pairs that pass every rule are offered.
    pub async fn hand_partners(
        &self,
        manager: &Manager,
        id: RunId,
    ) -> AppResult<Vec<(EnrolmentId, Vec<(EnrolmentId, f64)>)>> {
        let run = self.managed_run(manager, id).await?;
        if run.status != RunStatus::Done {
            return Ok(Vec::new());
        }
        let result = self.store.run_result(id).await?;
        let records = self.records(&run).await?;
        let mut partners = Vec::new();
        for unmatched in result.unmatched.iter().take(50) {
            let Some(mentee) = records
                .enrolments
                .iter()
                .find(|e| e.id == unmatched.enrolment && e.profile.role == EnrolmentRole::Mentee)
            else {
                continue;
            };
            let mentors = cohort::eligible_mentors(&records, mentee).map_err(AppError::Conflict)?;
            partners.push((mentee.id, mentors));
        }
        Ok(partners)
    }

    /// A run and its proposal, with names.
    pub async fn run_view(&self, manager: &Manager, id: RunId) -> AppResult<RunView> {
        let run = self.managed_run(manager, id).await?;
        let result = self.store.run_result(id).await?;
        let enrolments = self.store.programme_enrolments(run.programme_id).await?;
        let named = |id: EnrolmentId| {
            enrolments
                .iter()
                .find(|e| e.id == id)
                .map(|e| (e.name.clone(), e.profile.role))
                .unwrap_or_else(|| ("(withdrawn)".into(), EnrolmentRole::Mentee))
        };
        let pairs = result
            .pairs
            .into_iter()
            .map(|pair| PairView {
                mentor_name: named(pair.mentor).0,
                mentee_name: named(pair.mentee).0,
                pair,
            })
            .collect();
        let unmatched = result
            .unmatched
            .into_iter()
            .map(|person| {
                let (name, role) = named(person.enrolment);
                UnmatchedView {
                    enrolment: person.enrolment,
                    name,
                    role,
                    reason: person.reason,
                }
            })
            .collect();
        Ok(RunView {
            run,
            pairs,
            unmatched,
        })
    }

    pub async fn programme_runs(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<MatchingRun>> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.programme_runs(programme).await?)
    }

    /// Publishes a done run: every pair becomes a proposal both people see and answer, and
    /// both are told by email. All or nothing.
    pub async fn publish_run(&self, manager: &Manager, id: RunId) -> AppResult<Vec<Pairing>> {
        let run = self.managed_run(manager, id).await?;
        if run.status != RunStatus::Done {
            return Err(AppError::Conflict(format!(
                "only a finished run can be published; this one is {}",
                run.status.as_str()
            )));
        }
        let programme = self.store.programme(run.programme_id).await?;
        let result = self.store.run_result(id).await?;
        let enrolments = self.store.programme_enrolments(programme.id).await?;
        let name_of = |id: EnrolmentId| {
            enrolments
                .iter()
                .find(|e| e.id == id)
                .map_or_else(|| format!("enrolment {}", id.0), |e| e.name.clone())
        };
        // Said here by name; the store refuses the same in its transaction, whatever races.
        let live = self.store.live_pairings(programme.id).await?;
        if let Some(pair) = result
            .pairs
            .iter()
            .find(|pair| live.iter().any(|p| p.mentee == pair.mentee))
        {
            return Err(AppError::Conflict(format!(
                "{} already has a live pairing: run a re-match, which keeps live pairings, and publish that",
                name_of(pair.mentee)
            )));
        }
        let capacity = usize::from(programme.draft.matching.mentor_capacity);
        for pair in &result.pairs {
            let seats = live.iter().filter(|p| p.mentor == pair.mentor).count()
                + result
                    .pairs
                    .iter()
                    .filter(|p| p.mentor == pair.mentor)
                    .count();
            if seats > capacity {
                return Err(AppError::Conflict(format!(
                    "{} would have {seats} pairings, more than the programme's {capacity}: run a re-match and publish that",
                    name_of(pair.mentor)
                )));
            }
        }
        let email_of = |id: EnrolmentId| {
            enrolments
                .iter()
                .find(|e| e.id == id)
                .map(|e| e.email.as_str().to_owned())
        };
        let mut mail = Vec::new();
        for pair in &result.pairs {
            for (id, other) in [(pair.mentor, "mentee"), (pair.mentee, "mentor")] {
                if let Some(recipient) = email_of(id) {
                    mail.push(Mail {
                        recipient,
                        subject: format!("{}: you have a proposed {other}", programme.draft.name),
                        body: format!(
                            "You have been matched with a {other} in {}. Log in to Upward at {}/ \
                             to see who, why you were matched, and to accept or decline within {} \
                             days. Your answer is private: the other person is never told who \
                             declined.",
                            programme.draft.name,
                            self.settings.base_url(),
                            programme.draft.matching.answer_days
                        ),
                    });
                }
            }
        }
        let due = jiff::Timestamp::now()
            + jiff::SignedDuration::from_hours(
                24 * i64::from(programme.draft.matching.answer_days),
            );
        Ok(self
            .store
            .publish_run(
                id,
                u32::from(programme.draft.matching.mentor_capacity),
                due,
                &mail,
                manager.user().email.as_str(),
            )
            .await?)
    }

    /// The programme's pins and forbids, with names, for the manager to review and remove.
    pub async fn pair_rules(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<PairRuleView>> {
        self.managed_programme(manager, programme).await?;
        let rules = self.store.pair_rules(programme).await?;
        let mut views = Vec::with_capacity(rules.len());
        for (mentor, mentee, rule) in rules {
            views.push(PairRuleView {
                mentor,
                mentee,
                mentor_name: self.store.enrolment(mentor).await?.name,
                mentee_name: self.store.enrolment(mentee).await?.name,
                rule,
            });
        }
        Ok(views)
    }

    /// Sets or clears the manager's pin or forbid for a pair; later runs honour it.
    pub async fn set_pair_rule(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        mentor: EnrolmentId,
        mentee: EnrolmentId,
        rule: Option<PairRule>,
    ) -> AppResult<()> {
        self.managed_programme(manager, programme).await?;
        let mentor_enrolment = self.store.enrolment(mentor).await?;
        let mentee_enrolment = self.store.enrolment(mentee).await?;
        let fits = mentor_enrolment.programme_id == programme
            && mentee_enrolment.programme_id == programme
            && mentor_enrolment.profile.role == EnrolmentRole::Mentor
            && mentee_enrolment.profile.role == EnrolmentRole::Mentee;
        if !fits {
            return Err(AppError::invalid(
                "pair",
                "name a mentor and a mentee enrolled in this programme",
            ));
        }
        self.store
            .set_pair_rule(programme, mentor, mentee, rule)
            .await?;
        self.audit_programme(
            manager.user(),
            "matching.rule",
            programme,
            &format!(
                "{} ↔ {}: {}",
                mentor_enrolment.name,
                mentee_enrolment.name,
                rule.map_or("cleared", PairRule::as_str)
            ),
        )
        .await
    }
}

/// The summary figures of a proposal after a change by hand: the counts of people offered to
/// the engine stay, the figures about pairs are counted again.
fn summarise(
    pairs: &[ProposedPair],
    before: upward_domain::RunSummary,
) -> upward_domain::RunSummary {
    let count = pairs.len() as f64;
    let mean = |value: &dyn Fn(&ProposedPair) -> f64| {
        if pairs.is_empty() {
            0.0
        } else {
            pairs.iter().map(value).sum::<f64>() / count
        }
    };
    upward_domain::RunSummary {
        pairs: pairs.len() as u32,
        matched_share: if before.mentees == 0 {
            0.0
        } else {
            count / f64::from(before.mentees)
        },
        mean_score: mean(&|pair| pair.explanation.score),
        mean_diversity: mean(&cohort::diversity_of),
        ..before
    }
}
