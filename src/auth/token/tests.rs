//! Token verification and minting: what is accepted and what is refused, and why.

use super::*;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const ISS: &str = "https://issuer.example.org";
const AUD: &str = "yhdyspinta";

fn claims() -> Claims {
    Claims {
        sub: "integrator-1".into(),
        name: Some("Testi Integraattori".into()),
        role: Role::Editor,
        orgs: vec![Uuid::from_u128(7)],
        exp: chrono::Utc::now().timestamp() + 600,
        iat: None,
        nbf: None,
        iss: ISS.into(),
        aud: AUD.into(),
    }
}

fn verifier() -> Verifier {
    Verifier::new(&Key::Hs256(SECRET.to_vec()), ISS, AUD, 5).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[test]
fn accepts_a_valid_token() {
    let token = mint_hs256(SECRET, &claims()).unwrap();
    let principal = verifier()
        .principal(Some(&format!("Bearer {token}")))
        .unwrap()
        .unwrap();
    assert_eq!(principal.sub, "integrator-1");
    assert_eq!(principal.orgs, vec![Uuid::from_u128(7)]);
    assert_eq!(verifier().principal(None).unwrap(), None);
}

#[test]
fn rejects_bad_tokens() {
    let v = verifier();
    let expired = Claims {
        exp: chrono::Utc::now().timestamp() - 3600,
        ..claims()
    };
    assert_eq!(
        v.verify(&mint_hs256(SECRET, &expired).unwrap())
            .unwrap_err()
            .0,
        "the token has expired"
    );
    let wrong_iss = Claims {
        iss: "someone-else".into(),
        ..claims()
    };
    assert!(v.verify(&mint_hs256(SECRET, &wrong_iss).unwrap()).is_err());
    let wrong_aud = Claims {
        aud: "other".into(),
        ..claims()
    };
    assert!(v.verify(&mint_hs256(SECRET, &wrong_aud).unwrap()).is_err());
    let future = Claims {
        nbf: Some(chrono::Utc::now().timestamp() + 3600),
        ..claims()
    };
    assert!(v.verify(&mint_hs256(SECRET, &future).unwrap()).is_err());
    let other_secret = mint_hs256(b"another-secret-another-secret-!!", &claims()).unwrap();
    assert!(v.verify(&other_secret).is_err());
    for header in [
        "Basic abc",
        "Bearer",
        "Bearer ",
        "Bearer a.b",
        "Bearer not.a.token",
        "bearer ...",
    ] {
        assert!(v.principal(Some(header)).is_err(), "{header}");
    }
}

#[test]
fn missing_claims_are_named() {
    let v = verifier();
    let full = serde_json::json!({ "sub": "x", "role": "editor", "exp": chrono::Utc::now().timestamp() + 600, "iss": ISS, "aud": AUD });
    for missing in ["sub", "exp", "iss", "aud"] {
        let mut claims = full.clone();
        claims.as_object_mut().unwrap().remove(missing);
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &EncodingKey::from_secret(SECRET),
        )
        .unwrap();
        assert_eq!(
            v.verify(&token).unwrap_err().0,
            format!("the token has no `{missing}` claim")
        );
    }
    // A claim of the wrong type is named too, not "malformed".
    let mut claims = full.clone();
    claims["role"] = serde_json::json!("owner");
    let token = sign(&claims);
    let refusal = v.verify(&token).unwrap_err().0;
    assert!(
        refusal.contains("claims are invalid") && refusal.contains("owner"),
        "{refusal}"
    );
}

fn sign(claims: &serde_json::Value) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

#[test]
fn audience_may_be_an_array_holding_ours() {
    let v = verifier();
    let now = chrono::Utc::now().timestamp();
    let mut claims = serde_json::json!({ "sub": "x", "role": "editor", "exp": now + 600, "iss": ISS, "aud": ["portal", AUD] });
    let accepted = v.verify(&sign(&claims)).unwrap();
    assert_eq!(
        accepted.aud,
        Audience::Many(vec!["portal".into(), AUD.into()])
    );
    claims["aud"] = serde_json::json!(["portal", "other"]);
    assert_eq!(
        v.verify(&sign(&claims)).unwrap_err().0,
        "the token has the wrong audience"
    );
    claims["aud"] = serde_json::json!([]);
    assert!(v.verify(&sign(&claims)).is_err());
}

#[test]
fn tokens_living_too_long_are_refused() {
    let v = verifier().with_max_ttl(Duration::from_secs(24 * 3600));
    let now = chrono::Utc::now().timestamp();
    let day = 24 * 3600;
    let lives = |exp: i64, iat: Option<i64>| {
        v.verify(
            &mint_hs256(
                SECRET,
                &Claims {
                    exp,
                    iat,
                    ..claims()
                },
            )
            .unwrap(),
        )
    };
    // Within the bound: from iat, or from now without iat.
    assert!(lives(now + day - 60, None).is_ok());
    assert!(lives(now + 600, Some(now - day + 3600)).is_ok());
    // Beyond it.
    let refusal = lives(1_000_000_000_000_000_000, None).unwrap_err().0;
    assert!(refusal.starts_with("the token lives too long"), "{refusal}");
    assert!(refusal.contains("at most 1day"), "{refusal}");
    let refusal = lives(now + 600, Some(now - 2 * day)).unwrap_err().0;
    assert!(refusal.contains("from `iat`"), "{refusal}");
    assert!(lives(now + day + 3600, None).is_err());
    // An `iat` in the future does not stretch the bound.
    assert!(lives(now + 2 * day, Some(now + day + 60)).is_err());
}

#[test]
fn rejects_alg_none() {
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(serde_json::to_string(&claims()).unwrap().as_bytes());
    assert!(verifier().verify(&format!("{header}.{payload}.")).is_err());
}

const RS_PRIVATE: &[u8] = include_bytes!("../../../tests/fixtures/keys/rs256_private.pem");
const RS_PUBLIC: &[u8] = include_bytes!("../../../tests/fixtures/keys/rs256_public.pem");
const ES_PRIVATE: &[u8] = include_bytes!("../../../tests/fixtures/keys/es256_private.pem");
const ES_PUBLIC: &[u8] = include_bytes!("../../../tests/fixtures/keys/es256_public.pem");

#[test]
fn public_key_algorithms() {
    let rs = Verifier::new(&Key::Rs256Pem(RS_PUBLIC.to_vec()), ISS, AUD, 5).unwrap();
    let es = Verifier::new(&Key::Es256Pem(ES_PUBLIC.to_vec()), ISS, AUD, 5).unwrap();
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
    assert_eq!(rs.verify(&rs_token).unwrap().sub, "integrator-1");
    assert_eq!(es.verify(&es_token).unwrap().sub, "integrator-1");
    // Each verifier takes only its own algorithm.
    assert!(rs.verify(&es_token).is_err());
    assert!(es.verify(&rs_token).is_err());
    // Algorithm confusion: an HS256 token keyed with the public key text.
    let confused = mint_hs256(RS_PUBLIC, &claims()).unwrap();
    assert_eq!(
        rs.verify(&confused).unwrap_err().0,
        "the token uses an algorithm this server does not accept"
    );
    // An HS256 verifier refuses RS256 tokens.
    assert!(verifier().verify(&rs_token).is_err());
}

#[test]
fn secret_file_is_created_private_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("yhdyspinta.jwt-secret");
    let first = load_or_create_secret(&path).unwrap();
    assert_eq!(first.len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert_eq!(load_or_create_secret(&path).unwrap(), first);
}
