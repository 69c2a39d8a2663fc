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
    /// The address people reach Upward at, for links in mail.
    pub base_url: String,
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
            base_url: "http://127.0.0.1:8080".into(),
            smtp_host: None,
            smtp_port: None,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            mail_from: "Upward <upward@localhost>".into(),
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
            settings.base_url = value;
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
        Ok(settings)
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
