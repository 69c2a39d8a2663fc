//! Passwords, log-in with throttling, browser sessions and API tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use jiff::{Timestamp, ToSpan};
use sha2::{Digest, Sha256};
use upward_domain::{Email, User};

use crate::{App, AppError, AppResult};

/// Failed attempts one client may make for one email within the window before it is refused
/// for that email; past this many for the email from anywhere, each attempt waits longer.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// Failed attempts one client may make in all within the window (against password spraying).
pub const MAX_FAILED_LOGINS_PER_CLIENT: i64 = 30;

/// How long an account's next attempt waits after `failures` recent ones (from anywhere):
/// 2 s after the fifth, doubling with each further failure, at most the whole window.
pub fn account_delay(failures: i64) -> i64 {
    let doublings = (failures - MAX_FAILED_LOGINS).clamp(0, 20) as u32;
    (2i64 << doublings).min(THROTTLE_WINDOW.as_secs())
}
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
pub const THROTTLE_WINDOW: jiff::SignedDuration =
    jiff::SignedDuration::from_mins(THROTTLE_WINDOW_MINUTES);
pub const MIN_PASSWORD_CHARS: usize = 10;

/// [`hash_password`] on a blocking thread: Argon2 is deliberately slow (tens of milliseconds of
/// one core, see the README), and on the request's own thread it would hold up every other
/// request that thread serves.
pub async fn hash_password_apart(password: &str) -> AppResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|error| {
            AppError::Internal(anyhow::anyhow!("hashing a password failed: {error}"))
        })?
}

/// [`verify_password`] on a blocking thread (see [`hash_password_apart`]).
pub async fn verify_password_apart(hash: &str, password: &str) -> bool {
    let (hash, password) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&hash, &password))
        .await
        .unwrap_or(false)
}

pub fn hash_password(password: &str) -> AppResult<String> {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|error| AppError::Internal(anyhow::anyhow!("encoding a salt failed: {error}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|error| AppError::Internal(anyhow::anyhow!("hashing a password failed: {error}")))
}

pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

pub fn check_new_password(password: &str) -> AppResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A random 256-bit token, URL-safe.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored hashed, so a copy of the database does not hand out live sessions.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl App {
    /// Checks an email and password from `client` (the caller's address). Failures are
    /// throttled three ways, so that a stranger cannot lock anyone out and nobody can guess at
    /// scale: a client that fails too often is refused, for everyone (password spraying); a
    /// client that fails too often for one account is refused for that account (the owner,
    /// elsewhere, is not); and every account's failures, from anywhere, make the next attempt
    /// wait a little longer each time (distributed guessing slows to a crawl).
    pub async fn log_in(&self, email: &str, password: &str, client: &str) -> AppResult<User> {
        let key = email.trim().to_lowercase();
        let now = Timestamp::now();
        // Keys are hashed so an enormous "email" stores no more than a real one.
        let account = token_hash(&format!("account:{key}"));
        let pair = token_hash(&format!("pair:{key}|{client}"));
        let from = token_hash(&format!("client:{client}"));
        self.refuse_if_throttled(&account, &pair, &from, now)
            .await?;
        let credentials = self.store.credentials(&key).await?;
        let verified = match &credentials {
            Some(found) => verify_password_apart(&found.password_hash, password).await,
            None => {
                // Spend the same time as a real check so response times do not reveal accounts.
                verify_password_apart(&self.dummy_hash, password).await;
                false
            }
        };
        match credentials {
            Some(found) if verified => {
                for cleared in [&account, &pair] {
                    self.store.clear_login_failures(cleared).await?;
                }
                self.refuse_outside_sso(&found.user)?;
                Ok(found.user)
            }
            _ => {
                for failed in [&account, &pair, &from] {
                    self.store.record_login_failure(failed, now).await?;
                }
                Err(AppError::Forbidden("the email or password is wrong".into()))
            }
        }
    }

    async fn refuse_if_throttled(
        &self,
        account: &str,
        pair: &str,
        from: &str,
        now: Timestamp,
    ) -> AppResult<()> {
        let window_start = now - THROTTLE_WINDOW;
        let whole_window = THROTTLE_WINDOW.as_secs();
        if self.store.login_failures_since(from, window_start).await?
            >= MAX_FAILED_LOGINS_PER_CLIENT
            || self.store.login_failures_since(pair, window_start).await? >= MAX_FAILED_LOGINS
        {
            return Err(AppError::TooManyAttempts {
                retry_after_seconds: whole_window,
            });
        }
        let failures = self
            .store
            .login_failures_since(account, window_start)
            .await?;
        if failures >= MAX_FAILED_LOGINS
            && let Some(last) = self.store.last_login_failure(account).await?
        {
            let wait = account_delay(failures);
            let since = now.duration_since(last).as_secs();
            if since < wait {
                return Err(AppError::TooManyAttempts {
                    retry_after_seconds: wait - since,
                });
            }
        }
        Ok(())
    }

    /// Starts a browser session and returns its token (for the cookie). Expired sessions of
    /// anyone are swept at the same time, so the table stays the size of the live ones.
    pub async fn start_session(&self, user: &User) -> AppResult<String> {
        let token = new_token();
        let now = Timestamp::now();
        self.store.delete_expired_sessions(now).await?;
        let expires_at = now + (self.settings.session_hours * 3600).seconds();
        self.store
            .create_session(&token_hash(&token), user.id, expires_at)
            .await?;
        Ok(token)
    }

    pub async fn session_user(&self, token: &str) -> AppResult<Option<User>> {
        Ok(self
            .store
            .session(&token_hash(token), Timestamp::now())
            .await?)
    }

    pub async fn end_session(&self, token: &str) -> AppResult<()> {
        Ok(self.store.delete_session(&token_hash(token)).await?)
    }

    /// Issues a bearer token for the API after checking the password like a log-in.
    pub async fn issue_api_token(
        &self,
        email: &str,
        password: &str,
        label: &str,
        client: &str,
    ) -> AppResult<(User, String)> {
        let user = self.log_in(email, password, client).await?;
        let token = new_token();
        let label = if label.trim().is_empty() {
            "api"
        } else {
            label.trim()
        };
        let expires_at =
            Timestamp::now() + jiff::SignedDuration::from_hours(24 * self.settings.api_token_days);
        self.store
            .create_api_token(&token_hash(&token), user.id, label, expires_at)
            .await?;
        Ok((user, token))
    }

    pub async fn api_token_user(&self, token: &str) -> AppResult<Option<User>> {
        Ok(self
            .store
            .api_token_user(&token_hash(token), Timestamp::now())
            .await?)
    }

    /// The user's own API tokens (never the tokens themselves).
    pub async fn my_api_tokens(&self, user: &User) -> AppResult<Vec<upward_store::ApiToken>> {
        Ok(self.store.api_tokens(user.id).await?)
    }

    /// Revokes one of the user's own API tokens.
    pub async fn revoke_my_api_token(&self, user: &User, id: &str) -> AppResult<()> {
        Ok(self.store.revoke_api_token(user.id, id).await?)
    }

    pub async fn change_own_password(
        &self,
        user: &User,
        current: &str,
        new: &str,
    ) -> AppResult<()> {
        let credentials = self
            .store
            .credentials(&user.email.key())
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // An account made from a link has no password yet: it sets one without a current one.
        if !credentials.password_hash.is_empty()
            && !verify_password_apart(&credentials.password_hash, current).await
        {
            return Err(AppError::invalid(
                "current_password",
                "this is not your current password",
            ));
        }
        check_new_password(new)?;
        self.store
            .set_password_hash(user.id, &hash_password_apart(new).await?)
            .await?;
        Ok(())
    }

    /// Whether the account has a password (one made from a mailed link or single sign-on
    /// has none until it sets one).
    pub async fn has_password(&self, user: &User) -> AppResult<bool> {
        Ok(self
            .store
            .credentials(&user.email.key())
            .await?
            .is_some_and(|found| !found.password_hash.is_empty()))
    }

    /// Parses an email typed into a form field, reporting a problem under that field.
    pub fn parse_email(field: &'static str, value: &str) -> AppResult<Email> {
        Email::parse(value).map_err(|error| AppError::invalid(field, error.0))
    }
}
