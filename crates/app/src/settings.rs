//! Typed settings: defaults, then an optional TOML file, then `UPWARD_*` environment variables;
//! the command line overrides them last (in the `upward` binary).

use std::net::SocketAddr;
use std::path::Path;

use serde::Deserialize;

/// A value that must never appear in logs or `Debug` output.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub listen: SocketAddr,
    /// May carry a password (PostgreSQL), hence a secret.
    pub database_url: Secret,
    /// How long a browser session lasts without logging in again.
    pub session_hours: i64,
    /// Mark cookies `Secure`; turn on when Upward is served over HTTPS.
    pub secure_cookies: bool,
    /// The address people reach Upward at, for links in mail; without one, the address the
    /// server listens on (see [`Settings::base_url`]).
    pub base_url: Option<String>,
    /// How long a mailed sign-in link works.
    pub sign_in_link_minutes: i64,
    /// How long a password-reset link works.
    pub reset_link_minutes: i64,
    /// How long an invitation link works.
    pub invitation_days: i64,
    /// How long an API token works before a new one must be made.
    pub api_token_days: i64,
    /// Days after a programme closes when its personal answers (statements, personality,
    /// availability, reasons, invitations) are removed; none keeps them.
    pub retention_days: Option<i64>,
    /// The SMTP server mail goes through; without one, mail is written to the log instead
    /// (development).
    pub smtp_host: Option<String>,
    /// Defaults to 587 with STARTTLS, 465 with TLS, 25 without.
    pub smtp_port: Option<u16>,
    pub smtp_security: SmtpSecurity,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    /// The sender of Upward's mail, such as `Upward <upward@example.com>`.
    pub mail_from: String,
    /// Single sign-on through an OpenID Connect provider: its issuer URL (Entra ID, Okta,
    /// Google Workspace…). Without one, SSO is off.
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<Secret>,
    /// The email domains SSO accepts (such as `example.com`); empty accepts any the provider
    /// vouches for.
    pub oidc_allowed_domains: Vec<String>,
    /// Only single sign-on: passwords, sign-in links and resets are off for everyone but
    /// admins, who keep a password to get in when the provider is down.
    pub sso_only: bool,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (port 587); refuses a server that cannot.
    Starttls,
    /// TLS from the start (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "starttls" => Ok(SmtpSecurity::Starttls),
            "tls" => Ok(SmtpSecurity::Tls),
            "none" => Ok(SmtpSecurity::None),
            other => Err(format!("'{other}' is not starttls, tls or none")),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: Secret::new("sqlite://upward.db"),
            session_hours: 12,
            secure_cookies: false,
            base_url: None,
            sign_in_link_minutes: 15,
            reset_link_minutes: 60,
            invitation_days: 14,
            api_token_days: 90,
            retention_days: None,
            smtp_host: None,
            smtp_port: None,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            mail_from: "Upward <upward@localhost>".into(),
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_allowed_domains: Vec::new(),
            sso_only: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read the settings file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("the settings file {path} is not valid: {message}")]
    Parse { path: String, message: String },
    #[error("the setting {name} is not valid: {message}")]
    Invalid { name: &'static str, message: String },
    #[error("the environment variable {name}='{value}' is not valid: {message}")]
    Environment {
        name: &'static str,
        value: String,
        message: String,
    },
}

impl Settings {
    /// Defaults, then the TOML file if given, then the environment.
    pub fn load(
        file: Option<&Path>,
        environment: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SettingsError> {
        let mut settings = match file {
            None => Settings::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Read {
                    path: path.display().to_string(),
                    source,
                })?;
                toml::from_str(&text).map_err(|error| SettingsError::Parse {
                    path: path.display().to_string(),
                    message: error.to_string(),
                })?
            }
        };
        if let Some(value) = environment("UPWARD_LISTEN") {
            settings.listen = parse_env("UPWARD_LISTEN", &value)?;
        }
        if let Some(value) = environment("UPWARD_DATABASE_URL") {
            settings.database_url = Secret::new(value);
        }
        if let Some(value) = environment("UPWARD_SESSION_HOURS") {
            settings.session_hours = parse_env("UPWARD_SESSION_HOURS", &value)?;
        }
        if let Some(value) = environment("UPWARD_SECURE_COOKIES") {
            settings.secure_cookies = parse_env("UPWARD_SECURE_COOKIES", &value)?;
        }
        if let Some(value) = environment("UPWARD_BASE_URL") {
            settings.base_url = Some(value).filter(|url| !url.is_empty());
        }
        if let Some(value) = environment("UPWARD_SIGN_IN_LINK_MINUTES") {
            settings.sign_in_link_minutes = parse_env("UPWARD_SIGN_IN_LINK_MINUTES", &value)?;
        }
        if let Some(value) = environment("UPWARD_RESET_LINK_MINUTES") {
            settings.reset_link_minutes = parse_env("UPWARD_RESET_LINK_MINUTES", &value)?;
        }
        if let Some(value) = environment("UPWARD_INVITATION_DAYS") {
            settings.invitation_days = parse_env("UPWARD_INVITATION_DAYS", &value)?;
        }
        if let Some(value) = environment("UPWARD_API_TOKEN_DAYS") {
            settings.api_token_days = parse_env("UPWARD_API_TOKEN_DAYS", &value)?;
        }
        if let Some(value) = environment("UPWARD_RETENTION_DAYS") {
            settings.retention_days = if value.is_empty() {
                None
            } else {
                Some(parse_env("UPWARD_RETENTION_DAYS", &value)?)
            };
        }
        if let Some(value) = environment("UPWARD_SMTP_HOST") {
            settings.smtp_host = Some(value).filter(|host| !host.is_empty());
        }
        if let Some(value) = environment("UPWARD_SMTP_PORT") {
            settings.smtp_port = Some(parse_env("UPWARD_SMTP_PORT", &value)?);
        }
        if let Some(value) = environment("UPWARD_SMTP_SECURITY") {
            settings.smtp_security = parse_env("UPWARD_SMTP_SECURITY", &value)?;
        }
        if let Some(value) = environment("UPWARD_SMTP_USERNAME") {
            settings.smtp_username = Some(value);
        }
        if let Some(value) = environment("UPWARD_SMTP_PASSWORD") {
            settings.smtp_password = Some(Secret::new(value));
        }
        if let Some(value) = environment("UPWARD_MAIL_FROM") {
            settings.mail_from = value;
        }
        if let Some(value) = environment("UPWARD_OIDC_ISSUER") {
            settings.oidc_issuer = Some(value).filter(|v| !v.is_empty());
        }
        if let Some(value) = environment("UPWARD_OIDC_CLIENT_ID") {
            settings.oidc_client_id = Some(value).filter(|v| !v.is_empty());
        }
        if let Some(value) = environment("UPWARD_OIDC_CLIENT_SECRET") {
            settings.oidc_client_secret = Some(Secret::new(value));
        }
        if let Some(value) = environment("UPWARD_OIDC_ALLOWED_DOMAINS") {
            settings.oidc_allowed_domains = value
                .split(',')
                .map(|d| d.trim().to_lowercase())
                .filter(|d| !d.is_empty())
                .collect();
        }
        if let Some(value) = environment("UPWARD_SSO_ONLY") {
            settings.sso_only = parse_env("UPWARD_SSO_ONLY", &value)?;
        }
        settings.check()?;
        Ok(settings)
    }

    /// The address links in mail start with: `base_url` as set (without a trailing slash), or
    /// else the address the server listens on.
    pub fn base_url(&self) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Why the links in mail may not reach people, if they may not: a server listening on
    /// every interface without a `base_url` would mail links to `0.0.0.0`.
    pub fn base_url_warning(&self) -> Option<String> {
        match &self.base_url {
            None if self.listen.ip().is_unspecified() => Some(format!(
                "links in mail will point at {}, which nobody can open: set base_url (UPWARD_BASE_URL) to the address people reach Upward at",
                self.base_url()
            )),
            Some(url) if !url.starts_with("http://") && !url.starts_with("https://") => {
                Some(format!(
                    "base_url '{url}' does not start with http:// or https://, so links in mail will not open"
                ))
            }
            _ => None,
        }
    }

    /// Whether single sign-on is set up (an issuer and a client id).
    pub fn sso_enabled(&self) -> bool {
        self.oidc_issuer.is_some() && self.oidc_client_id.is_some()
    }

    fn check(&self) -> Result<(), SettingsError> {
        if self.oidc_issuer.is_some() != self.oidc_client_id.is_some() {
            return Err(SettingsError::Invalid {
                name: "oidc_issuer",
                message: "single sign-on needs both oidc_issuer and oidc_client_id".into(),
            });
        }
        if self.sso_only && !self.sso_enabled() {
            return Err(SettingsError::Invalid {
                name: "sso_only",
                message: "sso_only needs single sign-on set up (oidc_issuer and oidc_client_id): nobody but admins could sign in".into(),
            });
        }
        let lifetimes = [
            ("sign_in_link_minutes", self.sign_in_link_minutes),
            ("reset_link_minutes", self.reset_link_minutes),
            ("invitation_days", self.invitation_days),
            ("api_token_days", self.api_token_days),
            ("retention_days", self.retention_days.unwrap_or(1)),
        ];
        match lifetimes.iter().find(|(_, value)| *value < 1) {
            Some((name, value)) => Err(SettingsError::Invalid {
                name,
                message: format!("{value} is not a whole number of at least 1"),
            }),
            None => Ok(()),
        }
    }
}

fn parse_env<T: std::str::FromStr>(name: &'static str, value: &str) -> Result<T, SettingsError>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|error: T::Err| SettingsError::Environment {
            name,
            value: value.to_owned(),
            message: error.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_overrides_the_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upward.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nsession_hours = 2\n").unwrap();
        let env = |name: &str| (name == "UPWARD_SESSION_HOURS").then(|| "5".to_owned());
        let settings = Settings::load(Some(&path), env).unwrap();
        assert_eq!(settings.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(settings.session_hours, 5);
        assert_eq!(settings.database_url.expose(), "sqlite://upward.db");
    }

    #[test]
    fn bad_values_name_their_source() {
        let env = |name: &str| (name == "UPWARD_LISTEN").then(|| "nowhere".to_owned());
        let error = Settings::load(None, env).unwrap_err().to_string();
        assert!(
            error.starts_with("the environment variable UPWARD_LISTEN='nowhere' is not valid"),
            "{error}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        std::fs::write(&path, "colour = \"blue\"\n").unwrap();
        assert!(
            Settings::load(Some(&path), |_| None)
                .unwrap_err()
                .to_string()
                .contains("unknown field")
        );
    }

    #[test]
    fn links_point_at_the_listen_address_unless_base_url_is_set() {
        let listening = Settings {
            listen: "127.0.0.1:4321".parse().unwrap(),
            ..Settings::default()
        };
        assert_eq!(listening.base_url(), "http://127.0.0.1:4321");
        assert_eq!(listening.base_url_warning(), None);
        let everywhere = Settings {
            listen: "0.0.0.0:8080".parse().unwrap(),
            ..Settings::default()
        };
        assert!(
            everywhere
                .base_url_warning()
                .unwrap()
                .contains("set base_url")
        );
        let set = Settings {
            base_url: Some("https://upward.example.com/".into()),
            ..everywhere
        };
        assert_eq!(set.base_url(), "https://upward.example.com");
        assert_eq!(set.base_url_warning(), None);
    }

    #[test]
    fn link_lifetimes_must_be_positive() {
        let env = |name: &str| (name == "UPWARD_INVITATION_DAYS").then(|| "0".to_owned());
        let error = Settings::load(None, env).unwrap_err().to_string();
        assert_eq!(
            error,
            "the setting invitation_days is not valid: 0 is not a whole number of at least 1"
        );
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let settings = Settings {
            database_url: Secret::new("postgres://u:hunter2@h/db"),
            smtp_password: Some(Secret::new("smtp-hunter3")),
            ..Settings::default()
        };
        let shown = format!("{settings:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("hunter3"));
    }

    #[test]
    fn mail_settings_come_from_the_file_and_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("upward.toml");
        std::fs::write(
            &path,
            "smtp_host = \"mail.example.com\"\nsmtp_security = \"tls\"\nmail_from = \"HR <hr@example.com>\"\n",
        )
        .unwrap();
        let env = |name: &str| (name == "UPWARD_SMTP_PORT").then(|| "2465".to_owned());
        let settings = Settings::load(Some(&path), env).unwrap();
        assert_eq!(settings.smtp_host.as_deref(), Some("mail.example.com"));
        assert_eq!(settings.smtp_security, SmtpSecurity::Tls);
        assert_eq!(settings.smtp_port, Some(2465));
        let env = |name: &str| (name == "UPWARD_SMTP_SECURITY").then(|| "ssl".to_owned());
        let error = Settings::load(None, env).unwrap_err().to_string();
        assert!(
            error.contains("'ssl' is not starttls, tls or none"),
            "{error}"
        );
    }
}
