//! A throwaway PostgreSQL cluster for the tests of this process: `initdb` and `pg_ctl` on a
//! free loopback port in a temporary directory, with fsync off, stopped when the process
//! exits. `initdb` refuses to run as root, so as root the cluster runs as the `postgres`
//! system user.
//!
//! Tests that stop their server or replicate it get a cluster of their own ([`own_cluster`]),
//! with a streaming standby made by `pg_basebackup -R` ([`PgCluster::standby`]); it is
//! stopped and removed when dropped.
//!
//! Binaries are looked up in `PG_BIN_DIR`, on `PATH`, then in the highest
//! `/usr/lib/postgresql/<version>/bin`. Without them [`cluster`] returns `None` (the
//! PostgreSQL variants of tests skip) unless `YHDYSPINTA_REQUIRE_POSTGRES=1`, which makes
//! their absence fatal.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection};

/// How long one start attempt may wait for the server to accept connections.
const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// Start attempts, each on a new port, when the port was taken in between.
const START_ATTEMPTS: usize = 3;

/// A running cluster; the superuser is `postgres`, authentication is `trust`.
pub struct PgCluster {
    port: u16,
    bin: PathBuf,
    /// The temporary directory: `data/`, `sock/` and `postgres.log`.
    root: PathBuf,
    /// `Some` when this process is root and the server runs as the `postgres` user.
    owner: Option<Owner>,
    /// Write end of the watchdog's stdin: it stops the server when this closes unless it
    /// was told `done` first.
    watchdog: Mutex<Option<ChildStdin>>,
}

/// The unprivileged user the cluster runs as when this process is root.
#[derive(Clone)]
struct Owner {
    uid: u32,
    gid: u32,
    /// `runuser`, when installed; otherwise the uid and gid are set on the command.
    runuser: Option<PathBuf>,
}

static CLUSTER: OnceLock<Result<Option<PgCluster>, String>> = OnceLock::new();

/// A throwaway PostgreSQL cluster shared by all tests of this process, started on first
/// use, or `None` when the PostgreSQL binaries are absent (then the PostgreSQL variants of
/// tests skip) unless `YHDYSPINTA_REQUIRE_POSTGRES=1`, in which case absence panics.
/// Panics when the binaries exist but the cluster cannot be started.
pub fn cluster() -> Option<&'static PgCluster> {
    match CLUSTER.get_or_init(init) {
        Ok(cluster) => cluster.as_ref(),
        Err(error) => panic!("{error}"),
    }
}

fn init() -> Result<Option<PgCluster>, String> {
    let Some(bin) = bin_or_skip()? else {
        return Ok(None);
    };
    start(&bin, true).map(Some).map_err(|e| {
        format!(
            "could not start a throwaway PostgreSQL cluster with {}: {e}",
            bin.display()
        )
    })
}

/// A cluster of the caller's own, for a test that stops it or replicates it, with the same
/// settings as the shared one and a replication entry for 127.0.0.1; stopped and removed
/// when dropped. `None` when the binaries are absent, like [`cluster`].
#[allow(dead_code)]
pub fn own_cluster() -> Option<PgCluster> {
    let bin = bin_or_skip().unwrap_or_else(|e| panic!("{e}"))?;
    Some(start(&bin, false).unwrap_or_else(|e| {
        panic!(
            "could not start a PostgreSQL cluster with {}: {e}",
            bin.display()
        )
    }))
}

/// The binaries' directory; `None` (with a notice) when absent, an error when absent and
/// `YHDYSPINTA_REQUIRE_POSTGRES=1`.
fn bin_or_skip() -> Result<Option<PathBuf>, String> {
    let required = std::env::var("YHDYSPINTA_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Some(bin) = find_bin()? else {
        if required {
            return Err(
                "YHDYSPINTA_REQUIRE_POSTGRES=1 but the PostgreSQL server binaries \
                 (initdb, pg_ctl) were not found in PG_BIN_DIR, on PATH or in \
                 /usr/lib/postgresql/*/bin; install PostgreSQL (e.g. `apt-get install \
                 postgresql`) or set PG_BIN_DIR"
                    .into(),
            );
        }
        eprintln!(
            "notice: PostgreSQL binaries (initdb, pg_ctl) not found in PG_BIN_DIR, on PATH or \
             in /usr/lib/postgresql/*/bin: the PostgreSQL variants of the tests are skipped"
        );
        return Ok(None);
    };
    Ok(Some(bin))
}

impl PgCluster {
    /// `postgres://postgres@127.0.0.1:PORT/postgres`, for administration.
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    /// URL of database `db` in this cluster.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    fn data(&self) -> PathBuf {
        self.root.join("data")
    }

    fn log(&self) -> PathBuf {
        self.root.join("postgres.log")
    }

    /// `tool` from the cluster's bin directory, run as the cluster's owner, in its
    /// directory, with no stdin.
    fn command(&self, tool: &str) -> Command {
        let program = self.bin.join(tool);
        let mut cmd = match &self.owner {
            Some(Owner {
                runuser: Some(runuser),
                ..
            }) => {
                let mut cmd = Command::new(runuser);
                cmd.args(["-u", "postgres", "--"]).arg(program);
                cmd
            }
            Some(Owner { uid, gid, .. }) => {
                let mut cmd = Command::new(program);
                cmd.uid(*uid).gid(*gid);
                cmd
            }
            None => Command::new(program),
        };
        cmd.current_dir(&self.root).stdin(Stdio::null());
        cmd
    }

    /// The last part of the server log, for error messages.
    fn log_tail(&self, from: u64) -> String {
        let mut text = String::new();
        if let Ok(mut file) = std::fs::File::open(self.log()) {
            let len = file.metadata().map(|m| m.len()).unwrap_or(0);
            let start = from.max(len.saturating_sub(4000));
            if file.seek(SeekFrom::Start(start)).is_ok() {
                let _ = file.read_to_string(&mut text);
            }
        }
        text
    }

    fn log_len(&self) -> u64 {
        std::fs::metadata(self.log()).map(|m| m.len()).unwrap_or(0)
    }

    /// Stops the server at once, removes the directory and dismisses the watchdog.
    fn shutdown(&self) {
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "-t", "30", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.root);
        if let Ok(mut watchdog) = self.watchdog.lock()
            && let Some(mut stdin) = watchdog.take()
        {
            let _ = stdin.write_all(b"done\n");
        }
    }
}

/// The directory holding both `initdb` and `pg_ctl`.
fn find_bin() -> Result<Option<PathBuf>, String> {
    let has = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    // A symlink on PATH (e.g. /usr/local/bin/initdb) stands for the real bin directory.
    let real = |dir: PathBuf| {
        std::fs::canonicalize(dir.join("initdb"))
            .ok()
            .and_then(|initdb| initdb.parent().map(Path::to_path_buf))
            .filter(|real| has(real))
            .unwrap_or(dir)
    };
    if let Some(dir) = std::env::var_os("PG_BIN_DIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return if has(&dir) {
            Ok(Some(real(dir)))
        } else {
            Err(format!(
                "PG_BIN_DIR={} does not contain initdb and pg_ctl",
                dir.display()
            ))
        };
    }
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|dir| has(dir))
    {
        return Ok(Some(real(dir)));
    }
    let Ok(entries) = std::fs::read_dir("/usr/lib/postgresql") else {
        return Ok(None);
    };
    let highest = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version: Vec<u32> = entry
                .file_name()
                .to_str()?
                .split('.')
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            let bin = entry.path().join("bin");
            has(&bin).then_some((version, bin))
        })
        .max();
    Ok(highest.map(|(_, bin)| bin))
}

/// Whether this process runs as root.
#[allow(unsafe_code)]
fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions, cannot fail and touches no memory of ours.
    unsafe { libc::geteuid() == 0 }
}

/// The `postgres` system user, for running the cluster when this process is root.
fn postgres_owner() -> Result<Owner, String> {
    let id = |flag: &str| -> Result<u32, String> {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .map_err(|e| format!("running `id {flag} postgres`: {e}"))?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| {
                "running as root, where initdb refuses to run, and there is no `postgres` \
                 system user to run the cluster as (create one, e.g. `useradd -r postgres`, \
                 or run the tests as an ordinary user)"
                    .to_string()
            })
    };
    let runuser = [
        "/usr/sbin/runuser",
        "/sbin/runuser",
        "/usr/bin/runuser",
        "/bin/runuser",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.is_file());
    Ok(Owner {
        uid: id("-u")?,
        gid: id("-g")?,
        runuser,
    })
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|e| format!("finding a free port: {e}"))
}

fn describe(what: &str, out: &Output) -> String {
    format!(
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

/// Single-quotes `s` for a POSIX shell (pg_ctl passes `-o` through one).
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A new directory for a cluster, reachable by its owner.
fn new_root(owner: &Option<Owner>) -> Result<PathBuf, String> {
    // As root the directory must be reachable by `postgres`, so not under a private TMPDIR.
    let base = if owner.is_some() {
        PathBuf::from("/tmp")
    } else {
        std::env::temp_dir()
    };
    let root = tempfile::Builder::new()
        .prefix("yhdyspinta-pg-")
        .tempdir_in(&base)
        .map_err(|e| format!("creating a temporary directory in {}: {e}", base.display()))?
        .keep();
    let socket = root.join("sock");
    std::fs::create_dir(&socket).map_err(|e| format!("creating {}: {e}", socket.display()))?;
    if let Some(owner) = owner {
        for dir in [&root, &socket] {
            std::os::unix::fs::chown(dir, Some(owner.uid), Some(owner.gid))
                .map_err(|e| format!("chown postgres {}: {e}", dir.display()))?;
        }
    }
    Ok(root)
}

/// Initialises and starts a cluster; `shared` is the process-wide one, stopped at exit.
fn start(bin: &Path, shared: bool) -> Result<PgCluster, String> {
    let owner = if is_root() {
        Some(postgres_owner()?)
    } else {
        None
    };
    let mut cluster = PgCluster {
        port: 0,
        bin: bin.to_path_buf(),
        root: new_root(&owner)?,
        owner,
        watchdog: Mutex::new(None),
    };
    // On failure the cluster is dropped, which stops whatever started and removes it.
    initdb(&cluster)?;
    launch(&mut cluster)?;
    if shared {
        register_atexit();
    }
    Ok(cluster)
}

/// Creates the data directory, with a replication entry for 127.0.0.1 so that a standby
/// can be made from it.
fn initdb(cluster: &PgCluster) -> Result<(), String> {
    let out = cluster
        .command("initdb")
        .arg("-D")
        .arg(cluster.data())
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ])
        .output()
        .map_err(|e| format!("running initdb: {e}"))?;
    if !out.status.success() {
        return Err(describe("initdb", &out));
    }
    let hba = cluster.data().join("pg_hba.conf");
    std::fs::OpenOptions::new()
        .append(true)
        .open(&hba)
        .and_then(|mut file| file.write_all(b"host replication postgres 127.0.0.1/32 trust\n"))
        .map_err(|e| format!("adding a replication entry to {}: {e}", hba.display()))
}

/// Starts the server on a free port (another one when the port was taken in between) and
/// arranges for it to stop.
fn launch(cluster: &mut PgCluster) -> Result<(), String> {
    let mut last_error = String::new();
    for _ in 0..START_ATTEMPTS {
        cluster.port = free_port()?;
        match cluster.pg_start() {
            Ok(()) => return Ok(()),
            Err((error, port_taken)) => {
                last_error = error;
                if !port_taken {
                    break;
                }
            }
        }
    }
    Err(last_error)
}

impl PgCluster {
    /// Starts the server on its port and re-arms the watchdog; on failure the error and
    /// whether the port was taken.
    fn pg_start(&self) -> Result<(), (String, bool)> {
        let log_from = self.log_len();
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=300 -c wal_level=replica \
             -c max_wal_senders=4 -c hot_standby=on",
            self.port,
            shell_quote(&self.root.join("sock").display().to_string()),
        );
        let deadline = Instant::now() + READY_TIMEOUT;
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .args(["-o", &options, "-w", "-t"])
            .arg(READY_TIMEOUT.as_secs().to_string())
            .arg("start")
            .output()
            .map_err(|e| (format!("running pg_ctl start: {e}"), false))?;
        if out.status.success() && wait_ready(self.port, deadline) {
            self.watch();
            return Ok(());
        }
        let log = self.log_tail(log_from);
        let error = format!("{}\nserver log:\n{log}", describe("pg_ctl start", &out));
        // A server that started too slowly must not linger.
        let _ = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "-w", "stop"])
            .output();
        let port_taken =
            log.contains("could not bind") || log.contains("could not create any TCP/IP sockets");
        Err((error, port_taken))
    }

    /// Stops the server the way an operator would (`pg_ctl stop -m fast`: sessions are
    /// ended, the data kept), so a test can see the API without its database.
    #[allow(dead_code)]
    pub fn stop_fast(&self) {
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "-w", "-t", "30", "stop"])
            .output()
            .expect("running pg_ctl stop");
        assert!(out.status.success(), "{}", describe("pg_ctl stop", &out));
    }

    /// Starts a stopped server again on the same port.
    #[allow(dead_code)]
    pub fn start_again(&self) {
        if let Err((error, _)) = self.pg_start() {
            panic!("starting PostgreSQL again on port {}: {error}", self.port);
        }
    }

    /// A hot standby of this cluster: `pg_basebackup -R` over a replication connection on
    /// loopback, started on a port of its own, streaming WAL from this one.
    #[allow(dead_code)]
    pub fn standby(&self) -> PgCluster {
        let mut standby = PgCluster {
            port: 0,
            bin: self.bin.clone(),
            root: new_root(&self.owner).expect("standby directory"),
            owner: self.owner.clone(),
            watchdog: Mutex::new(None),
        };
        let out = standby
            .command("pg_basebackup")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .arg("-D")
            .arg(standby.data())
            .args(["-R", "-X", "stream", "-c", "fast", "--no-sync"])
            .output()
            .expect("running pg_basebackup");
        assert!(out.status.success(), "{}", describe("pg_basebackup", &out));
        launch(&mut standby).unwrap_or_else(|e| panic!("starting the standby: {e}"));
        standby
    }

    /// Arms a watchdog for the running server, dismissing the previous one.
    ///
    /// Rust statics are never dropped, so an `atexit` handler stops the shared cluster on a
    /// normal exit (including failed tests), and `Drop` stops a cluster of a test's own; a
    /// watchdog in a process group of its own covers a process killed by a signal (Ctrl-C,
    /// a timeout).
    fn watch(&self) {
        let pid = std::fs::read_to_string(self.data().join("postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().map(|l| l.trim().to_owned()))
            .unwrap_or_default();
        if pid.parse::<u32>().is_err() {
            return;
        }
        // SIGQUIT is PostgreSQL's immediate shutdown; root may signal the postgres user's
        // server without runuser.
        let script = r#"read -r line; [ "$line" = done ] && exit 0
kill -QUIT "$2" 2>/dev/null
i=0; while kill -0 "$2" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
rm -rf "$1""#;
        let watchdog = Command::new("sh")
            .args(["-c", script, "yhdyspinta-pg-watchdog"])
            .arg(&self.root)
            .arg(pid)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn();
        if let Ok(mut child) = watchdog
            && let Ok(mut slot) = self.watchdog.lock()
        {
            if let Some(mut previous) = slot.take() {
                let _ = previous.write_all(b"done\n");
            }
            *slot = child.stdin.take();
        }
    }
}

/// Whether the server accepts TCP connections before `deadline`.
fn wait_ready(port: u16, deadline: Instant) -> bool {
    loop {
        let timeout = Duration::from_millis(500);
        if std::net::TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), timeout).is_ok() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.shutdown();
    }
}

extern "C" fn stop_at_exit() {
    // Unwinding out of an extern "C" fn would abort the process.
    let _ = std::panic::catch_unwind(|| {
        if let Some(Ok(Some(cluster))) = CLUSTER.get() {
            cluster.shutdown();
        }
    });
}

#[allow(unsafe_code)]
fn register_atexit() {
    // SAFETY: `stop_at_exit` is a plain `extern "C" fn()` that never unwinds, and it only
    // reads the `CLUSTER` static, which lives until the process ends.
    unsafe {
        libc::atexit(stop_at_exit);
    }
}

/// `name` with everything but `[a-z0-9_]` replaced by `_`, at most 63 bytes.
fn sanitize(name: &str) -> String {
    let mut clean: String = name
        .chars()
        .map(|c| c.to_ascii_lowercase())
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() {
        clean.push_str("db");
    }
    clean.truncate(63);
    clean
}

async fn admin(cluster: &PgCluster) -> DatabaseConnection {
    let mut options = ConnectOptions::new(cluster.admin_url());
    options
        .max_connections(1)
        .min_connections(0)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    Database::connect(options)
        .await
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", cluster.admin_url()))
}

/// Creates database `name`, optionally as a copy of `template`, and returns its URL. Both
/// names are sanitized to `[a-z0-9_]` (the URL holds the sanitized name).
pub async fn create_database(cluster: &PgCluster, name: &str, template: Option<&str>) -> String {
    let name = sanitize(name);
    let sql = match template.map(sanitize) {
        Some(template) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        None => format!("CREATE DATABASE \"{name}\""),
    };
    let admin = admin(cluster).await;
    // A template's last sessions may still be closing; PostgreSQL waits 5 s, and so do we.
    let mut attempts = 0;
    loop {
        match admin.execute_unprepared(&sql).await {
            Ok(_) => break,
            Err(e) if attempts < 20 && e.to_string().contains("being accessed by other users") => {
                attempts += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            Err(e) => panic!("{sql}: {e}"),
        }
    }
    let _ = admin.close().await;
    cluster.url(&name)
}

/// Drops database `name` (sanitized like in [`create_database`]), closing its sessions;
/// best-effort, errors are ignored.
#[allow(dead_code)]
pub async fn drop_database(cluster: &PgCluster, name: &str) {
    let name = sanitize(name);
    let admin = admin(cluster).await;
    let forced = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    if admin.execute_unprepared(&forced).await.is_err() {
        // Before PostgreSQL 13 there is no FORCE.
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\""))
            .await;
    }
    let _ = admin.close().await;
}
