//! A world for router tests: a fresh database with an admin, a manager, two participants in
//! the directory, an enrolling programme and participant A's enrolment; plus request helpers
//! that call the router directly.
#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use upward_app::policy::Admin;
use upward_app::{App, Settings};
use upward_domain::*;
use upward_store::testing::TestDatabase;

pub const PASSWORD: &str = "correct horse battery";

pub const PEOPLE: &str =
    "email,name,job_level,manager_email,department,location,time_zone,birth_year,gender
ceo@x.org,Cleo CEO,20,,Board,London,Europe/London,1965,
alice@x.org,Alice A,3,ceo@x.org,Tech,Paris,Europe/Paris,2001,
bob@x.org,Bob B,4,ceo@x.org,Tech,Paris,Europe/Paris,2000,
";

pub struct World {
    pub db: TestDatabase,
    pub app: App,
    pub router: Router,
    pub programme: ProgrammeId,
    pub alice_enrolment: EnrolmentId,
    pub admin: User,
    pub manager: User,
    pub alice: User,
    pub bob: User,
}

/// A programme from January to September 2027 with the default settings.
pub fn draft(name: &str) -> ProgrammeDraft {
    ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: name.into(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: jiff::civil::date(2027, 1, 4),
        end_date: jiff::civil::date(2027, 9, 30),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    }
}

pub fn mentor_profile(statement: &str) -> EnrolmentProfile {
    EnrolmentProfile {
        role: EnrolmentRole::Mentor,
        offers: TopicLevels::parse("tiktok:5").unwrap(),
        interests: TopicLevels::default(),
        availability: Availability::parse("Mon 17:00-18:00").unwrap(),
        channel: Channel::Either,
        preferred_time: PreferredTime::Evening,
        big_five: None,
        statement: statement.into(),
    }
}

/// A senior's answers: a mentee who wants to learn what [`mentor_profile`] offers.
pub fn mentee_profile() -> EnrolmentProfile {
    EnrolmentProfile {
        role: EnrolmentRole::Mentee,
        offers: TopicLevels::default(),
        interests: TopicLevels::parse("tiktok:5").unwrap(),
        ..mentor_profile("")
    }
}

impl World {
    /// Dan enrolled as a mentee and paired with Alice (the only pair), published, both
    /// accepted and confirmed after the exploratory meeting: Dan and the pairing's id.
    #[allow(dead_code)] // each test binary uses its part of this module
    pub async fn active_pair(&self) -> (User, i64) {
        let dan = self.enrolled_mentee("dan@x.org", "Dan D", 16).await;
        let manager = upward_app::policy::Manager::check(&self.manager).unwrap();
        let run = self.finished_run().await;
        let pairing = self.app.publish_run(&manager, run).await.unwrap()[0].id;
        for action in [
            upward_app::PairingAction::Accept,
            upward_app::PairingAction::Confirm,
        ] {
            for person in [&self.alice, &dan] {
                self.app
                    .act_on_pairing(person, pairing, action, None)
                    .await
                    .unwrap();
            }
        }
        (dan, pairing.0)
    }

    /// [`World::active_pair`] with its schedule settled (both accepted the proposal): Alice's
    /// and Dan's API tokens and the pairing's id.
    #[allow(dead_code)]
    pub async fn settled_pair(&self) -> (String, String, i64) {
        let (dan, pairing) = self.active_pair().await;
        let (alice, dan) = (self.token(&self.alice).await, self.token(&dan).await);
        let accept = format!("/api/v1/pairings/{pairing}/schedule/accept");
        for token in [&alice, &dan] {
            let (status, body) = self.post(&accept, Some(token), None).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
        (alice, dan, pairing)
    }

    /// Someone in the directory at `job_level` (in Paris, as Alice and Bob), with an account,
    /// enrolled as a mentee who wants what Alice offers.
    pub async fn enrolled_mentee(&self, email: &str, name: &str, job_level: u8) -> User {
        let admin = Admin::check(&self.admin).unwrap();
        let row = format!(
            "email,name,job_level,time_zone,location\n{email},{name},{job_level},Europe/Paris,Paris\n"
        );
        self.app
            .import_people(&admin, row.as_bytes())
            .await
            .unwrap();
        let user = self
            .app
            .create_account_as_operator(email, name, Role::Participant, PASSWORD)
            .await
            .unwrap();
        self.app
            .enrol(&user, self.programme, &mentee_profile(), true)
            .await
            .unwrap();
        user
    }

    pub async fn new(db: TestDatabase) -> Self {
        Self::with_settings(db, Settings::default()).await
    }

    pub async fn with_settings(db: TestDatabase, settings: Settings) -> Self {
        let app = App::new(db.store(), settings).unwrap();
        let account = |email: &'static str, role| {
            let app = app.clone();
            async move {
                app.create_account_as_operator(email, email, role, PASSWORD)
                    .await
                    .unwrap()
            }
        };
        let admin = account("admin@x.org", Role::Admin).await;
        let manager = account("manager@x.org", Role::Manager).await;
        let alice = account("alice@x.org", Role::Participant).await;
        let bob = account("bob@x.org", Role::Participant).await;
        app.import_people(&Admin::check(&admin).unwrap(), PEOPLE.as_bytes())
            .await
            .unwrap();
        let manager_proof = upward_app::policy::Manager::check(&manager).unwrap();
        let draft = ProgrammeDraft {
            engagement: Default::default(),
            meeting_places: vec![],
            purpose: "Leaders learn social media".into(),
            ..draft("Digital fluency")
        };
        let programme = app
            .create_programme(&manager_proof, &draft)
            .await
            .unwrap()
            .programme
            .id;
        app.change_phase(&manager_proof, programme, Phase::Enrolling)
            .await
            .unwrap();
        let alice_enrolment = app
            .enrol(
                &alice,
                programme,
                &mentor_profile("ALICE-SECRET-STATEMENT"),
                true,
            )
            .await
            .unwrap()
            .id;
        let router = upward_web::router(app.clone());
        Self {
            db,
            app,
            router,
            programme,
            alice_enrolment,
            admin,
            manager,
            alice,
            bob,
        }
    }

    pub async fn each() -> Vec<World> {
        let mut worlds = Vec::new();
        for db in TestDatabase::each_backend().await {
            worlds.push(World::new(db).await);
        }
        worlds
    }

    /// Moves the programme to its matching phase and runs matching to the end, as its
    /// manager; returns the finished run.
    pub async fn finished_run(&self) -> RunId {
        let manager = upward_app::policy::Manager::check(&self.manager).unwrap();
        self.app
            .change_phase(&manager, self.programme, Phase::Matching)
            .await
            .unwrap();
        let run = self
            .app
            .start_matching(&manager, self.programme, None, false)
            .await
            .unwrap();
        self.app.execute_run(run.id, &|_, _| {}).await.unwrap();
        run.id
    }

    /// A bearer token for the account.
    pub async fn token(&self, user: &User) -> String {
        self.app
            .issue_api_token(user.email.as_str(), PASSWORD, "test", "test")
            .await
            .unwrap()
            .1
    }

    /// A browser session for the account, with its CSRF token.
    pub async fn browser(&self, user: &User) -> Browser {
        let session = self.app.start_session(user).await.unwrap();
        Browser {
            router: self.router.clone(),
            form_token: upward_app::auth::token_hash(&format!("csrf:{CSRF}:{session}")),
            cookies: format!("upward_session={session}; upward_csrf={CSRF}"),
        }
    }

    /// The path of the newest link mailed to `recipient` (`/sign-in/…` and the like), read
    /// from the outbox.
    pub async fn mailed_link(&self, recipient: &str) -> Option<String> {
        let outbox = self.app.store.outbox(1000).await.unwrap();
        let mail = outbox.iter().find(|m| m.mail.recipient == recipient)?;
        let base = self.app.settings.base_url();
        let start = mail.mail.body.find(&base)? + base.len();
        let path: String = mail.mail.body[start..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect();
        Some(path)
    }

    /// How many messages the outbox holds for `recipient`.
    pub async fn mail_count(&self, recipient: &str) -> usize {
        let outbox = self.app.store.outbox(1000).await.unwrap();
        outbox
            .iter()
            .filter(|m| m.mail.recipient == recipient)
            .count()
    }

    pub fn anonymous(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            form_token: CSRF.to_owned(),
            cookies: format!("upward_csrf={CSRF}"),
        }
    }

    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(json) => request
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => request.body(Body::empty()),
        };
        self.send(request.unwrap()).await
    }

    /// [`World::api`] with GET and no body.
    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.api(Method::GET, path, token, None).await
    }

    /// [`World::api`] with POST.
    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.api(Method::POST, path, token, body).await
    }

    pub async fn api_csv(&self, path: &str, token: &str, csv: &str) -> (StatusCode, Value) {
        let request = Request::post(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv.to_owned()))
            .unwrap();
        self.send(request).await
    }

    /// The response's status and JSON body (null when it is not JSON).
    async fn send(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, _, body) = self.send_for_headers(request).await;
        (status, body)
    }

    /// [`World::get`] with the response's headers.
    pub async fn get_with_headers(
        &self,
        path: &str,
        token: &str,
    ) -> (StatusCode, axum::http::HeaderMap, Value) {
        let request = Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        self.send_for_headers(request).await
    }

    /// A GET whose answer is text (a calendar, say): status, content type and body.
    pub async fn get_text(&self, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
        let mut request = Request::get(path);
        if let Some(token) = token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (
            status,
            content_type,
            String::from_utf8(bytes.to_vec()).unwrap(),
        )
    }

    async fn send_for_headers(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let (status, headers) = (response.status(), response.headers().clone());
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (
            status,
            headers,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

/// A fixed CSRF token; the double-submit check only needs cookie and field to agree.
pub const CSRF: &str = "test-csrf-token-0123456789abcdefghijklmnop";

pub struct Browser {
    router: Router,
    cookies: String,
    /// What its forms carry: bound to the session once signed in (see `csrf::form_token`).
    pub form_token: String,
}

pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    /// The `Set-Cookie` headers, as sent.
    pub set_cookies: Vec<String>,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> Page {
        let request = Request::get(path)
            .header(header::COOKIE, &self.cookies)
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// Posts a form with the right CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut all = vec![("csrf", self.form_token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly the given fields.
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let request = Request::post(path)
            .header(header::COOKIE, &self.cookies)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// Uploads a file as a multipart form, with the CSRF token as its first field as the
    /// pages send it.
    pub async fn upload(&self, path: &str, file: &str) -> Page {
        let token = self.form_token.clone();
        self.upload_with_token(path, file, &token).await
    }

    pub async fn upload_with_token(&self, path: &str, file: &str, token: &str) -> Page {
        let boundary = "upward-test-boundary";
        let body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.csv\"\r\nContent-Type: text/csv\r\n\r\n{file}\r\n--{boundary}--\r\n"
        );
        let request = Request::post(path)
            .header(header::COOKIE, &self.cookies)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    async fn send(&self, request: Request<Body>) -> Page {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        let set_cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap();
        Page {
            status,
            location,
            set_cookies,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
}
