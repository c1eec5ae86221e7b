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
fn token_refuses_a_lifetime_the_server_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("cli.db").display());
    let secret = "configured-secret-configured-secret!";
    let mint = |args: &[&str]| {
        yhdyspinta()
            .args(["token", "--role", "admin"])
            .args(args)
            .env("DATABASE_URL", &url)
            .env("YHDYSPINTA_JWT_SECRET", secret)
            .output()
            .unwrap()
    };
    let out = mint(&["--ttl", "2d"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--jwt-max-ttl"), "{stderr}");
    // The bound is the server's setting; a longer one admits a longer token.
    let out = mint(&["--ttl", "2d", "--jwt-max-ttl", "3d"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verifier = Verifier::new(
        &Key::Hs256(secret.as_bytes().to_vec()),
        "yhdyspinta",
        "yhdyspinta-api",
        0,
    )
    .unwrap();
    let token = String::from_utf8(out.stdout).unwrap();
    let refusal = verifier.verify(token.trim()).unwrap_err().0;
    assert!(refusal.starts_with("the token lives too long"), "{refusal}");
    let verifier = verifier.with_max_ttl(std::time::Duration::from_secs(3 * 24 * 3600));
    assert!(verifier.verify(token.trim()).is_ok());
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
        "--jwt-max-ttl",
        "--log-format",
        "--metrics-listen",
        "--rate-limit",
        "--rate-burst",
        "--trusted-proxy",
        "serve",
        "migrate",
        "seed",
        "schema",
        "token",
    ] {
        assert!(help.contains(setting), "--help mentions {setting}");
    }
}

/// A SIGTERM stops the server within its drain timeout even while a request is still in
/// flight (here one whose body never finishes arriving), instead of waiting for it forever.
#[test]
fn sigterm_is_honoured_within_the_drain_timeout() {
    use std::io::{BufRead, BufReader, Write};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = yhdyspinta()
        .env("RUST_LOG", "info")
        .args(["--database-url"])
        .arg(format!("sqlite://{}", dir.path().join("t.db").display()))
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--drain-timeout",
            "1s",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let started = Instant::now();
    let mut stream = loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(stream) => break stream,
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    };
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":")
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    // The shell's own `kill`, so the test needs no procps.
    let kill = Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(20),
            "still running 20 s after SIGTERM with a 1 s drain timeout"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
    assert!(
        signalled.elapsed() >= Duration::from_millis(900),
        "the in-flight request was given its drain time"
    );
    let log: Vec<String> = lines.by_ref().map_while(Result::ok).collect();
    assert!(
        log.iter().any(|l| l.contains("drain timeout")),
        "the exit is logged: {log:?}"
    );
    drop(stream);
}
