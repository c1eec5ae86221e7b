//! A throwaway PostgreSQL cluster for the tests of this process: `initdb` and `pg_ctl` on
//! a free loopback port, fsync off, stopped when the process exits. initdb refuses to run
//! as root, so as root the cluster runs as the `postgres` user.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, Database};

/// A running cluster.
pub struct PgCluster {
    port: u16,
    bin: PathBuf,
    data: PathBuf,
    root: PathBuf,
    as_postgres: bool,
}

/// The cluster of this test process, started on first use; `None` when the PostgreSQL
/// binaries are not installed, unless `YHDYSPINTA_REQUIRE_POSTGRES=1` (CI) makes that fatal.
pub fn cluster() -> Option<&'static PgCluster> {
    static CLUSTER: OnceLock<Option<PgCluster>> = OnceLock::new();
    CLUSTER
        .get_or_init(|| {
            let required = std::env::var("YHDYSPINTA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            match find_bin() {
                Some(bin) => Some(start(bin).expect("start a throwaway PostgreSQL cluster")),
                None if required => panic!(
                    "YHDYSPINTA_REQUIRE_POSTGRES=1 but no initdb/pg_ctl found on PATH, in PG_BIN_DIR or in /usr/lib/postgresql/*/bin"
                ),
                None => None,
            }
        })
        .as_ref()
}

fn find_bin() -> Option<PathBuf> {
    let has = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os("PG_BIN_DIR").map(PathBuf::from)
        && has(&dir)
    {
        return Some(dir);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if has(&dir) {
                return Some(dir);
            }
        }
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            has(&bin).then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl PgCluster {
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        } else {
            Command::new(program)
        }
    }

    /// URL of the `postgres` database, for administration.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// URL of database `db` in this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn start(bin: PathBuf) -> Result<PgCluster, String> {
    let as_postgres = is_root();
    let root = std::env::temp_dir().join(format!("yhdyspinta-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).map_err(|e| e.to_string())?;
    if as_postgres {
        run(
            Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&root),
            "chown",
        )?;
        run(Command::new("chmod").arg("755").arg(&root), "chmod")?;
    }
    let data = root.join("data");
    let mut last_error = String::new();
    for _ in 0..3 {
        let cluster = PgCluster {
            port: free_port().map_err(|e| e.to_string())?,
            bin: bin.clone(),
            data: data.clone(),
            root: root.clone(),
            as_postgres,
        };
        if !data.join("PG_VERSION").exists() {
            run(
                cluster.command("initdb").arg("-D").arg(&data).args([
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]),
                "initdb",
            )?;
        }
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400",
            cluster.port,
            root.display()
        );
        let started = run(
            cluster
                .command("pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(root.join("postgres.log"))
                .args(["-o", &options, "-w", "-t", "30", "start"]),
            "pg_ctl start",
        );
        match started {
            Ok(()) => {
                wait_ready(cluster.port)?;
                register_stop(&cluster);
                return Ok(cluster);
            }
            Err(err) => last_error = err,
        }
    }
    Err(last_error)
}

fn wait_ready(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "PostgreSQL did not accept connections on port {port}"
    ))
}

/// Stops the cluster when the test process exits: statics are never dropped, so a child
/// watches for the parent to disappear and then stops the server.
fn register_stop(cluster: &PgCluster) {
    let mut pg_ctl = cluster.bin.join("pg_ctl").display().to_string();
    if cluster.as_postgres {
        pg_ctl = format!("runuser -u postgres -- {pg_ctl}");
    }
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {pg_ctl} -D '{data}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{root}'",
        pid = std::process::id(),
        data = cluster.data.display(),
        root = cluster.root.display(),
    );
    let spawned = Command::new("sh")
        .args(["-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        cluster.stop();
    }
}

/// Creates database `name` (letters, digits and `_` only), optionally from `template`, and
/// returns its URL.
pub async fn create_database(cluster: &PgCluster, name: &str, template: Option<&str>) -> String {
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    assert!(valid(name), "bad database name {name}");
    let admin = Database::connect(cluster.admin_url())
        .await
        .expect("connect to the throwaway cluster");
    let sql = match template {
        Some(template) => {
            assert!(valid(template), "bad template name {template}");
            format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")
        }
        None => format!("CREATE DATABASE \"{name}\""),
    };
    admin
        .execute_unprepared(&sql)
        .await
        .expect("create database");
    admin.close().await.expect("close admin connection");
    cluster.url(name)
}
