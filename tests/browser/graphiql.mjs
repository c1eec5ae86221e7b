// Opens GraphiQL in headless Chromium, runs the tab it opens on, and prints a JSON report
// (stdout, one line) for tests/api/graphiql.rs to judge: the requests the page made, those
// off the page's host (aborted), Content-Security-Policy violations, script errors, the tab
// titles, the query editor's text and the answer shown.
//
//   node graphiql.mjs URL CHROMIUM [SCREENSHOT.png]
//
// Any request off the host is aborted in the page and, should the browser itself try one,
// sent to a dead proxy on 127.0.0.1, so nothing leaves the machine. Bounded: 60 s at most.
import puppeteer from 'puppeteer-core';

const [url, executablePath, screenshot] = process.argv.slice(2);
const origin = new URL(url).origin;
const report = {
  requests: [],
  offHost: [],
  violations: [],
  errors: [],
  tabs: [],
  editor: null,
  result: null,
  inlineScriptRan: null,
};
const done = (code, error) => {
  if (error) report.error = String(error && error.stack ? error.stack : error);
  process.stdout.write(JSON.stringify(report) + '\n');
  process.exit(code);
};
setTimeout(() => done(2, 'timed out after 60 s'), 60_000).unref();

let browser;
try {
  browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--proxy-server=127.0.0.1:9',
    ],
  });
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  await page.evaluateOnNewDocument(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.setRequestInterception(true);
  page.on('request', (request) => {
    const target = request.url();
    report.requests.push(`${request.method()} ${target.slice(0, 120)}`);
    if (target.startsWith('data:') || new URL(target).origin === origin) {
      request.continue();
    } else {
      report.offHost.push(target);
      request.abort();
    }
  });
  // Errors are collected up to the deliberate inline script below, which must log one.
  let collecting = true;
  page.on('pageerror', (error) => collecting && report.errors.push(String(error)));
  page.on('console', (message) => {
    if (collecting && message.type() === 'error') report.errors.push(message.text());
  });

  await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
  await page.waitForSelector('.graphiql-container .graphiql-execute-button', { timeout: 30_000 });
  // Wait for the schema (introspection) before running, as a person would see the docs.
  await page.waitForFunction(
    () => document.querySelector('.graphiql-query-editor .CodeMirror')?.CodeMirror,
    { timeout: 30_000 },
  );
  report.tabs = await page.$$eval('.graphiql-tab', (tabs) => tabs.map((t) => t.textContent.trim()));
  report.editor = await page.evaluate(() =>
    document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue(),
  );
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(
    () => {
      const cm = document.querySelector('.result-window .CodeMirror')?.CodeMirror;
      return cm && cm.getValue().includes('"data"');
    },
    { timeout: 30_000 },
  );
  report.result = await page.evaluate(() =>
    document.querySelector('.result-window .CodeMirror').CodeMirror.getValue(),
  );
  report.violations = await page.evaluate(() => window.__violations);
  // The policy must be in force: an inline script added now is refused (and reported).
  collecting = false;
  report.inlineScriptRan = await page.evaluate(async () => {
    const refused = new Promise((resolve) =>
      document.addEventListener('securitypolicyviolation', resolve, { once: true }),
    );
    const script = document.createElement('script');
    script.textContent = 'window.__inlineRan = true;';
    document.body.appendChild(script);
    await Promise.race([refused, new Promise((resolve) => setTimeout(resolve, 2000))]);
    return window.__inlineRan === true;
  });
  if (screenshot) await page.screenshot({ path: screenshot });
  await browser.close();
  done(0);
} catch (error) {
  if (browser) await browser.close().catch(() => {});
  done(1, error);
}
