//! A real subscription client for the tests: `tests/http-audit/subscribe.mjs` on Node.js,
//! driving the `graphql-ws` package (`npm ci --prefix tests/http-audit`). Without them a
//! test is skipped with a notice; `YHDYSPINTA_REQUIRE_BROWSER=1` makes that an error.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::mpsc;

/// Node.js and the script, or why not.
fn find() -> Result<(PathBuf, PathBuf), String> {
    let node = ["node", "nodejs"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|status| status.success())
        })
        .ok_or("Node.js is not installed (apt-get install nodejs npm)")?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http-audit");
    for tool in ["graphql-ws", "ws"] {
        if !dir.join("node_modules").join(tool).is_dir() {
            return Err(format!(
                "the subscription client is not installed (npm ci --prefix {})",
                dir.display()
            ));
        }
    }
    Ok((PathBuf::from(node), dir.join("subscribe.mjs")))
}

/// Whether the client can run; `false` (with a notice) when it cannot, unless
/// `YHDYSPINTA_REQUIRE_BROWSER=1` asks for it, when its absence fails the test.
pub fn available() -> bool {
    match find() {
        Ok(_) => true,
        Err(missing)
            if std::env::var_os("YHDYSPINTA_REQUIRE_BROWSER").is_some_and(|v| v == "1") =>
        {
            panic!("YHDYSPINTA_REQUIRE_BROWSER=1 but {missing}")
        }
        Err(missing) => {
            eprintln!("{missing}: skipping the subscription test");
            false
        }
    }
}

/// What one client run subscribes to.
pub struct Subscribe<'a> {
    /// `http://127.0.0.1:PORT` of the node.
    pub base: &'a str,
    pub token: Option<&'a str>,
    pub query: &'a str,
    pub variables: Value,
    /// Subscriptions opened on the one connection.
    pub subscriptions: usize,
    /// `next` messages in all after which the client exits.
    pub count: usize,
}

/// A running client: its output lines as they come; killed when dropped.
pub struct Subscriber {
    child: Child,
    lines: mpsc::UnboundedReceiver<Value>,
}

impl Subscriber {
    /// Starts the client (it exits by itself within 30 s).
    pub fn start(run: Subscribe<'_>) -> Subscriber {
        let (node, script) = find().expect("the subscription client");
        let config = json!({
            "url": format!("{}/graphql", run.base.replacen("http", "ws", 1)),
            "token": run.token,
            "query": run.query,
            "variables": run.variables,
            "subscriptions": run.subscriptions,
            "count": run.count,
            "timeoutMs": 30000,
        });
        let mut child = Command::new(node)
            .arg(script)
            .arg(config.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node");
        let stdout = child.stdout.take().expect("stdout");
        let (send, lines) = mpsc::unbounded_channel();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| panic!("not a line of the client: {line}"));
                if send.send(value).is_err() {
                    return;
                }
            }
        });
        Subscriber { child, lines }
    }

    /// The next line, waiting at most `limit`; panics when none comes (the client's
    /// timeout line included).
    pub async fn next(&mut self, limit: Duration) -> Value {
        let line = tokio::time::timeout(limit, self.lines.recv())
            .await
            .unwrap_or_else(|_| panic!("nothing from the client within {limit:?}"))
            .expect("the client ended without a line");
        assert_ne!(line["type"], "timeout", "the client timed out");
        line
    }

    /// Waits for the `connected` line (the server acknowledged `connection_init`).
    pub async fn connected(&mut self) {
        let line = self.next(Duration::from_secs(20)).await;
        assert_eq!(line["type"], "connected", "{line}");
    }

    /// The next `next` payload, skipping nothing: any other line fails the test.
    pub async fn event(&mut self, limit: Duration) -> Value {
        let line = self.next(limit).await;
        assert_eq!(line["type"], "next", "{line}");
        line["payload"].clone()
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
