//! The access matrix, proven: every route of the router is called as every kind of caller
//! (anonymous, the two people of a pairing, a participant of another pairing, a mentor lead,
//! a manager of another programme, the programme's manager, an admin, an identity provider)
//! and whether it got through must be what `docs/access-matrix.md` says. The routes come from
//! the router itself (`upward_web::route_table`), so a new route is walked without new test
//! code, and the committed table must be the one the router prints.
//!
//! Each route is called on its own copy of one prepared database, so what an allowed caller
//! changes (a withdrawal, an erased person, a revoked token) cannot change what the next
//! caller meets. The checks run on SQLite: access is decided in the application layer, above
//! the store, the same for both engines.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use common::{CSRF, PASSWORD, World};
use tower::ServiceExt;
use upward_app::policy::{Admin, Manager};
use upward_app::{App, PairingAction, Settings};
use upward_domain::*;
use upward_store::SqlStore;
use upward_store::testing::TestDatabase;
use upward_web::{Persona, RouteEntry};

/// How a kind of caller presents itself.
#[derive(Clone, Default)]
struct Credentials {
    /// A session cookie value, for pages.
    session: Option<String>,
    /// A bearer token for the API (or, for an identity provider, for SCIM).
    bearer: Option<String>,
}

/// The prepared database and what the requests need to name in it.
struct Fixture {
    _dir: tempfile::TempDir,
    snapshot: PathBuf,
    callers: Vec<(Persona, Credentials)>,
    programme: ProgrammeId,
    run: RunId,
    pairing: PairingId,
    enrolment: EnrolmentId,
    partner_enrolment: EnrolmentId,
    participant: User,
    participant_person: String,
    participant_token_id: String,
    manager: User,
    scim_token_id: i64,
    /// A meeting and a goal of the participant's pairing, and their calendar feed's last
    /// segment.
    meeting: i64,
    goal: i64,
    feed: String,
    /// The address of an OpenID provider's discovery document, so the SSO routes can start.
    issuer: String,
}

/// What the pair wrote about a meeting: only its two members may ever read it.
const PAIR_NOTE: &str = "Note-for-the-pair-only-7f3a";
const PAIR_TOPIC: &str = "Topic-for-the-pair-only-9c1e";
const PAIR_GOAL: &str = "Goal-for-the-pair-only-4b2d";

/// Juniors enrolled as mentees, too close in level to anyone to be matched.
const EXTRA_PEOPLE: &str = "email,name,job_level,time_zone,location
lead@x.org,Lea Lead,5,Europe/Paris,Paris
admin@x.org,Ada Admin,5,Europe/Paris,Paris
manager@x.org,Max Manager,5,Europe/Paris,Paris
other@x.org,Olga Other,5,Europe/Paris,Paris
";

/// The common world (Alice enrolled as a mentor), plus: Bob a second mentor; Dan and Eve
/// seniors enrolled as mentees (not Cleo: she manages both mentors); a mentor lead, both
/// managers and the admin enrolled too (too close in level to be matched); a finished, published run, so Alice has a pairing and Bob
/// another; a manager running a second programme; an API token for everyone and a SCIM token.
async fn fixture() -> Fixture {
    let world = World::new(TestDatabase::sqlite().await).await;
    let app = &world.app;
    let admin = Admin::check(&world.admin).unwrap();
    let account = async |email: &str, role| {
        app.create_account_as_operator(email, email, role, PASSWORD)
            .await
            .unwrap()
    };
    let dan = world.enrolled_mentee("dan@x.org", "Dan D", 16).await;
    let eve = world.enrolled_mentee("eve@x.org", "Eve E", 18).await;
    let lead = account("lead@x.org", Role::Participant).await;
    let other = account("other@x.org", Role::Manager).await;
    app.import_people(&admin, EXTRA_PEOPLE.as_bytes())
        .await
        .unwrap();
    app.enrol(
        &world.bob,
        world.programme,
        &common::mentor_profile(""),
        true,
    )
    .await
    .unwrap();
    for person in [&lead, &world.admin, &world.manager, &other] {
        app.enrol(person, world.programme, &common::mentee_profile(), true)
            .await
            .unwrap();
    }
    let run = world.finished_run().await;
    let manager = Manager::check(&world.manager).unwrap();
    let published = app.publish_run(&manager, run).await.unwrap();
    let of = |mentor: &User| {
        published
            .iter()
            .find(|p| p.mentor_email == mentor.email)
            .unwrap_or_else(|| panic!("{} has a pairing", mentor.email))
    };
    let alices = of(&world.alice);
    of(&world.bob);
    let partner = [&eve, &dan]
        .into_iter()
        .find(|p| p.email == alices.mentee_email)
        .unwrap();
    // Alice's pair goes all the way to a settled schedule, so its meetings exist.
    for action in [PairingAction::Accept, PairingAction::Confirm] {
        for person in [&world.alice, partner] {
            app.act_on_pairing(person, alices.id, action, None)
                .await
                .unwrap();
        }
    }
    for person in [&world.alice, partner] {
        app.accept_schedule(person, alices.id).await.unwrap();
    }
    let meeting = app.pairing_meetings(&world.alice, alices.id).await.unwrap()[0]
        .id
        .0;
    // The pair's own note on it, which no route may show anyone else.
    let cancelled = upward_app::meetings::OutcomeRequest {
        status: "cancelled".into(),
        cancelled_by: Some("mentee".into()),
        minutes: None,
        topics: Some(upward_app::meetings::Topics::Line(PAIR_TOPIC.into())),
        notes: Some(PAIR_NOTE.into()),
        channel: None,
        rescheduled: Some(true),
    };
    app.log_meeting(&world.alice, upward_domain::MeetingId(meeting), cancelled)
        .await
        .unwrap();
    let goal = upward_app::goals::GoalRequest {
        what: Some(PAIR_GOAL.into()),
        why: Some(PAIR_NOTE.into()),
        ..Default::default()
    };
    let goal = app
        .add_goal(&world.alice, alices.id, goal)
        .await
        .unwrap()
        .id
        .0;
    app.sign_agreement(&world.alice, alices.id, Default::default())
        .await
        .unwrap();
    let feed_url = app.calendar_feed_url(&world.alice).await.unwrap();
    let feed = feed_url.rsplit('/').next().unwrap().to_owned();

    let mut draft = app
        .programme(&world.admin, world.programme)
        .await
        .unwrap()
        .programme
        .draft;
    draft.name = "Programme B".into();
    app.create_programme(&Manager::check(&other).unwrap(), &draft)
        .await
        .unwrap();

    let scim_token = app.create_scim_token(&admin, "matrix").await.unwrap();
    let scim_token_id = app.scim_tokens(&admin).await.unwrap()[0].id;
    let mut callers = vec![(Persona::Anonymous, Credentials::default())];
    for (persona, user) in [
        (Persona::Participant, &world.alice),
        (Persona::Partner, partner),
        (Persona::OtherPair, &world.bob),
        (Persona::MentorLead, &lead),
        (Persona::OtherManager, &other),
        (Persona::Manager, &world.manager),
        (Persona::Admin, &world.admin),
    ] {
        let credentials = Credentials {
            session: Some(app.start_session(user).await.unwrap()),
            bearer: Some(world.token(user).await),
        };
        callers.push((persona, credentials));
    }
    callers.push((
        Persona::ScimClient,
        Credentials {
            session: None,
            bearer: Some(scim_token.clone()),
        },
    ));
    let participant_token_id = app.my_api_tokens(&world.alice).await.unwrap()[0].id.clone();
    let (_, found) = world
        .get(
            "/scim/v2/Users?filter=userName%20eq%20%22alice@x.org%22",
            Some(&scim_token),
        )
        .await;
    let participant_person = found["Resources"][0]["id"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("snapshot.db");
    world.db.store.backup_to(&snapshot).await.unwrap();
    Fixture {
        _dir: dir,
        snapshot,
        callers,
        programme: world.programme,
        run,
        pairing: alices.id,
        enrolment: world.alice_enrolment,
        partner_enrolment: alices.mentee,
        participant: world.alice.clone(),
        participant_person,
        participant_token_id,
        manager: world.manager.clone(),
        scim_token_id,
        meeting,
        goal,
        feed,
        issuer: discovery_document().await,
    }
}

/// Serves an OpenID provider's discovery document and an empty key set on a local port:
/// enough for `/sso/start` to build its redirect. Signing in through a real provider is the
/// browser journey `sso.test.mjs`; here only who may reach the route matters.
async fn discovery_document() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let document = serde_json::json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let provider = Router::new()
        .route(
            "/.well-known/openid-configuration",
            axum::routing::get(move || async move { axum::Json(document) }),
        )
        .route(
            "/jwks",
            axum::routing::get(|| async { axum::Json(serde_json::json!({"keys": []})) }),
        );
    tokio::spawn(async move { axum::serve(listener, provider).await });
    issuer
}

impl Fixture {
    /// The route's address with each parameter naming the fixture's own thing: the pairing
    /// of the participant, their enrolment and token, the programme and its run.
    fn address(&self, path: &str) -> String {
        let segments: Vec<&str> = path.split('/').collect();
        let mut out = Vec::with_capacity(segments.len());
        for (i, segment) in segments.iter().enumerate() {
            let before = if i > 0 { segments[i - 1] } else { "" };
            let value = match (*segment, before) {
                ("{id}", "programmes") => self.programme.0.to_string(),
                ("{id}", "runs") => self.run.0.to_string(),
                ("{id}", "pairings") => self.pairing.0.to_string(),
                ("{id}", "enrolments") => self.enrolment.0.to_string(),
                ("{id}", "meetings") => self.meeting.to_string(),
                ("{id}", "goals") => self.goal.to_string(),
                ("{feed}", _) => self.feed.clone(),
                ("{id}", "users" | "accounts") => self.participant.id.0.to_string(),
                ("{id}", "Users") => self.participant_person.clone(),
                ("{id}", "tokens") if path.starts_with("/admin/provisioning") => {
                    self.scim_token_id.to_string()
                }
                ("{id}", "tokens") => self.participant_token_id.clone(),
                ("{id}", "ResourceTypes") => "User".into(),
                ("{id}", "Schemas") => "urn:ietf:params:scim:schemas:core:2.0:User".into(),
                ("{user}", _) => self.manager.id.0.to_string(),
                ("{action}", _) => "accept".into(),
                ("{token}", _) => "no-such-token".into(),
                (other, _) if other.starts_with('{') => {
                    panic!("{path}: the access matrix test does not know what {other} names")
                }
                (literal, _) => literal.into(),
            };
            out.push(value);
        }
        out.join("/")
    }

    /// A router over a fresh copy of the prepared database.
    async fn fresh_router(&self, dir: &Path) -> Router {
        let copy = dir.join("upward.db");
        std::fs::copy(&self.snapshot, &copy).unwrap();
        let store = SqlStore::connect(&format!("sqlite://{}", copy.display()))
            .await
            .unwrap();
        let settings = Settings {
            oidc_issuer: Some(self.issuer.clone()),
            oidc_client_id: Some("upward".into()),
            ..Settings::default()
        };
        upward_web::router(App::new(Arc::new(store), settings).unwrap())
    }
}

/// Bodies for the routes whose guard needs a valid request to be reached: their input is
/// read before the programme is looked up, so an empty body would be refused for being empty
/// (422) whoever sends it. `{mentor}` and `{mentee}` name the pairing's two enrolments.
const SAMPLES: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/login",
        "email=alice%40x.org&password=correct+horse+battery",
    ),
    ("POST", "/programmes/{id}/phase", "to=closed"),
    ("POST", "/programmes/{id}/invitations", "kind=everyone"),
    (
        "POST",
        "/programmes/{id}/pair-rules",
        "mentor={mentor}&mentee={mentee}&rule=pin",
    ),
    (
        "POST",
        "/runs/{id}/pairs",
        "mentor={mentor}&mentee={mentee}",
    ),
    (
        "PUT",
        "/api/v1/programmes/{id}",
        r#"{"name": "Renamed", "purpose": "", "objectives": [], "learning_expectations": "",
        "start_date": "2027-01-04", "end_date": "2027-09-30",
        "cadence": {"virtual_every_weeks": 2, "in_person_every_months": null},
        "matching": {"min_level_gap": 3, "mentor_capacity": 1, "session_minutes": 60,
          "weights": {"expertise": 1, "diversity": 1, "level_gap": 1, "personality": 1, "schedule": 1, "channel": 1},
          "diversity_dimensions": []}}"#,
    ),
    (
        "POST",
        "/api/v1/programmes/{id}/invitations",
        r#"{"everyone": true}"#,
    ),
    (
        "POST",
        "/api/v1/programmes/{id}/phase",
        r#"{"to": "closed"}"#,
    ),
    (
        "POST",
        "/api/v1/programmes/{id}/managers",
        r#"{"email": "other@x.org"}"#,
    ),
    (
        "PUT",
        "/api/v1/programmes/{id}/pair-rules",
        r#"{"mentor": {mentor}, "mentee": {mentee}, "rule": "pin"}"#,
    ),
    (
        "POST",
        "/api/v1/runs/{id}/pairs",
        r#"{"mentor": {mentor}, "mentee": {mentee}}"#,
    ),
    (
        "POST",
        "/api/v1/meetings/{id}/outcome",
        r#"{"status": "cancelled", "cancelled_by": "mentee"}"#,
    ),
    (
        "POST",
        "/api/v1/pairings/{id}/meetings",
        r#"{"start": "2026-01-05T10:00:00Z", "minutes": 30}"#,
    ),
    (
        "POST",
        "/api/v1/pairings/{id}/goals",
        r#"{"what": "Learn SQL"}"#,
    ),
    ("PATCH", "/api/v1/goals/{id}", r#"{"progress": 10}"#),
    (
        "PUT",
        "/api/v1/programmes/{id}/agreement",
        r#"{"body": "We meet."}"#,
    ),
    ("POST", "/pairings/{id}/goals", "what=Learn+SQL"),
    ("POST", "/goals/{id}", "what=Learn+SQL&progress=10"),
    ("POST", "/programmes/{id}/agreement", "body=We+meet."),
    (
        "POST",
        "/api/v1/meetings/{id}/move",
        r#"{"start": "2030-01-07T10:00:00Z"}"#,
    ),
    ("POST", "/meetings/{id}/move", "start=2030-01-07T10%3A00"),
    (
        "POST",
        "/api/v1/pairings/{id}/schedule/change",
        r#"{"meeting": 0, "skip": true}"#,
    ),
    (
        "POST",
        "/pairings/{id}/schedule/change",
        "meeting=0&how=skip",
    ),
];

impl Fixture {
    fn sample(&self, route: &RouteEntry) -> Option<String> {
        let (_, _, body) = SAMPLES
            .iter()
            .find(|(method, path, _)| route.method == *method && route.path == *path)?;
        Some(
            body.replace("{mentor}", &self.enrolment.0.to_string())
                .replace("{mentee}", &self.partner_enrolment.0.to_string()),
        )
    }
}

/// The request a caller sends: pages get a form with the session-bound CSRF token (a file for
/// uploads), the API and SCIM an empty JSON object, which every guard sees before the body.
fn request(
    route: &RouteEntry,
    address: &str,
    sample: Option<&str>,
    credentials: &Credentials,
) -> Request<Body> {
    let api = address.starts_with("/api/") || address.starts_with("/scim/");
    let mut builder = Request::builder().method(route.method.clone()).uri(address);
    let form_token = match &credentials.session {
        Some(session) => {
            builder = builder.header(
                header::COOKIE,
                format!("upward_session={session}; upward_csrf={CSRF}"),
            );
            upward_app::auth::token_hash(&format!("csrf:{CSRF}:{session}"))
        }
        None => {
            builder = builder.header(header::COOKIE, format!("upward_csrf={CSRF}"));
            CSRF.to_owned()
        }
    };
    if let Some(bearer) = &credentials.bearer {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    }
    let upload = address.ends_with("/import");
    let body = match (route.method.clone(), api, upload) {
        (Method::GET, ..) => Body::empty(),
        (_, true, true) => {
            builder = builder.header(header::CONTENT_TYPE, "text/csv");
            Body::from("email\n")
        }
        (_, true, false) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(sample.unwrap_or("{}").to_owned())
        }
        (_, false, true) => {
            let boundary = "matrix-boundary";
            builder = builder.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            Body::from(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{form_token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\nContent-Type: text/csv\r\n\r\nemail\n\r\n--{boundary}--\r\n"
            ))
        }
        (_, false, false) => {
            builder = builder.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let fields = sample.map(|s| format!("&{s}")).unwrap_or_default();
            Body::from(format!("csrf={form_token}{fields}"))
        }
    };
    builder.body(body).unwrap()
}

/// Whether the answer shows the caller got past the route's guard: refusals are 401, 403,
/// 404 (what is not yours does not exist for you) and, on pages, the way to the log-in page
/// and back (a log-out also ends on the log-in page, but not to come back).
fn got_through(status: StatusCode, location: Option<&str>) -> bool {
    let refused = matches!(
        status,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
    ) || (status.is_redirection()
        && location.is_some_and(|l| l.starts_with("/login?next=")));
    !refused
}

#[tokio::test]
async fn every_route_answers_each_kind_of_caller_as_the_access_matrix_says() {
    let fixture = fixture().await;
    let table = upward_web::route_table();
    assert!(table.len() > 100, "the router lists its routes");
    let mut wrong = Vec::new();
    for route in &table {
        let mut dir = tempfile::tempdir().unwrap();
        let mut router = fixture.fresh_router(dir.path()).await;
        let address = fixture.address(&route.path);
        let sample = fixture.sample(route);
        for (persona, credentials) in &fixture.callers {
            // What one caller deletes is gone for the next: each deletes from a fresh copy.
            if route.method == Method::DELETE {
                dir = tempfile::tempdir().unwrap();
                router = fixture.fresh_router(dir.path()).await;
            }
            let response = router
                .clone()
                .oneshot(request(route, &address, sample.as_deref(), credentials))
                .await
                .unwrap();
            let status = response.status();
            let location = response
                .headers()
                .get(header::LOCATION)
                .map(|l| l.to_str().unwrap().to_owned());
            assert!(
                !status.is_server_error(),
                "{} {address} as {}: {status}",
                route.method,
                persona.label()
            );
            let expected = route.audience.allows(*persona);
            if got_through(status, location.as_deref()) != expected {
                let body = to_bytes(response.into_body(), 1 << 20).await.unwrap();
                wrong.push(format!(
                    "{} {address} ({:?}) as {}: {status} {}, expected {}: {}",
                    route.method,
                    route.audience,
                    persona.label(),
                    location.unwrap_or_default(),
                    if expected {
                        "to get through"
                    } else {
                        "a refusal"
                    },
                    what_it_said(&body),
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the matrix:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Meeting notes and learning goals are the pair's: every GET route (pages, API, exports, the
/// audit trail, the calendar feed) is read as every kind of caller, and only the pair's two
/// members ever see a note or a goal's words. A cancellation's topics are dropped, so the topic must appear nowhere at all.
#[tokio::test]
async fn meeting_notes_and_goals_reach_nobody_but_the_pair_on_any_route() {
    let fixture = fixture().await;
    let dir = tempfile::tempdir().unwrap();
    let router = fixture.fresh_router(dir.path()).await;
    let mut seen_by_the_pair = 0;
    let mut leaks = Vec::new();
    for route in upward_web::route_table()
        .iter()
        .filter(|route| route.method == Method::GET)
    {
        let address = fixture.address(&route.path);
        for (persona, credentials) in &fixture.callers {
            let response = router
                .clone()
                .oneshot(request(route, &address, None, credentials))
                .await
                .unwrap();
            let body = to_bytes(response.into_body(), 1 << 24).await.unwrap();
            let text = String::from_utf8_lossy(&body);
            assert!(
                !text.contains(PAIR_TOPIC),
                "{address} as {}",
                persona.label()
            );
            if text.contains(PAIR_NOTE) {
                if matches!(persona, Persona::Participant | Persona::Partner) {
                    seen_by_the_pair += 1;
                } else {
                    leaks.push(format!("{address} as {}", persona.label()));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "the pair's words leaked: {leaks:?}");
    assert!(
        seen_by_the_pair >= 2,
        "the note is there to be found: both members read it on their meetings"
    );
}

/// The page's heading or the API's error, to say why an answer was not the expected one.
fn what_it_said(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        Some(text[start..].split(close).next()?.to_owned())
    };
    between("<h1>", "</h1>")
        .or_else(|| between("\"error\":\"", "\""))
        .or_else(|| between("\"detail\":\"", "\""))
        .unwrap_or_default()
}

#[test]
fn the_committed_access_matrix_is_the_one_the_router_prints() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/access-matrix.md"
    ))
    .unwrap();
    assert!(
        committed == upward_web::access_matrix_markdown(),
        "docs/access-matrix.md is out of date: run `cargo run --bin upward -- access-matrix > docs/access-matrix.md`"
    );
}

#[test]
fn routes_are_only_added_through_the_route_table() {
    // Axum cannot list a router's routes: one added to an axum Router directly would be
    // served but missing from the matrix and from the walk above.
    let source = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut direct = Vec::new();
    visit_rust_files(Path::new(source), &mut |path, text| {
        if path.ends_with("routes/table.rs") {
            return;
        }
        for (number, line) in text.lines().enumerate() {
            if line.contains(".route(")
                || line.contains(".route_service(")
                || line.contains(".nest_service(")
            {
                direct.push(format!("{}:{}", path.display(), number + 1));
            }
        }
    });
    assert!(
        direct.is_empty(),
        "routes added outside the route table: {direct:?}"
    );
}

fn visit_rust_files(dir: &Path, visit: &mut dyn FnMut(&Path, &str)) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            visit_rust_files(&path, visit);
        } else if path.extension().is_some_and(|e| e == "rs") {
            visit(&path, &std::fs::read_to_string(&path).unwrap());
        }
    }
}
