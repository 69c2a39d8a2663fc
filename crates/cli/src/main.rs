//! The `upward` command: runs the server and the operator's tasks (migrations, demo data,
//! directory and enrolment imports, the first admin account, matching runs).
#![forbid(unsafe_code)]

mod solve;

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use upward_app::policy::Admin;
use upward_app::settings::Secret;
use upward_app::{App, AppError, Settings};
use upward_domain::{Phase, ProgrammeId, Role};
use upward_store::SqlStore;

/// The solver's rounds allocate and free many short rows; jemalloc keeps that cheaper than
/// glibc's allocator without mimalloc's extra memory (docs/decisions/030).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "upward",
    version,
    about = "Upward: reverse mentoring programmes"
)]
struct Cli {
    #[command(flatten)]
    global: GlobalOptions,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct GlobalOptions {
    /// Database URL: sqlite://FILE (default sqlite://upward.db) or postgres://USER@HOST/DB.
    /// Also UPWARD_DATABASE_URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// A TOML settings file (keys as in the README's settings table).
    #[arg(long, global = true, env = "UPWARD_CONFIG")]
    config: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (pages, API, /healthz, /metrics).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080). Also UPWARD_LISTEN.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Load the demo organisation first (about 300 people, one programme enrolling).
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Write a consistent copy of the (SQLite) database to a new file, while Upward runs.
    Backup { file: PathBuf },
    /// Load the demo organisation into the database.
    Demo,
    /// The organisation directory.
    People {
        #[command(subcommand)]
        command: PeopleCommand,
    },
    /// Enrolments in a programme.
    Enrolments {
        #[command(subcommand)]
        command: EnrolmentCommand,
    },
    /// Programmes.
    Programmes {
        #[command(subcommand)]
        command: ProgrammeCommand,
    },
    /// Accounts.
    Users {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Bearer tokens for an identity provider's SCIM client (/scim/v2).
    ScimToken {
        #[command(subcommand)]
        command: ScimTokenCommand,
    },
    /// Run matching for a programme (in its matching or running phase) and print the proposal.
    Match {
        programme: i64,
        /// Keep every live pairing and match only the people without one.
        #[arg(long)]
        rematch: bool,
        /// Publish the proposal: both people of every pair are asked to accept.
        #[arg(long)]
        publish: bool,
    },
    /// Print the OpenAPI document of the JSON API.
    Openapi,
    /// Print the access matrix (every route and who may call it) as Markdown.
    AccessMatrix,
    /// Solve a plain assignment instance exactly and print the result as JSON.
    Solve(SolveArgs),
}

#[derive(Args)]
struct SolveArgs {
    /// A CSV edge list with the header mentor,mentee,score (absent pairs are forbidden).
    #[arg(long, conflicts_with = "dense")]
    edges: Option<PathBuf>,
    /// An n×m float32/float64 NumPy matrix: rows are mentors, columns mentees, NaN forbids a pair.
    #[arg(long)]
    dense: Option<PathBuf>,
    /// How many mentees each mentor may take.
    #[arg(long, default_value_t = 1, allow_negative_numbers = true, value_parser = clap::value_parser!(u32).range(1..))]
    mentor_capacity: u32,
    /// max-cardinality (as many pairs as possible, then the best total) or max-total.
    #[arg(long, default_value = "max-cardinality")]
    objective: upward_matching::Objective,
    /// Leave the pair lists out of the output.
    #[arg(long)]
    no_pairs: bool,
    /// Solve this many times in one process and report the median time (as the peer solvers
    /// in the README are timed: three solves in one process).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
}

#[derive(Subcommand)]
enum PeopleCommand {
    /// Import people from CSV (all or nothing; see the README for the columns).
    Import { file: PathBuf },
    /// Write the directory to stdout as CSV, in the import format.
    Export,
}

#[derive(Subcommand)]
enum EnrolmentCommand {
    /// Import enrolments from CSV into a programme (all or nothing).
    Import { programme: i64, file: PathBuf },
}

#[derive(Subcommand)]
enum ProgrammeCommand {
    /// Move a programme to another phase (draft, pilot, enrolling, matching, running, closed).
    Phase { programme: i64, phase: Phase },
}

#[derive(Subcommand)]
enum ScimTokenCommand {
    /// Make a token and print only the token on standard output (it is shown this once).
    Create {
        /// A name to recognise it by, such as "Entra ID".
        #[arg(long)]
        label: String,
    },
    /// List the tokens (never the tokens themselves).
    List,
    /// Revoke a token by its number (from `list`); the identity provider is refused from then on.
    Revoke { id: i64 },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, manager or participant.
        #[arg(long, default_value = "participant")]
        role: Role,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut settings = Settings::load(cli.global.config.as_deref(), |name| {
        std::env::var(name).ok()
    })?;
    if let Some(url) = cli.global.database_url {
        settings.database_url = Secret::new(url);
    }
    if let Command::Solve(args) = &cli.command {
        return solve_command(args);
    }
    if let Command::AccessMatrix = cli.command {
        print!("{}", upward_web::access_matrix_markdown());
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Openapi = cli.command {
        println!(
            "{}",
            serde_json::to_string_pretty(&<upward_web::ApiDoc as utoipa::OpenApi>::openapi())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Serve {
        listen: Some(listen),
        ..
    } = &cli.command
    {
        settings.listen = *listen;
    }
    let store = SqlStore::connect(settings.database_url.expose())
        .await
        .with_context(|| "cannot open the database (check --database-url)")?;
    if let Command::Backup { file } = &cli.command {
        return match store.backup_to(file).await {
            Ok(()) => {
                eprintln!(
                    "Wrote a consistent copy of the database to {}.",
                    file.display()
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(error) => {
                eprintln!("error: {error}");
                Ok(ExitCode::FAILURE)
            }
        };
    }
    let app = App::new(Arc::new(store), settings.clone())?;
    let operator = Admin::command_line_operator();
    match cli.command {
        Command::Serve { demo, .. } => serve(app, settings, demo).await?,
        Command::Migrate => eprintln!("The database is up to date."),
        Command::Demo => print_demo(&app).await?,
        Command::People {
            command: PeopleCommand::Import { file },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            return report_import(app.import_people(&operator, &bytes).await);
        }
        Command::People {
            command: PeopleCommand::Export,
        } => {
            let csv = app.export_people(&operator).await?;
            std::io::stdout().write_all(&csv)?;
        }
        Command::Enrolments {
            command: EnrolmentCommand::Import { programme, file },
        } => {
            let bytes =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            return report_import(
                app.import_enrolments(&operator.as_manager(), ProgrammeId(programme), &bytes)
                    .await,
            );
        }
        Command::Programmes {
            command: ProgrammeCommand::Phase { programme, phase },
        } => {
            match app
                .change_phase(&operator.as_manager(), ProgrammeId(programme), phase)
                .await
            {
                Ok(view) => eprintln!(
                    "{} is now {}.",
                    view.programme.draft.name,
                    view.programme.phase.label().to_lowercase()
                ),
                Err(error @ (AppError::Conflict(_) | AppError::NotFound(_))) => {
                    eprintln!("error: {error}");
                    return Ok(ExitCode::FAILURE);
                }
                Err(error) => return Err(error.into()),
            }
        }
        Command::Users {
            command: UserCommand::Create { email, name, role },
        } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let user = app
                .create_account(
                    &operator,
                    &email,
                    &name,
                    role,
                    password.trim_end_matches(['\n', '\r']),
                )
                .await?;
            eprintln!("Created {} ({}).", user.email, user.role.label());
        }
        Command::ScimToken { command } => scim_token_command(&app, &operator, command).await?,
        Command::Match {
            programme,
            rematch,
            publish,
        } => {
            return match_command(&app, &operator, ProgrammeId(programme), rematch, publish).await;
        }
        Command::Openapi | Command::AccessMatrix | Command::Solve(_) | Command::Backup { .. } => {
            unreachable!("handled before the application starts")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs matching with a progress bar on standard error and prints the proposal on standard
/// output; a refusal (the programme is not in its matching phase, say) exits 1 with the reason.
async fn match_command(
    app: &App,
    operator: &Admin,
    programme: ProgrammeId,
    rematch: bool,
    publish: bool,
) -> anyhow::Result<ExitCode> {
    let manager = operator.as_manager();
    let outcome = async {
        let run = app
            .start_matching(&manager, programme, None, rematch)
            .await?;
        let bar = indicatif::ProgressBar::new(100).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {msg}")
                .expect("a valid template"),
        );
        let report = |fraction: f64, stage: &str| {
            bar.set_position((fraction * 100.0).round() as u64);
            bar.set_message(stage.to_owned());
        };
        app.execute_run(run.id, &report).await?;
        bar.finish_and_clear();
        let view = app.run_view(&manager, run.id).await?;
        let published = if publish {
            Some(app.publish_run(&manager, run.id).await?.len())
        } else {
            None
        };
        Ok::<_, AppError>((view, published))
    }
    .await;
    let (view, published) = match outcome {
        Ok(done) => done,
        Err(error @ (AppError::Conflict(_) | AppError::NotFound(_) | AppError::Invalid(_))) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::FAILURE);
        }
        Err(error) => return Err(error.into()),
    };
    let mut out = std::io::stdout().lock();
    let summary = view.run.summary.unwrap_or_default();
    writeln!(
        out,
        "Run {}: {} pairs for {} mentees and {} mentors ({:.0} % of mentees matched), mean score {:.3}, in {:.2} s.",
        view.run.id.0,
        summary.pairs,
        summary.mentees,
        summary.mentors,
        summary.matched_share * 100.0,
        summary.mean_score,
        summary.seconds
    )?;
    for pair in &view.pairs {
        writeln!(
            out,
            "  {:.3}  {} → {}",
            pair.pair.explanation.score, pair.mentor_name, pair.mentee_name
        )?;
    }
    if !view.unmatched.is_empty() {
        writeln!(out, "Unmatched:")?;
        for person in &view.unmatched {
            writeln!(
                out,
                "  {} ({}): {}",
                person.name,
                person.role.as_str(),
                person.reason
            )?;
        }
    }
    match published {
        Some(count) => writeln!(out, "Published: {count} proposals sent to both people.")?,
        None => writeln!(
            out,
            "Not published: review it in Upward, or run again with --publish."
        )?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit code 2 for a bad input file, as for bad command-line arguments.
fn solve_command(args: &SolveArgs) -> anyhow::Result<ExitCode> {
    match solve::read_instance(
        args.edges.as_deref(),
        args.dense.as_deref(),
        args.mentor_capacity,
    ) {
        Ok(named) => {
            solve::run(
                &named,
                args.objective,
                !args.no_pairs,
                args.repeat,
                std::io::stdout().lock(),
            )?;
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(ExitCode::from(2))
        }
    }
}

async fn serve(app: App, settings: Settings, demo: bool) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (use --listen to pick another address)",
                settings.listen
            )
        })?;
    let address = listener.local_addr()?;
    // Links in mail default to the address actually bound (port 0 picks one).
    let settings = Settings {
        listen: address,
        ..settings
    };
    let app = App::new(app.store.clone(), settings.clone())?;
    if demo {
        print_demo(&app).await?;
    }
    if let Some(warning) = settings.base_url_warning() {
        tracing::warn!("{warning}");
    }
    let mailer = upward_app::mail::mailer_for(&settings)
        .map_err(|problem| anyhow::anyhow!("the mail settings are not usable: {problem}"))?;
    match &settings.smtp_host {
        Some(host) => eprintln!("Mail goes through the SMTP server {host}."),
        None => eprintln!("Mail is written to the log (set UPWARD_SMTP_HOST to send it)."),
    }
    tokio::spawn(upkeep(app.clone(), mailer));
    eprintln!(
        "Upward is running at http://{address}/  (links in mail point at {}/; Ctrl-C to stop)",
        settings.base_url()
    );
    upward_web::serve(listener, app).await?;
    Ok(())
}

/// Every two seconds: queued runs, stalled runs, reminders, expiry and mail (see
/// `upward_app::upkeep`); at once again while a long outbox is being drained. A failed round is
/// logged and the next one tries again.
async fn upkeep(app: App, mailer: Box<dyn upward_app::mail::Mailer>) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(2));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut mail_waiting = false;
    loop {
        if !mail_waiting {
            every.tick().await;
        }
        mail_waiting = match app.upkeep(mailer.as_ref(), jiff::Timestamp::now()).await {
            Ok(done) => done.mail_waiting,
            Err(error) => {
                tracing::warn!(%error, "upkeep failed");
                false
            }
        };
    }
}

async fn print_demo(app: &App) -> anyhow::Result<()> {
    use upward_app::demo::{DEMO_ADMIN, DEMO_MANAGER, DEMO_PASSWORD};
    match app.load_demo().await? {
        Some(summary) => eprintln!(
            "Loaded the demo organisation: {} people, programme {}.",
            summary.people, summary.programme.0
        ),
        None => eprintln!("The demo organisation is already loaded."),
    }
    let (junior, senior) = upward_app::demo::demo_participants();
    eprintln!("Log in with password '{DEMO_PASSWORD}' as:");
    eprintln!("  admin              {DEMO_ADMIN}");
    eprintln!("  programme manager  {DEMO_MANAGER}");
    eprintln!("  junior participant {junior}  (not yet enrolled: try the enrolment form)");
    eprintln!("  senior participant {senior}");
    Ok(())
}

/// Prints an import's outcome; a rejected file lists every problem and exits non-zero.
fn report_import(result: Result<upward_store::ImportCounts, AppError>) -> anyhow::Result<ExitCode> {
    match result {
        Ok(counts) => {
            eprintln!(
                "Imported: {} added, {} updated.",
                counts.added, counts.updated
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(AppError::ImportRejected(problems)) => {
            eprintln!(
                "Nothing was imported: the file has {} problem(s).",
                problems.len()
            );
            for problem in problems {
                eprintln!("  {problem}");
            }
            Ok(ExitCode::FAILURE)
        }
        Err(error) => Err(error.into()),
    }
}

async fn scim_token_command(
    app: &App,
    operator: &Admin,
    command: ScimTokenCommand,
) -> anyhow::Result<()> {
    match command {
        ScimTokenCommand::Create { label } => {
            println!("{}", app.create_scim_token(operator, &label).await?);
        }
        ScimTokenCommand::List => {
            for token in app.scim_tokens(operator).await? {
                let state = match (token.revoked_at, token.last_used_at) {
                    (Some(at), _) => format!("revoked {at}"),
                    (None, Some(at)) => format!("last used {at}"),
                    (None, None) => "never used".to_owned(),
                };
                println!("{}\t{}\t{state}", token.id, token.label);
            }
        }
        ScimTokenCommand::Revoke { id } => {
            app.revoke_scim_token(operator, id).await?;
            eprintln!("Token {id} is revoked.");
        }
    }
    Ok(())
}
