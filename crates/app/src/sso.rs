//! Single sign-on with OpenID Connect: the authorization code flow with PKCE, through the
//! `openidconnect` crate. A person is recognised by the verified email the provider vouches
//! for, matched against the directory; the provider's metadata is discovered on first use
//! (and again after a failure), so Upward starts even while the provider is down.

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreProviderMetadata, CoreUserInfoClaims,
};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet,
    EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    RedirectUrl, Scope, TokenResponse,
};
use upward_domain::{Email, User};

use crate::{App, AppError, AppResult};

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The discovered provider, kept for the life of the server.
#[derive(Clone)]
pub(crate) struct Provider {
    client: Client,
    http: openidconnect::reqwest::Client,
}

/// Where to send the browser, and what it must bring back (kept in a short-lived cookie).
#[derive(Debug, Clone)]
pub struct SsoStart {
    pub authorize_url: String,
    /// `state`, nonce and PKCE verifier, joined: the callback proves it started here.
    pub pending: String,
}

/// The path the provider sends people back to; register `base_url` + this with the provider.
pub const CALLBACK_PATH: &str = "/sso/callback";

fn failed(what: &str, error: impl std::fmt::Display) -> AppError {
    tracing::warn!(%error, "single sign-on: {what}");
    AppError::Forbidden(format!(
        "signing in through your organisation did not work ({what}); try again, or ask your admin"
    ))
}

/// What someone who may only use single sign-on is told.
pub const SSO_ONLY: &str = "Upward signs you in through your organisation: use “Sign in with your organisation” on the sign-in page";

impl App {
    /// Under `sso_only`, passwords and mailed links are for admins alone (their way in when
    /// the provider is down); everyone else signs in through the provider.
    pub fn refuse_outside_sso(&self, user: &User) -> AppResult<()> {
        if self.settings.sso_only && user.role != upward_domain::Role::Admin {
            Err(AppError::Forbidden(SSO_ONLY.into()))
        } else {
            Ok(())
        }
    }

    /// Whether a password or a mailed link may be used for this address.
    pub(crate) async fn may_use_own_credentials(&self, email: &Email) -> AppResult<bool> {
        if !self.settings.sso_only {
            return Ok(true);
        }
        Ok(self
            .store
            .credentials(&email.key())
            .await?
            .is_some_and(|found| found.user.role == upward_domain::Role::Admin))
    }

    async fn provider(&self) -> AppResult<Provider> {
        if let Some(provider) = self.sso.get() {
            return Ok(provider.clone());
        }
        let settings = &self.settings;
        let (Some(issuer), Some(client_id)) = (&settings.oidc_issuer, &settings.oidc_client_id)
        else {
            return Err(AppError::NotFound(
                "single sign-on (it is not set up)".into(),
            ));
        };
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would let a provider send Upward's requests anywhere (SSRF).
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| failed("no HTTP client", e))?;
        let issuer = IssuerUrl::new(issuer.clone()).map_err(|e| failed("bad issuer URL", e))?;
        let metadata = CoreProviderMetadata::discover_async(issuer, &http)
            .await
            .map_err(|e| failed("the provider could not be reached", e))?;
        let redirect = RedirectUrl::new(format!("{}{CALLBACK_PATH}", settings.base_url()))
            .map_err(|e| failed("bad base_url", e))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(client_id.clone()),
            settings
                .oidc_client_secret
                .as_ref()
                .map(|secret| ClientSecret::new(secret.expose().to_owned())),
        )
        .set_redirect_uri(redirect);
        let provider = Provider { client, http };
        let _ = self.sso.set(provider.clone());
        Ok(provider)
    }

    /// Starts a sign-in: the provider's address to send the browser to, with PKCE, `state`
    /// and a nonce.
    pub async fn sso_start(&self) -> AppResult<SsoStart> {
        let provider = self.provider().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = provider
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(SsoStart {
            authorize_url: url.to_string(),
            pending: format!(
                "{}.{}.{}",
                state.secret(),
                nonce.secret(),
                verifier.secret()
            ),
        })
    }

    /// Finishes a sign-in: checks `state`, exchanges the code (with the PKCE verifier),
    /// verifies the ID token and its nonce, and returns the account of the person the
    /// verified email names, made from the directory on first sign-in.
    pub async fn sso_finish(&self, code: &str, state: &str, pending: &str) -> AppResult<User> {
        let mut parts = pending.splitn(3, '.');
        let (Some(expected_state), Some(nonce), Some(verifier)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(failed(
                "the sign-in was not started in this browser",
                "no cookie",
            ));
        };
        if expected_state != state {
            return Err(failed(
                "the sign-in was not started in this browser",
                "state differs",
            ));
        }
        let provider = self.provider().await?;
        let tokens = provider
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| failed("the provider has no token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_owned()))
            .request_async(&provider.http)
            .await
            .map_err(|e| failed("the provider refused the code", e))?;
        let id_token = tokens
            .id_token()
            .ok_or_else(|| failed("the provider sent no ID token", "missing id_token"))?;
        let claims = id_token
            .claims(
                &provider.client.id_token_verifier(),
                &Nonce::new(nonce.to_owned()),
            )
            .map_err(|e| failed("the ID token did not verify", e))?;
        let (mut email, mut verified) = (
            claims.email().map(|e| e.as_str().to_owned()),
            claims.email_verified(),
        );
        // Some providers put the email in the user info only.
        if email.is_none() {
            let info: CoreUserInfoClaims = provider
                .client
                .user_info(
                    tokens.access_token().clone(),
                    Some(claims.subject().clone()),
                )
                .map_err(|e| failed("the provider has no user info endpoint", e))?
                .request_async(&provider.http)
                .await
                .map_err(|e| failed("the user info could not be read", e))?;
            email = info.email().map(|e| e.as_str().to_owned());
            verified = info.email_verified();
        }
        let email = email.ok_or_else(|| {
            AppError::Forbidden(
                "your organisation's sign-in did not say your email address, so Upward cannot tell who you are: ask your admin to release the email claim to Upward".into(),
            )
        })?;
        self.sso_account(&email, verified).await
    }

    /// The account for an email the provider vouched for (`verified` as it said, if it did).
    async fn sso_account(&self, email: &str, verified: Option<bool>) -> AppResult<User> {
        let email = vouched_email(email, verified, &self.settings.oidc_allowed_domains)?;
        self.account_from_directory(&email.key())
            .await?
            .ok_or_else(|| {
                AppError::Forbidden(format!(
                    "your organisation's directory in Upward does not hold {email} (or no longer lists them as active): ask your HR team to add you"
                ))
            })
    }
}

/// The email to recognise someone by: refused if the provider said it is not verified (one
/// that says nothing, as Entra ID, is trusted for the domains allowed), or if it is outside
/// the allowed domains (when there are any).
fn vouched_email(email: &str, verified: Option<bool>, allowed: &[String]) -> AppResult<Email> {
    let email = Email::parse(email).map_err(|e| AppError::Forbidden(e.0))?;
    if verified == Some(false) {
        return Err(AppError::Forbidden(format!(
            "your organisation's sign-in says {email} is not verified, so Upward cannot accept it"
        )));
    }
    let key = email.key();
    let domain = key.rsplit('@').next().unwrap_or_default();
    if !allowed.is_empty() && !allowed.iter().any(|d| d == domain) {
        return Err(AppError::Forbidden(format!(
            "Upward accepts only addresses of your organisation ({}), and {email} is not one",
            allowed.join(", ")
        )));
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_accepted_only_if_verified_or_unsaid_and_inside_the_allowed_domains() {
        let allowed = vec!["example.com".to_owned()];
        assert!(vouched_email("Ann@Example.com", Some(true), &allowed).is_ok());
        assert!(vouched_email("ann@example.com", None, &allowed).is_ok());
        let unverified = vouched_email("ann@example.com", Some(false), &allowed).unwrap_err();
        assert!(unverified.to_string().contains("not verified"));
        let outside = vouched_email("ann@evil.example", Some(true), &allowed).unwrap_err();
        assert!(
            outside
                .to_string()
                .contains("only addresses of your organisation (example.com)")
        );
        assert!(vouched_email("ann@sub.example.com", Some(true), &allowed).is_err());
        assert!(vouched_email("ann@anywhere.org", Some(true), &[]).is_ok());
        assert!(vouched_email("not an email", Some(true), &[]).is_err());
    }
}
