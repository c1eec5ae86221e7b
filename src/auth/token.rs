//! JWT authentication: verifying bearer tokens and minting development tokens.
//!
//! Exactly one algorithm is accepted, the configured one: HS256 with a shared secret, or
//! RS256 / ES256 with a public key in PEM. `exp`, `iss`, `aud`, `sub` and `role` are
//! required, and a missing one is named in the refusal; `aud` may be a string or an array
//! (RFC 7519, 4.1.3) that holds our audience; `nbf` is checked when present; a small leeway
//! absorbs clock skew. A token may live at most the configured lifetime (`exp` counted from
//! `iat`, or from now when `iat` is missing or in the future). Tokens with `alg: none`,
//! another algorithm (including an HS256 token "signed" with the public key text), a wrong
//! issuer or audience, or an expired or malformed token are rejected.

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::policy::{Principal, Role};

/// The claims of a Yhdyspinta token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// Who the token is for; kept in the audit log.
    pub sub: String,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `editor` or `admin`.
    pub role: Role,
    /// Organisation ids an editor may write for (their units included).
    #[serde(default)]
    pub orgs: Vec<Uuid>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issuer.
    pub iss: String,
    /// Audience: one, or several of which ours must be one.
    pub aud: Audience,
}

/// The `aud` claim: a string, or an array of strings (RFC 7519, 4.1.3).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(untagged)]
pub enum Audience {
    /// One audience.
    One(String),
    /// Several audiences.
    Many(Vec<String>),
}

impl From<&str> for Audience {
    fn from(audience: &str) -> Self {
        Audience::One(audience.to_owned())
    }
}

impl From<String> for Audience {
    fn from(audience: String) -> Self {
        Audience::One(audience)
    }
}

/// Claims every token must carry, in the order a refusal names the first one missing.
const REQUIRED: [&str; 5] = ["exp", "iss", "aud", "sub", "role"];

impl From<Claims> for Principal {
    fn from(claims: Claims) -> Self {
        Principal {
            sub: claims.sub,
            name: claims.name,
            role: claims.role,
            orgs: claims.orgs,
        }
    }
}

/// The key tokens are verified with.
#[derive(Clone)]
pub enum Key {
    /// A shared secret (HS256).
    Hs256(Vec<u8>),
    /// An RSA public key in PEM (RS256).
    Rs256Pem(Vec<u8>),
    /// An EC P-256 public key in PEM (ES256).
    Es256Pem(Vec<u8>),
}

/// The longest a token may live unless configured otherwise (`--jwt-max-ttl`).
pub const DEFAULT_MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Verifies bearer tokens.
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
    max_ttl: Duration,
}

/// Why a token was refused; shown to the caller as `UNAUTHENTICATED`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected(pub String);

impl Verifier {
    /// A verifier for `key`, accepting only tokens from `issuer` for `audience`.
    pub fn new(key: &Key, issuer: &str, audience: &str, leeway_secs: u64) -> anyhow::Result<Self> {
        let (key, algorithm) = match key {
            Key::Hs256(secret) => {
                anyhow::ensure!(
                    secret.len() >= 32,
                    "the HS256 secret must be at least 32 bytes"
                );
                (DecodingKey::from_secret(secret), Algorithm::HS256)
            }
            Key::Rs256Pem(pem) => (
                DecodingKey::from_rsa_pem(pem).context("reading the RS256 public key")?,
                Algorithm::RS256,
            ),
            Key::Es256Pem(pem) => (
                DecodingKey::from_ec_pem(pem).context("reading the ES256 public key")?,
                Algorithm::ES256,
            ),
        };
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.leeway = leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        Ok(Self {
            key,
            validation,
            max_ttl: DEFAULT_MAX_TTL,
        })
    }

    /// Refuses tokens that live longer than `max_ttl`.
    pub fn with_max_ttl(mut self, max_ttl: Duration) -> Self {
        self.max_ttl = max_ttl;
        self
    }

    /// Verifies a token and returns its claims: signature, algorithm, issuer, audience and
    /// times first (jsonwebtoken), then which required claim is missing, then the claims'
    /// types, then the lifetime.
    pub fn verify(&self, token: &str) -> Result<Claims, Rejected> {
        let raw = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &self.key,
            &self.validation,
        )
        .map_err(|err| Rejected(describe(&err)))?
        .claims;
        if let Some(missing) = REQUIRED.iter().find(|claim| !raw.contains_key(**claim)) {
            return Err(Rejected(format!("the token has no `{missing}` claim")));
        }
        let claims: Claims = serde_json::from_value(serde_json::Value::Object(raw))
            .map_err(|err| Rejected(format!("the token's claims are invalid: {err}")))?;
        self.check_lifetime(&claims, chrono::Utc::now().timestamp())?;
        Ok(claims)
    }

    /// Refuses a token whose `exp` lies more than the maximum lifetime after its `iat` (or
    /// after `now`, when `iat` is missing or in the future).
    fn check_lifetime(&self, claims: &Claims, now: i64) -> Result<(), Rejected> {
        let from = claims.iat.map_or(now, |iat| iat.min(now));
        let lifetime = claims.exp.saturating_sub(from);
        let max = i64::try_from(self.max_ttl.as_secs()).unwrap_or(i64::MAX);
        if lifetime > max {
            let secs = |s: i64| humantime::format_duration(Duration::from_secs(s.unsigned_abs()));
            return Err(Rejected(format!(
                "the token lives too long: {} from {} to its `exp`; this server accepts at most {}",
                secs(lifetime),
                if claims.iat.is_some() { "`iat`" } else { "now" },
                secs(max),
            )));
        }
        Ok(())
    }

    /// Reads an `Authorization` header value: absent means anonymous; anything other than
    /// a valid `Bearer` token is refused.
    pub fn principal(&self, header: Option<&str>) -> Result<Option<Principal>, Rejected> {
        let Some(value) = header else {
            return Ok(None);
        };
        let mut parts = value.trim().splitn(2, ' ');
        let scheme = parts.next().unwrap_or_default();
        let token = parts.next().map(str::trim).unwrap_or_default();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Err(Rejected(
                "the Authorization header must be `Bearer <token>`".into(),
            ));
        }
        self.verify(token).map(|claims| Some(claims.into()))
    }
}

fn describe(err: &jsonwebtoken::errors::Error) -> String {
    use jsonwebtoken::errors::ErrorKind;
    match err.kind() {
        ErrorKind::ExpiredSignature => "the token has expired".into(),
        ErrorKind::ImmatureSignature => "the token is not valid yet".into(),
        ErrorKind::InvalidIssuer => "the token has the wrong issuer".into(),
        ErrorKind::InvalidAudience => "the token has the wrong audience".into(),
        ErrorKind::InvalidAlgorithm => {
            "the token uses an algorithm this server does not accept".into()
        }
        ErrorKind::MissingRequiredClaim(claim) => format!("the token has no `{claim}` claim"),
        ErrorKind::InvalidSignature => "the token's signature is invalid".into(),
        _ => "the token is malformed".into(),
    }
}

/// Mints an HS256 token.
pub fn mint_hs256(secret: &[u8], claims: &Claims) -> anyhow::Result<String> {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .context("signing the token")
}

/// Reads the HS256 secret kept in `path`, or creates one: 32 random bytes, hex-encoded,
/// in a file only the owner can read (mode 0600).
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = text.trim().as_bytes().to_vec();
            anyhow::ensure!(
                secret.len() >= 32,
                "{} holds a secret shorter than 32 bytes",
                path.display()
            );
            Ok(secret)
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let bytes: [u8; 32] = rand::random();
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut file = options
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            file.write_all(hex.as_bytes())?;
            file.write_all(b"\n")?;
            Ok(hex.into_bytes())
        }
        Err(err) => Err(err).with_context(|| format!("reading {}", path.display())),
    }
}

#[cfg(test)]
mod tests;
