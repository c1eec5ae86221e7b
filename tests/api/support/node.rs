//! A second API node: the built binary serving the same database on a port of its own, as
//! another process (so it hears the test application's writes only through PostgreSQL).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{SECRET, TestApp};

/// The running binary; killed when dropped.
pub struct Node {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Node {
    /// Starts `yhdyspinta serve` on `app`'s database with `args` added, and waits until it
    /// answers `/healthz` (at most 30 s).
    pub async fn start(app: &TestApp, args: &[&str]) -> Node {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_yhdyspinta"))
            .args([
                "serve",
                "--no-seed",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .args(args)
            .env("DATABASE_URL", &app.database_url)
            .env(
                "YHDYSPINTA_JWT_SECRET",
                std::str::from_utf8(SECRET).unwrap(),
            )
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .spawn()
            .expect("start the second node");
        let node = Node {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while app
            .client
            .get(format!("{}/healthz", node.base))
            .send()
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the second node did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        node
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
