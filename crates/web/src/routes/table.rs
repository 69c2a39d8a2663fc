//! The one list of routes: each is added with the audience that may call it, so the router
//! and the access matrix (`docs/access-matrix.md`, printed by `upward access-matrix`) come from
//! the same place. `tests/access_matrix.rs` calls every route as every kind of caller and
//! checks the answer against this list. Axum cannot list a router's routes, hence this builder
//! around it; no module adds a route to an axum `Router` directly.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, patch, post, put};

use crate::AppState;

/// Who may call a route. The rules themselves live in `upward_app::policy` and the extractors
/// of `crate::auth`; this names which of them a route applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Anyone, signed in or not: log-in, links from mail, health, static files.
    Anyone,
    /// Everyone signed in, each seeing only what is theirs or open to all employees.
    SignedIn,
    /// Only the person the thing in the address belongs to (their own API token).
    Owner,
    /// The person an enrolment belongs to, its programme's managers and admins.
    OwnerAndProgrammeManagers,
    /// The two people of the pairing in the address.
    Pair,
    /// The managers of the programme in the address (or of its run), and admins.
    ProgrammeManagers,
    /// Every manager and admin (making a programme, the directory).
    Managers,
    /// Admins only.
    Admins,
    /// An identity provider with a SCIM token; no person's session or API token.
    Provisioning,
}

/// The kinds of caller the access matrix distinguishes, seen from one programme and one of
/// its pairings. Upward has no mentor-lead role yet (it comes with training content); until
/// it does, a mentor lead is a participant outside the pairing and gets nothing more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Persona {
    Anonymous,
    /// A participant, member of the pairing (and owner of the enrolment and token).
    Participant,
    /// The other member of that pairing.
    Partner,
    /// A participant of another pairing in the same programme.
    OtherPair,
    MentorLead,
    /// A manager who runs another programme.
    OtherManager,
    /// A manager of the programme.
    Manager,
    Admin,
    /// An identity provider calling with a SCIM token.
    ScimClient,
}

impl Persona {
    pub const ALL: [Persona; 9] = [
        Persona::Anonymous,
        Persona::Participant,
        Persona::Partner,
        Persona::OtherPair,
        Persona::MentorLead,
        Persona::OtherManager,
        Persona::Manager,
        Persona::Admin,
        Persona::ScimClient,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Persona::Anonymous => "anonymous",
            Persona::Participant => "participant",
            Persona::Partner => "partner",
            Persona::OtherPair => "other pair",
            Persona::MentorLead => "mentor lead",
            Persona::OtherManager => "other manager",
            Persona::Manager => "manager",
            Persona::Admin => "admin",
            Persona::ScimClient => "SCIM client",
        }
    }

    fn is_person(self) -> bool {
        !matches!(self, Persona::Anonymous | Persona::ScimClient)
    }
}

impl Audience {
    /// Whether a caller of this kind gets through.
    pub fn allows(self, persona: Persona) -> bool {
        use Persona::*;
        match self {
            Audience::Anyone => true,
            Audience::SignedIn => persona.is_person(),
            Audience::Owner => persona == Participant,
            Audience::OwnerAndProgrammeManagers => matches!(persona, Participant | Manager | Admin),
            Audience::Pair => matches!(persona, Participant | Partner),
            Audience::ProgrammeManagers => matches!(persona, Manager | Admin),
            Audience::Managers => matches!(persona, OtherManager | Manager | Admin),
            Audience::Admins => persona == Admin,
            Audience::Provisioning => persona == ScimClient,
        }
    }
}

/// One row of the access matrix.
#[derive(Clone, Debug)]
pub struct RouteEntry {
    pub method: Method,
    pub path: String,
    pub audience: Audience,
}

/// An axum router that records each route it is given, with its audience.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<RouteEntry>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

macro_rules! method_adders {
    ($($name:ident => $method:ident),*) => {$(
        pub fn $name<H, T>(self, path: &str, audience: Audience, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            self.add(Method::$method, path, audience, $name(handler))
        }
    )*};
}

impl Routes {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    method_adders!(get => GET, post => POST, put => PUT, patch => PATCH, delete => DELETE);

    /// A POST that takes a file, allowed a larger body than the default.
    pub fn upload<H, T>(self, path: &str, audience: Audience, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let route = post(handler).layer(DefaultBodyLimit::max(
            crate::routes::pages::MAX_UPLOAD_BYTES,
        ));
        self.add(Method::POST, path, audience, route)
    }

    fn add(
        mut self,
        method: Method,
        path: &str,
        audience: Audience,
        route: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, route);
        self.table.push(RouteEntry {
            method,
            path: path.to_owned(),
            audience,
        });
        self
    }

    pub fn merge(mut self, other: Routes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    /// `other`'s routes under `prefix`.
    pub fn nest(mut self, prefix: &str, other: Routes) -> Self {
        self.router = self.router.nest(prefix, other.router);
        self.table
            .extend(other.table.into_iter().map(|entry| RouteEntry {
                path: format!("{prefix}{}", entry.path),
                ..entry
            }));
        self
    }

    /// What answers a request that matches no route here (not a route of its own).
    pub fn fallback<H, T>(mut self, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.fallback(handler);
        self
    }

    /// Applies a middleware to every route added so far.
    pub fn map_router(mut self, wrap: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Self {
        self.router = wrap(self.router);
        self
    }

    pub fn into_parts(self) -> (Router<AppState>, Vec<RouteEntry>) {
        (self.router, self.table)
    }
}

/// The access matrix as Markdown: one row per route, one column per kind of caller.
pub fn access_matrix_markdown(table: &[RouteEntry]) -> String {
    let mut out = String::from(
        "# Access matrix\n\n\
         Generated from the router by `upward access-matrix`; do not edit by hand. \
         `crates/web/tests/access_matrix.rs` calls every route as every kind of caller and \
         fails when an answer differs from this table or a route is missing from it. \
         \"Participant\" and \"partner\" are the two people of one pairing; \"other pair\" \
         is a participant of another pairing in the same programme; \"other manager\" runs \
         another programme. Upward has no mentor-lead role yet, so a mentor lead is a \
         participant outside the pairing.\n\n| Method | Path | Audience |",
    );
    for persona in Persona::ALL {
        out.push_str(&format!(" {} |", persona.label()));
    }
    out.push_str("\n| --- | --- | --- |");
    out.push_str(&" :-: |".repeat(Persona::ALL.len()));
    out.push('\n');
    let mut rows: Vec<&RouteEntry> = table.iter().collect();
    rows.sort_by(|a, b| (&a.path, a.method.as_str()).cmp(&(&b.path, b.method.as_str())));
    for entry in rows {
        out.push_str(&format!(
            "| {} | `{}` | {:?} |",
            entry.method, entry.path, entry.audience
        ));
        for persona in Persona::ALL {
            out.push_str(if entry.audience.allows(persona) {
                " ✓ |"
            } else {
                " – |"
            });
        }
        out.push('\n');
    }
    out
}
