//! Headless Chromium for the browser tests: Debian's `chromium`, driven by the scripts in
//! `tests/browser/` on Node.js through `puppeteer-core` (`npm ci --prefix tests/browser`).
//! Without them a test is skipped with a notice; `YHDYSPINTA_REQUIRE_BROWSER=1` makes that
//! an error.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The first of `names` found as an executable on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// What a browser test runs: Chromium, Node.js and its script in `tests/browser/`.
pub struct Tools {
    pub chromium: PathBuf,
    pub node: PathBuf,
    pub script: PathBuf,
}

/// Chromium, Node.js and the test tools for `script`, or why not.
fn find(script: &str) -> Result<Tools, String> {
    let chromium = std::env::var_os("YHDYSPINTA_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| on_path(&["chromium", "chromium-browser"]))
        .ok_or("chromium is not installed (apt-get install chromium)")?;
    let node = on_path(&["node", "nodejs"])
        .ok_or("Node.js is not installed (apt-get install nodejs npm)")?;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    for tool in ["puppeteer-core", "axe-core"] {
        if !dir.join("node_modules").join(tool).is_dir() {
            return Err(format!(
                "the browser test tools are not installed (npm ci --prefix {})",
                dir.display()
            ));
        }
    }
    Ok(Tools {
        chromium,
        node,
        script: dir.join(script),
    })
}

/// The tools for `script`; `None` (with a notice) when they are missing, unless
/// `YHDYSPINTA_REQUIRE_BROWSER=1` asks for them, when their absence fails the test.
pub fn tools(script: &str) -> Option<Tools> {
    match find(script) {
        Ok(tools) => Some(tools),
        Err(missing)
            if std::env::var_os("YHDYSPINTA_REQUIRE_BROWSER").is_some_and(|v| v == "1") =>
        {
            panic!("YHDYSPINTA_REQUIRE_BROWSER=1 but {missing}")
        }
        Err(missing) => {
            eprintln!("{missing}: skipping the browser test");
            None
        }
    }
}

/// Runs `command` (a Node.js script of the browser, audit or subscription tests), killed
/// after `limit`; its standard output.
pub fn output_within(mut command: Command, limit: Duration) -> String {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start node");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            child.kill().expect("kill node");
            panic!("the Node.js script took longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("node output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}
