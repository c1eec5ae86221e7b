//! Authentication (JWT bearer tokens) and the write-access policy, in one place.
//!
//! # Tokens
//! A [`Verifier`] accepts exactly one algorithm, the configured one: HS256 with a shared
//! secret, or RS256 / ES256 with a public key in PEM. `exp`, `iss`, `aud` and `sub` are
//! required, the issuer and audience must be the configured ones, `nbf` is honoured when
//! present, and a small leeway absorbs clock skew. Refused, among others: `alg: none`, any
//! other algorithm than the configured one (including an HS256 token whose HMAC key is the
//! RS256 public-key text — algorithm confusion), expired tokens, and malformed headers.
//! Every refusal is an [`AuthError`], reported to GraphQL clients with
//! `extensions.code = "UNAUTHENTICATED"`.
//!
//! # Access model
//! - Anonymous callers read public data and write nothing ([`Decision::Unauthenticated`]).
//! - An `editor` token names the organisations (`orgs`) it writes for; it may write data
//!   owned by one of them or by one of their units (descendants). Anything else is
//!   [`Decision::Forbidden`].
//! - An `admin` token writes everything and reads the audit log.
//!
//! The policy is pure: resolvers look up what a write touches and describe it as owners,
//! each with its chain of parent organisations ([`Owner`]); [`may_write`] decides.
//!
//! This module depends on no other module of the crate.

use std::fmt;
use std::io::Write;
use std::path::Path;

use anyhow::Context as _;
use async_graphql::ErrorExtensions;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Shortest HS256 secret accepted, in bytes (RFC 7518 §3.2: at least the hash size).
pub const MIN_HS256_SECRET_LEN: usize = 32;

/// Longest `Authorization` header value looked at; longer ones are refused unparsed.
const MAX_TOKEN_LEN: usize = 8 * 1024;

/// The role a token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes the data of the organisations named in the token's `orgs`, and of their units.
    Editor,
    /// Writes everything and reads the audit log.
    Admin,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Editor => "editor",
            Role::Admin => "admin",
        })
    }
}

/// The `aud` claim: a single string (what this crate mints) or, as RFC 7519 allows, an
/// array of strings. The verifier has already checked that the configured audience is in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Audience {
    /// `"aud": "yhdyspinta"`.
    One(String),
    /// `"aud": ["yhdyspinta", "other"]`.
    Many(Vec<String>),
}

impl Audience {
    /// Whether `audience` is one of the token's audiences.
    pub fn contains(&self, audience: &str) -> bool {
        match self {
            Audience::One(a) => a == audience,
            Audience::Many(all) => all.iter().any(|a| a == audience),
        }
    }
}

impl From<&str> for Audience {
    fn from(value: &str) -> Self {
        Audience::One(value.to_owned())
    }
}

impl From<String> for Audience {
    fn from(value: String) -> Self {
        Audience::One(value)
    }
}

/// The claims of a Yhdyspinta token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Who the token is for (an integrator or a person); recorded in the audit log.
    pub sub: String,
    /// Display name, for the audit log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `editor` or `admin`.
    pub role: Role,
    /// Organisations an editor writes for (their units included). Ignored for admins.
    #[serde(default)]
    pub orgs: Vec<Uuid>,
    /// Expiry, seconds since the epoch.
    pub exp: i64,
    /// Issued at, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    /// Not before, seconds since the epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: Audience,
}

/// The key tokens are verified with; it also fixes the one algorithm accepted.
#[derive(Clone)]
pub enum KeyConfig {
    /// HS256 with a shared secret of at least [`MIN_HS256_SECRET_LEN`] bytes.
    Hs256 {
        /// The secret, used as is (bytes).
        secret: Vec<u8>,
    },
    /// RS256 with an RSA public key in PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`).
    Rs256 {
        /// The PEM text.
        public_pem: Vec<u8>,
    },
    /// ES256 with a P-256 public key in PEM (`BEGIN PUBLIC KEY`).
    Es256 {
        /// The PEM text.
        public_pem: Vec<u8>,
    },
}

impl fmt::Debug for KeyConfig {
    /// Never prints the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyConfig::Hs256 { secret } => write!(f, "Hs256 {{ secret: <{} bytes> }}", secret.len()),
            KeyConfig::Rs256 { .. } => f.write_str("Rs256 { public_pem: .. }"),
            KeyConfig::Es256 { .. } => f.write_str("Es256 { public_pem: .. }"),
        }
    }
}

impl KeyConfig {
    /// The algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            KeyConfig::Hs256 { .. } => Algorithm::HS256,
            KeyConfig::Rs256 { .. } => Algorithm::RS256,
            KeyConfig::Es256 { .. } => Algorithm::ES256,
        }
    }
}

/// How tokens are verified.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Key and algorithm.
    pub key: KeyConfig,
    /// The only issuer (`iss`) accepted.
    pub issuer: String,
    /// The audience (`aud`) a token must name.
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    pub leeway_secs: u64,
}

/// Verifies bearer tokens. Built once at start-up and shared.
pub struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("algorithms", &self.validation.algorithms)
            .field("iss", &self.validation.iss)
            .field("aud", &self.validation.aud)
            .field("leeway", &self.validation.leeway)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier for `cfg`. Fails on an unreadable PEM key, an HS256 secret shorter than
    /// [`MIN_HS256_SECRET_LEN`] bytes, or an empty issuer or audience.
    pub fn new(cfg: &AuthConfig) -> anyhow::Result<Self> {
        anyhow::ensure!(!cfg.issuer.is_empty(), "the token issuer must not be empty");
        anyhow::ensure!(!cfg.audience.is_empty(), "the token audience must not be empty");
        let key = match &cfg.key {
            KeyConfig::Hs256 { secret } => {
                anyhow::ensure!(
                    secret.len() >= MIN_HS256_SECRET_LEN,
                    "the HS256 secret must be at least {MIN_HS256_SECRET_LEN} bytes"
                );
                DecodingKey::from_secret(secret)
            }
            KeyConfig::Rs256 { public_pem } => {
                DecodingKey::from_rsa_pem(public_pem).context("reading the RS256 public key (PEM)")?
            }
            KeyConfig::Es256 { public_pem } => {
                DecodingKey::from_ec_pem(public_pem).context("reading the ES256 public key (PEM)")?
            }
        };
        let algorithm = cfg.key.algorithm();
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[cfg.issuer.as_str()]);
        validation.set_audience(&[cfg.audience.as_str()]);
        validation.leeway = cfg.leeway_secs;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = true;
        Ok(Self { key, validation })
    }

    /// Verifies a token (the part after `Bearer `) and returns its claims.
    pub fn verify(&self, bearer_token: &str) -> Result<Claims, AuthError> {
        let token = bearer_token.trim();
        if !looks_like_jwt(token) {
            return Err(AuthError::Malformed(
                "the token is not a JWT (three base64url parts separated by dots)".into(),
            ));
        }
        let claims = jsonwebtoken::decode::<Claims>(token, &self.key, &self.validation)
            .map(|data| data.claims)
            .map_err(|err| classify(&err))?;
        if claims.sub.trim().is_empty() {
            return Err(AuthError::Invalid("the token's subject (sub) is empty".into()));
        }
        Ok(claims)
    }
}

/// Three non-empty-ish base64url segments (the signature may be empty only for `alg: none`,
/// which the verifier then refuses), within [`MAX_TOKEN_LEN`].
fn looks_like_jwt(token: &str) -> bool {
    token.len() <= MAX_TOKEN_LEN
        && token.split('.').count() == 3
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

fn classify(err: &jsonwebtoken::errors::Error) -> AuthError {
    let reason = match err.kind() {
        ErrorKind::ExpiredSignature => "the token has expired",
        ErrorKind::ImmatureSignature => "the token is not valid yet (nbf)",
        ErrorKind::InvalidIssuer => "the token's issuer (iss) is not accepted",
        ErrorKind::InvalidAudience => "the token's audience (aud) is not this API",
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => {
            "the token's algorithm is not the one this API accepts"
        }
        ErrorKind::InvalidSignature => "the token's signature is invalid",
        ErrorKind::MissingRequiredClaim(claim) => {
            return AuthError::Invalid(format!("the token has no {claim} claim"));
        }
        ErrorKind::InvalidToken
        | ErrorKind::Base64(_)
        | ErrorKind::Json(_)
        | ErrorKind::Utf8(_) => {
            return AuthError::Malformed("the token or its claims are malformed".into());
        }
        _ => "the token was refused",
    };
    AuthError::Invalid(reason.into())
}

/// Why a request could not be authenticated. Every variant is reported to GraphQL clients
/// with `extensions.code = "UNAUTHENTICATED"` (and would be HTTP 401 outside GraphQL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// A token was sent, but this server has no token verification configured.
    #[error("this server does not accept tokens")]
    NotConfigured,
    /// The `Authorization` header or the token is not well-formed.
    #[error("{0}")]
    Malformed(String),
    /// The token is well-formed but refused: signature, algorithm, expiry, issuer,
    /// audience or a required claim.
    #[error("{0}")]
    Invalid(String),
}

impl AuthError {
    /// The GraphQL `extensions.code`.
    pub const CODE: &'static str = "UNAUTHENTICATED";
}

impl ErrorExtensions for AuthError {
    fn extend(&self) -> async_graphql::Error {
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| ext.set("code", Self::CODE))
    }
}

/// Who is calling; stored in the GraphQL context of each request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// No `Authorization` header: reads public data only.
    Anonymous,
    /// A verified token.
    Authenticated(Claims),
}

impl Caller {
    /// The verified claims, if any.
    pub fn claims(&self) -> Option<&Claims> {
        match self {
            Caller::Anonymous => None,
            Caller::Authenticated(claims) => Some(claims),
        }
    }

    /// The token subject, for the audit log.
    pub fn subject(&self) -> Option<&str> {
        self.claims().map(|c| c.sub.as_str())
    }

    /// The role, if authenticated.
    pub fn role(&self) -> Option<Role> {
        self.claims().map(|c| c.role)
    }

    /// Whether the caller holds a valid admin token.
    pub fn is_admin(&self) -> bool {
        self.role() == Some(Role::Admin)
    }

    /// Whether the caller holds any valid token (internal contact details are visible).
    pub fn is_authenticated(&self) -> bool {
        matches!(self, Caller::Authenticated(_))
    }
}

/// Reads an `Authorization` header value.
///
/// - No header: [`Caller::Anonymous`].
/// - `Bearer <token>` (scheme case-insensitive) with a token the `verifier` accepts:
///   [`Caller::Authenticated`].
/// - Anything else — another scheme, no token, a malformed or refused token, or a token
///   when no verifier is configured — is an error, never a silent fallback to anonymous.
pub fn parse_authorization_header(
    value: Option<&str>,
    verifier: Option<&Verifier>,
) -> Result<Caller, AuthError> {
    let Some(value) = value else {
        return Ok(Caller::Anonymous);
    };
    let value = value.trim();
    let (scheme, token) = value
        .split_once([' ', '\t'])
        .map(|(s, t)| (s, t.trim()))
        .unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(AuthError::Malformed(
            "the Authorization header must be `Bearer <token>`".into(),
        ));
    }
    if token.is_empty() {
        return Err(AuthError::Malformed(
            "the Authorization header has no token after `Bearer`".into(),
        ));
    }
    let verifier = verifier.ok_or(AuthError::NotConfigured)?;
    verifier.verify(token).map(Caller::Authenticated)
}

/// Signs `claims` as an HS256 token (for the token-minting CLI and tests). The secret must
/// be at least [`MIN_HS256_SECRET_LEN`] bytes, like the verifier's.
pub fn mint_hs256(secret: &[u8], claims: &Claims) -> anyhow::Result<String> {
    anyhow::ensure!(
        secret.len() >= MIN_HS256_SECRET_LEN,
        "the HS256 secret must be at least {MIN_HS256_SECRET_LEN} bytes"
    );
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .context("signing the token")
}

/// Reads the HS256 secret kept in `path`, or creates it.
///
/// An existing file's content, trimmed of surrounding whitespace, is the secret — used as
/// its bytes, whether it is the hex this function writes or any other text, so that other
/// tools that take the file's text as the HMAC key agree with this server. It must be at
/// least [`MIN_HS256_SECRET_LEN`] bytes.
///
/// A missing file is created with 32 random bytes written as 64 hex characters, readable
/// only by its owner (mode 0600). The file appears atomically, complete or not at all: it
/// is written under a temporary name and linked into place, and when another process wins
/// the race its secret is read and returned.
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    match read_secret(path) {
        Ok(Some(secret)) => return Ok(secret),
        Ok(None) => {}
        Err(err) => return Err(err),
    }
    let bytes: [u8; 32] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match create_exclusive(path, format!("{hex}\n").as_bytes()) {
        Ok(()) => Ok(hex.into_bytes()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => read_secret(path)?
            .with_context(|| format!("{} vanished while being created", path.display())),
        Err(err) => Err(err).with_context(|| format!("creating {}", path.display())),
    }
}

/// `Ok(None)` when the file does not exist.
fn read_secret(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("reading {}", path.display())),
    };
    let secret = text.trim_ascii().to_vec();
    anyhow::ensure!(
        secret.len() >= MIN_HS256_SECRET_LEN,
        "{} holds a secret shorter than {MIN_HS256_SECRET_LEN} bytes",
        path.display()
    );
    Ok(Some(secret))
}

/// Writes `content` to a new file at `path` (mode 0600), failing with `AlreadyExists` if
/// there is one. Written to a temporary file in the same directory first and hard-linked
/// into place, so no reader sees a half-written file.
fn create_exclusive(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let suffix: u64 = rand::random();
    let tmp = dir.join(format!(".{file_name}.{suffix:016x}.tmp"));
    let result = write_new(&tmp, content).and_then(|()| match std::fs::hard_link(&tmp, path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Err(err),
        // A file system without hard links: fall back to creating the file in place.
        Err(_) => write_new(path, content),
    });
    let _ = std::fs::remove_file(&tmp);
    result
}

/// Creates `path` (mode 0600, failing if it exists) holding `content`, flushed to disk.
fn write_new(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let mut file = open_private(path)?;
    file.write_all(content)?;
    file.sync_all()
}

fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

// ---------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------

/// One organisation owning what a write touches, with its parents: `[owner, parent,
/// grandparent, …, top]`. For a unit of Kuopio that is `[unit, Kuopio]`; for Kuopio itself
/// `[Kuopio]`. The caller resolves the chain from the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// The owner first, then its ancestors up to the top-level organisation.
    pub chain: Vec<Uuid>,
}

impl Owner {
    /// An owner and its ancestors (nearest first).
    pub fn new(owner: Uuid, ancestors: impl IntoIterator<Item = Uuid>) -> Self {
        let mut chain = vec![owner];
        chain.extend(ancestors);
        Self { chain }
    }

    /// A top-level organisation (no parent).
    pub fn top(owner: Uuid) -> Self {
        Self { chain: vec![owner] }
    }

    /// The owning organisation itself.
    pub fn id(&self) -> Option<Uuid> {
        self.chain.first().copied()
    }
}

/// What a write touches, described by its owning organisations (already resolved by the
/// caller from the database). Examples:
/// - a person or representative → its organisation;
/// - a network, its memberships and meetings → its convener (and the county it belongs to);
/// - an action and its progress reports → its responsible organisations;
/// - an organisation → itself (a unit: itself and its parents).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    /// The owners; an empty list means only an admin may write.
    pub owners: Vec<Owner>,
}

impl Ownership {
    /// Ownership by `owners`, resolving each one's ancestors (nearest first) with
    /// `ancestors_of`.
    pub fn resolve(
        owners: impl IntoIterator<Item = Uuid>,
        mut ancestors_of: impl FnMut(Uuid) -> Vec<Uuid>,
    ) -> Self {
        Self {
            owners: owners
                .into_iter()
                .map(|id| Owner::new(id, ancestors_of(id)))
                .collect(),
        }
    }
}

impl From<Vec<Owner>> for Ownership {
    fn from(owners: Vec<Owner>) -> Self {
        Self { owners }
    }
}

/// The outcome of an access check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead.
    Allow,
    /// No token: `UNAUTHENTICATED`.
    Unauthenticated,
    /// A valid token without the right: `FORBIDDEN`.
    Forbidden,
}

impl Decision {
    /// Whether the action is allowed.
    pub fn is_allowed(self) -> bool {
        self == Decision::Allow
    }

    /// `Ok(())` when allowed, otherwise a GraphQL error with `extensions.code`
    /// `UNAUTHENTICATED` or `FORBIDDEN`.
    pub fn into_result(self) -> async_graphql::Result<()> {
        let (code, message) = match self {
            Decision::Allow => return Ok(()),
            Decision::Unauthenticated => ("UNAUTHENTICATED", "sign in with a bearer token to write"),
            Decision::Forbidden => ("FORBIDDEN", "your token does not allow writing this data"),
        };
        Err(async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code)))
    }
}

/// Whether an editor's `orgs` cover `owner`: the owner or one of its ancestors is named.
fn covers(orgs: &[Uuid], owner: &Owner) -> bool {
    owner.chain.iter().any(|id| orgs.contains(id))
}

/// Whether `caller` may write something owned by `ownership`: admins always; editors when
/// ANY owner is one of their organisations or a unit of one; anonymous callers never. Use it
/// where shared responsibility means any party may edit (an action with several responsible
/// organisations). Nothing owned by nobody is writable by an editor.
pub fn may_write(caller: &Caller, ownership: &Ownership) -> Decision {
    decide(caller, |orgs| ownership.owners.iter().any(|o| covers(orgs, o)))
}

/// Like [`may_write`], but EVERY owner must be covered: for changes that touch several
/// organisations' data at once, such as moving a representative from one organisation to
/// another (both the old and the new owner must be the editor's), or a network membership
/// that names both the network's convener and the member organisation when both must agree.
pub fn may_write_all(caller: &Caller, ownership: &Ownership) -> Decision {
    decide(caller, |orgs| {
        !ownership.owners.is_empty() && ownership.owners.iter().all(|o| covers(orgs, o))
    })
}

/// Whether `caller` may do what only admins do, e.g. create a top-level organisation.
pub fn admin_only(caller: &Caller) -> Decision {
    decide(caller, |_| false)
}

/// Whether `caller` may read the audit log: admins only.
pub fn may_read_audit_log(caller: &Caller) -> Decision {
    admin_only(caller)
}

fn decide(caller: &Caller, editor_may: impl FnOnce(&[Uuid]) -> bool) -> Decision {
    match caller {
        Caller::Anonymous => Decision::Unauthenticated,
        Caller::Authenticated(claims) => match claims.role {
            Role::Admin => Decision::Allow,
            Role::Editor if editor_may(&claims.orgs) => Decision::Allow,
            Role::Editor => Decision::Forbidden,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
    const ISS: &str = "https://auth.example.org";
    const AUD: &str = "yhdyspinta";

    const RS_PRIVATE: &[u8] = include_bytes!("../tests/fixtures/keys/rs256_private.pem");
    const RS_PUBLIC: &[u8] = include_bytes!("../tests/fixtures/keys/rs256_public.pem");
    const ES_PRIVATE: &[u8] = include_bytes!("../tests/fixtures/keys/es256_private.pem");
    const ES_PUBLIC: &[u8] = include_bytes!("../tests/fixtures/keys/es256_public.pem");

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn claims() -> Claims {
        Claims {
            sub: "integrator-kuopio".into(),
            name: Some("Testi Integraattori".into()),
            role: Role::Editor,
            orgs: vec![Uuid::from_u128(297)],
            exp: now() + 600,
            iat: Some(now()),
            nbf: None,
            iss: ISS.into(),
            aud: AUD.into(),
        }
    }

    fn config(key: KeyConfig) -> AuthConfig {
        AuthConfig {
            key,
            issuer: ISS.into(),
            audience: AUD.into(),
            leeway_secs: 5,
        }
    }

    fn hs() -> Verifier {
        Verifier::new(&config(KeyConfig::Hs256 { secret: SECRET.to_vec() })).unwrap()
    }

    fn rs() -> Verifier {
        Verifier::new(&config(KeyConfig::Rs256 { public_pem: RS_PUBLIC.to_vec() })).unwrap()
    }

    fn es() -> Verifier {
        Verifier::new(&config(KeyConfig::Es256 { public_pem: ES_PUBLIC.to_vec() })).unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    fn sign_json(alg: Algorithm, value: &serde_json::Value, key: &EncodingKey) -> String {
        jsonwebtoken::encode(&Header::new(alg), value, key).unwrap()
    }

    fn reason(result: Result<Claims, AuthError>) -> String {
        match result.unwrap_err() {
            AuthError::Invalid(reason) | AuthError::Malformed(reason) => reason,
            AuthError::NotConfigured => "not configured".into(),
        }
    }

    #[test]
    fn valid_hs256_token_is_accepted() {
        let token = mint_hs256(SECRET, &claims()).unwrap();
        assert_eq!(hs().verify(&token).unwrap(), claims());
        let caller = parse_authorization_header(Some(&format!("Bearer {token}")), Some(&hs())).unwrap();
        assert_eq!(caller.subject(), Some("integrator-kuopio"));
        assert_eq!(caller.role(), Some(Role::Editor));
        // The scheme is case-insensitive; surrounding whitespace is fine.
        for header in [format!("bearer {token}"), format!("  BEARER   {token} ")] {
            assert!(parse_authorization_header(Some(&header), Some(&hs())).is_ok(), "{header}");
        }
    }

    #[test]
    fn audience_may_be_an_array() {
        let token = mint_hs256(
            SECRET,
            &Claims {
                aud: Audience::Many(vec!["other".into(), AUD.into()]),
                ..claims()
            },
        )
        .unwrap();
        let claims = hs().verify(&token).unwrap();
        assert!(claims.aud.contains(AUD));
        let token = mint_hs256(
            SECRET,
            &Claims {
                aud: Audience::Many(vec!["other".into()]),
                ..self::claims()
            },
        )
        .unwrap();
        assert!(hs().verify(&token).is_err());
    }

    #[test]
    fn absent_header_is_anonymous() {
        assert_eq!(parse_authorization_header(None, Some(&hs())), Ok(Caller::Anonymous));
        assert_eq!(parse_authorization_header(None, None), Ok(Caller::Anonymous));
        let token = mint_hs256(SECRET, &claims()).unwrap();
        assert_eq!(
            parse_authorization_header(Some(&format!("Bearer {token}")), None),
            Err(AuthError::NotConfigured)
        );
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in [
            "",
            "Bearer",
            "Bearer ",
            "Basic xyz",
            "Basic dXNlcjpwYXNz",
            "Token abc.def.ghi",
            "Bearer a.b",
            "Bearer a.b.c.d",
            "Bearer not a token",
            "Bearer ...",
            "Bearer a.b.c",
            "Bearer e30.e30.e30",
            "Bearer ☃.☃.☃",
            "Bearerabc.def.ghi",
        ] {
            let err = parse_authorization_header(Some(header), Some(&hs())).unwrap_err();
            assert!(
                matches!(err, AuthError::Malformed(_) | AuthError::Invalid(_)),
                "{header:?}: {err:?}"
            );
        }
        let huge = format!("Bearer {}.{}.{}", "a".repeat(5000), "b".repeat(5000), "c");
        assert!(matches!(
            parse_authorization_header(Some(&huge), Some(&hs())),
            Err(AuthError::Malformed(_))
        ));
    }

    #[test]
    fn garbage_never_panics() {
        let v = hs();
        let junk = [
            "",
            ".",
            "..",
            "a..",
            "..a",
            "!!!.!!!.!!!",
            "eyJ.eyJ.eyJ",
            "eyJhbGciOiJIUzI1NiJ9..",
            "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.sig",
            "eyJhbGciOiJGT08ifQ.e30.sig",
            "W10.W10.W10",
            "bnVsbA.bnVsbA.bnVsbA",
        ];
        for token in junk {
            assert!(v.verify(token).is_err(), "{token:?}");
            assert!(rs().verify(token).is_err(), "{token:?}");
            assert!(es().verify(token).is_err(), "{token:?}");
        }
    }

    #[test]
    fn expired_token_is_refused() {
        let expired = Claims { exp: now() - 3600, ..claims() };
        let token = mint_hs256(SECRET, &expired).unwrap();
        assert_eq!(reason(hs().verify(&token)), "the token has expired");
        // Within the leeway still passes.
        let just = Claims { exp: now() - 2, ..claims() };
        assert!(hs().verify(&mint_hs256(SECRET, &just).unwrap()).is_ok());
    }

    #[test]
    fn not_yet_valid_token_is_refused() {
        let future = Claims { nbf: Some(now() + 3600), ..claims() };
        assert_eq!(
            reason(hs().verify(&mint_hs256(SECRET, &future).unwrap())),
            "the token is not valid yet (nbf)"
        );
    }

    #[test]
    fn wrong_issuer_or_audience_is_refused() {
        let wrong_iss = Claims { iss: "https://evil.example.org".into(), ..claims() };
        assert_eq!(
            reason(hs().verify(&mint_hs256(SECRET, &wrong_iss).unwrap())),
            "the token's issuer (iss) is not accepted"
        );
        let wrong_aud = Claims { aud: "another-api".into(), ..claims() };
        assert_eq!(
            reason(hs().verify(&mint_hs256(SECRET, &wrong_aud).unwrap())),
            "the token's audience (aud) is not this API"
        );
    }

    #[test]
    fn wrong_secret_is_refused() {
        let token = mint_hs256(b"another-secret-another-secret-another", &claims()).unwrap();
        assert_eq!(reason(hs().verify(&token)), "the token's signature is invalid");
        // A tampered payload fails the signature too.
        let token = mint_hs256(SECRET, &claims()).unwrap();
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let admin = Claims { role: Role::Admin, ..claims() };
        parts[1] = b64(serde_json::to_string(&admin).unwrap().as_bytes());
        assert!(hs().verify(&parts.join(".")).is_err());
    }

    #[test]
    fn required_claims_are_required() {
        let full = serde_json::json!({
            "sub": "x", "role": "editor", "exp": now() + 600, "iss": ISS, "aud": AUD
        });
        let key = EncodingKey::from_secret(SECRET);
        assert!(hs().verify(&sign_json(Algorithm::HS256, &full, &key)).is_ok());
        for missing in ["sub", "exp", "iss", "aud", "role"] {
            let mut claims = full.clone();
            claims.as_object_mut().unwrap().remove(missing);
            let token = sign_json(Algorithm::HS256, &claims, &key);
            assert!(hs().verify(&token).is_err(), "a token without {missing} is refused");
        }
        let token = sign_json(Algorithm::HS256, &{
            let mut c = full.clone();
            c["sub"] = serde_json::json!("  ");
            c
        }, &key);
        assert!(hs().verify(&token).is_err(), "empty sub");
        let token = sign_json(Algorithm::HS256, &{
            let mut c = full.clone();
            c["role"] = serde_json::json!("superuser");
            c
        }, &key);
        assert!(hs().verify(&token).is_err(), "unknown role");
    }

    #[test]
    fn alg_none_is_refused() {
        let payload = b64(serde_json::to_string(&claims()).unwrap().as_bytes());
        for header in [
            r#"{"alg":"none","typ":"JWT"}"#,
            r#"{"alg":"None","typ":"JWT"}"#,
            r#"{"alg":"NONE"}"#,
        ] {
            let token = format!("{}.{payload}.", b64(header.as_bytes()));
            assert!(hs().verify(&token).is_err(), "{header}");
            assert!(rs().verify(&token).is_err(), "{header}");
            assert!(es().verify(&token).is_err(), "{header}");
            let header_value = format!("Bearer {token}");
            assert!(parse_authorization_header(Some(&header_value), Some(&hs())).is_err());
        }
    }

    #[test]
    fn rs256_and_es256_tokens() {
        let rs_token = jsonwebtoken::encode(
            &Header::new(Algorithm::RS256),
            &claims(),
            &EncodingKey::from_rsa_pem(RS_PRIVATE).unwrap(),
        )
        .unwrap();
        let es_token = jsonwebtoken::encode(
            &Header::new(Algorithm::ES256),
            &claims(),
            &EncodingKey::from_ec_pem(ES_PRIVATE).unwrap(),
        )
        .unwrap();
        assert_eq!(rs().verify(&rs_token).unwrap(), claims());
        assert_eq!(es().verify(&es_token).unwrap(), claims());
        // Each verifier accepts only its own algorithm.
        let wrong_alg = "the token's algorithm is not the one this API accepts";
        assert_eq!(reason(rs().verify(&es_token)), wrong_alg);
        assert_eq!(reason(es().verify(&rs_token)), wrong_alg);
        assert_eq!(reason(hs().verify(&rs_token)), wrong_alg);
        assert_eq!(reason(hs().verify(&es_token)), wrong_alg);
        assert_eq!(reason(rs().verify(&mint_hs256(SECRET, &claims()).unwrap())), wrong_alg);
        // Another ES family member (ES384) is refused by an ES256 verifier.
        let mut es384 = Header::new(Algorithm::ES384);
        es384.typ = Some("JWT".into());
        let parts: Vec<&str> = es_token.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            b64(&serde_json::to_vec(&es384).unwrap()),
            parts[1],
            parts[2]
        );
        assert_eq!(reason(es().verify(&forged)), wrong_alg);
    }

    #[test]
    fn algorithm_confusion_is_refused() {
        // An HS256 token whose HMAC key is the RS256 / ES256 public key PEM text.
        let confused_rs = mint_hs256(RS_PUBLIC, &claims()).unwrap();
        let confused_es = mint_hs256(ES_PUBLIC, &claims()).unwrap();
        assert_eq!(
            reason(rs().verify(&confused_rs)),
            "the token's algorithm is not the one this API accepts"
        );
        assert!(es().verify(&confused_es).is_err());
        // Also with the key as the PEM without its trailing newline.
        let trimmed = RS_PUBLIC.trim_ascii();
        let key = EncodingKey::from_secret(trimmed);
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(), &key).unwrap();
        assert!(rs().verify(&token).is_err());
    }

    #[test]
    fn bad_configuration_is_refused() {
        assert!(Verifier::new(&config(KeyConfig::Hs256 { secret: b"short".to_vec() })).is_err());
        assert!(Verifier::new(&config(KeyConfig::Rs256 { public_pem: b"not a pem".to_vec() })).is_err());
        assert!(Verifier::new(&config(KeyConfig::Es256 { public_pem: RS_PUBLIC.to_vec() })).is_err());
        let mut cfg = config(KeyConfig::Hs256 { secret: SECRET.to_vec() });
        cfg.issuer.clear();
        assert!(Verifier::new(&cfg).is_err());
        assert!(mint_hs256(b"short", &claims()).is_err());
        // The secret is never printed.
        let debug = format!("{:?}", KeyConfig::Hs256 { secret: SECRET.to_vec() });
        assert!(!debug.contains("test-secret"), "{debug}");
    }

    #[test]
    fn auth_errors_are_unauthenticated() {
        for err in [
            AuthError::NotConfigured,
            AuthError::Malformed("x".into()),
            AuthError::Invalid("y".into()),
        ] {
            let ext = serde_json::to_value(err.extend().extensions.unwrap()).unwrap();
            assert_eq!(ext["code"], "UNAUTHENTICATED");
        }
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn caller(role: Role, orgs: &[Uuid]) -> Caller {
        Caller::Authenticated(Claims { role, orgs: orgs.to_vec(), ..claims() })
    }

    #[test]
    fn policy_matrix() {
        let county = id(1);
        let kuopio = id(297);
        let kuopio_unit = id(2970);
        let kuopio_subunit = id(29700);
        let tervo = id(844);

        let anonymous = Caller::Anonymous;
        let kuopio_editor = caller(Role::Editor, &[kuopio]);
        let unit_editor = caller(Role::Editor, &[kuopio_unit]);
        let county_editor = caller(Role::Editor, &[county]);
        let two_org_editor = caller(Role::Editor, &[kuopio, tervo]);
        let no_org_editor = caller(Role::Editor, &[]);
        let admin = caller(Role::Admin, &[]);

        let of_kuopio = Ownership::from(vec![Owner::top(kuopio)]);
        let of_unit = Ownership::from(vec![Owner::new(kuopio_unit, [kuopio])]);
        let of_subunit = Ownership::from(vec![Owner::new(kuopio_subunit, [kuopio_unit, kuopio])]);
        let of_tervo = Ownership::from(vec![Owner::top(tervo)]);
        let shared = Ownership::from(vec![Owner::top(tervo), Owner::top(kuopio)]);
        let of_county_network = Ownership::from(vec![Owner::top(county)]);
        let nobody = Ownership::default();

        use Decision::{Allow as A, Forbidden as F, Unauthenticated as U};
        let cases: [(&str, &Caller, &Ownership, Decision, Decision); 24] = [
            // (what, caller, ownership, may_write, may_write_all)
            ("anon/kuopio", &anonymous, &of_kuopio, U, U),
            ("anon/nobody", &anonymous, &nobody, U, U),
            ("kuopio/kuopio", &kuopio_editor, &of_kuopio, A, A),
            ("kuopio/unit", &kuopio_editor, &of_unit, A, A),
            ("kuopio/subunit", &kuopio_editor, &of_subunit, A, A),
            ("kuopio/tervo", &kuopio_editor, &of_tervo, F, F),
            ("kuopio/shared", &kuopio_editor, &shared, A, F),
            ("kuopio/county", &kuopio_editor, &of_county_network, F, F),
            ("kuopio/nobody", &kuopio_editor, &nobody, F, F),
            ("unit/kuopio", &unit_editor, &of_kuopio, F, F),
            ("unit/unit", &unit_editor, &of_unit, A, A),
            ("unit/subunit", &unit_editor, &of_subunit, A, A),
            ("county/county", &county_editor, &of_county_network, A, A),
            ("county/kuopio", &county_editor, &of_kuopio, F, F),
            ("two/shared", &two_org_editor, &shared, A, A),
            ("two/tervo", &two_org_editor, &of_tervo, A, A),
            ("none/kuopio", &no_org_editor, &of_kuopio, F, F),
            ("none/nobody", &no_org_editor, &nobody, F, F),
            ("admin/kuopio", &admin, &of_kuopio, A, A),
            ("admin/tervo", &admin, &of_tervo, A, A),
            ("admin/shared", &admin, &shared, A, A),
            ("admin/nobody", &admin, &nobody, A, A),
            ("admin/subunit", &admin, &of_subunit, A, A),
            ("admin/county", &admin, &of_county_network, A, A),
        ];
        for (what, who, ownership, any, all) in cases {
            assert_eq!(may_write(who, ownership), any, "may_write {what}");
            assert_eq!(may_write_all(who, ownership), all, "may_write_all {what}");
        }

        for (who, expected) in [(&anonymous, U), (&kuopio_editor, F), (&county_editor, F), (&admin, A)] {
            assert_eq!(may_read_audit_log(who), expected);
            assert_eq!(admin_only(who), expected);
        }
        assert!(admin.is_admin() && !kuopio_editor.is_admin() && !anonymous.is_admin());
        assert!(kuopio_editor.is_authenticated() && !anonymous.is_authenticated());
    }

    #[test]
    fn ownership_resolves_ancestors() {
        let parents = |id: Uuid| -> Vec<Uuid> {
            if id == Uuid::from_u128(2970) { vec![Uuid::from_u128(297)] } else { vec![] }
        };
        let o = Ownership::resolve([id(2970), id(844)], parents);
        assert_eq!(o.owners[0].chain, vec![id(2970), id(297)]);
        assert_eq!(o.owners[1].id(), Some(id(844)));
        assert_eq!(may_write(&caller(Role::Editor, &[id(297)]), &o), Decision::Allow);
    }

    #[test]
    fn decisions_map_to_error_codes() {
        assert!(Decision::Allow.into_result().is_ok());
        let code = |d: Decision| {
            let err = d.into_result().unwrap_err();
            serde_json::to_value(err.extensions.unwrap()).unwrap()["code"].clone()
        };
        assert_eq!(code(Decision::Unauthenticated), "UNAUTHENTICATED");
        assert_eq!(code(Decision::Forbidden), "FORBIDDEN");
    }

    #[test]
    fn secret_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        let first = load_or_create_secret(&path).unwrap();
        assert_eq!(first.len(), 64);
        assert!(first.iter().all(u8::is_ascii_hexdigit));
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(load_or_create_secret(&path).unwrap(), first);
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // The secret works end to end.
        let verifier = Verifier::new(&config(KeyConfig::Hs256 { secret: first.clone() })).unwrap();
        assert!(verifier.verify(&mint_hs256(&first, &claims()).unwrap()).is_ok());

        // A hand-written secret is used as its trimmed text.
        let own = dir.path().join("own-secret");
        std::fs::write(&own, "  a passphrase of more than thirty-two bytes \n").unwrap();
        assert_eq!(
            load_or_create_secret(&own).unwrap(),
            b"a passphrase of more than thirty-two bytes".to_vec()
        );
        // Too short a secret is an error, not silently replaced.
        let short = dir.path().join("short-secret");
        std::fs::write(&short, "abc").unwrap();
        assert!(load_or_create_secret(&short).is_err());
        // A missing directory is an error.
        assert!(load_or_create_secret(&dir.path().join("no/such/dir/secret")).is_err());
    }

    #[test]
    fn concurrent_creation_agrees_on_one_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jwt-secret");
        let secrets: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8).map(|_| s.spawn(|| load_or_create_secret(&path).unwrap())).collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(secrets.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
