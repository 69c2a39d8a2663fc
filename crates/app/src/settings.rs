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
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: Secret::new("sqlite://upward.db"),
            session_hours: 12,
            secure_cookies: false,
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
            ..Settings::default()
        };
        assert!(!format!("{settings:?}").contains("hunter2"));
    }
}
