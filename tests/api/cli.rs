//! The command line: minting tokens and the generated secret.

use std::process::Command;

use yhdyspinta::auth::token::{Key, Verifier};

fn yhdyspinta() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yhdyspinta"));
    for var in [
        "DATABASE_URL",
        "YHDYSPINTA_JWT_SECRET",
        "YHDYSPINTA_JWT_SECRET_FILE",
        "YHDYSPINTA_JWT_PUBLIC_KEY_FILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "error");
    cmd
}

#[test]
fn token_is_minted_with_the_generated_secret_kept_beside_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let out = yhdyspinta()
        .args([
            "token",
            "--role",
            "editor",
            "--org",
            "297",
            "--ttl",
            "2h",
            "--sub",
            "kuopio-hr",
        ])
        .env("DATABASE_URL", format!("sqlite://{}", db.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap();
    let secret_file = dir.path().join("cli.db.jwt-secret");
    let secret = std::fs::read_to_string(&secret_file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&secret_file)
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    let verifier = Verifier::new(
        &Key::Hs256(secret.trim().as_bytes().to_vec()),
        "yhdyspinta",
        "yhdyspinta-api",
        0,
    )
    .unwrap();
    let claims = verifier.verify(token.trim()).unwrap();
    assert_eq!(claims.sub, "kuopio-hr");
    assert_eq!(
        claims.orgs,
        vec![yhdyspinta::seed::id_for("municipality:297")]
    );
    let ttl = claims.exp - chrono::Utc::now().timestamp();
    assert!((7100..=7200).contains(&ttl), "{ttl}");
}

#[test]
fn token_uses_the_configured_secret_and_refuses_unknown_organisations() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let secret = "configured-secret-configured-secret!";
    let out = yhdyspinta()
        .args(["token", "--role", "admin"])
        .env("DATABASE_URL", &url)
        .env("YHDYSPINTA_JWT_SECRET", secret)
        .output()
        .unwrap();
    assert!(out.status.success());
    let verifier = Verifier::new(
        &Key::Hs256(secret.as_bytes().to_vec()),
        "yhdyspinta",
        "yhdyspinta-api",
        0,
    )
    .unwrap();
    let claims = verifier
        .verify(String::from_utf8(out.stdout).unwrap().trim())
        .unwrap();
    assert_eq!(claims.role, yhdyspinta::auth::policy::Role::Admin);
    assert!(!dir.path().join("cli.db.jwt-secret").exists());

    let out = yhdyspinta()
        .args(["token", "--role", "editor", "--org", "999"])
        .env("DATABASE_URL", &url)
        .env("YHDYSPINTA_JWT_SECRET", secret)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("999"));
}

#[test]
fn help_documents_every_setting() {
    let out = yhdyspinta().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    for setting in [
        "DATABASE_URL",
        "YHDYSPINTA_LISTEN",
        "--request-timeout",
        "--jwt-issuer",
        "--jwt-public-key-file",
        "serve",
        "migrate",
        "seed",
        "schema",
        "token",
    ] {
        assert!(help.contains(setting), "--help mentions {setting}");
    }
}
