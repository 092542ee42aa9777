// dashboard.mjs - drives deploy/examples/dashboard.html in Debian's Chromium
// (headless, through playwright-core) and prints what it saw as one JSON
// object; tests/e2e/test_ops_browser.py starts the servers and judges it.
//
// Environment: ALLOWED_URL and DENIED_URL (the page from an origin on
// DNSAPI_CORS_ORIGINS and from one that is not), API (the API's base URL),
// TOKEN, PROFILE (a fresh user-data-dir). Every wait is bounded (10 s).
import { chromium } from "playwright-core";

const WAIT = 10000;
const env = process.env;
const out = { steps: [] };
const step = (name, data) => out.steps.push({ name, ...data });

async function text(page, sel) {
  return (await page.textContent(sel)) ?? "";
}

async function waitText(page, sel, re) {
  await page.waitForFunction(
    ([s, src]) => new RegExp(src).test(document.querySelector(s)?.textContent ?? ""),
    [sel, re.source], { timeout: WAIT });
  return text(page, sel);
}

const context = await chromium.launchPersistentContext(env.PROFILE, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"],
  timeout: 60000,
});
try {
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  const fragment = "#token=" + encodeURIComponent(env.TOKEN);

  // from an allowed origin
  await page.goto(env.ALLOWED_URL + "?api=" + encodeURIComponent(env.API) + fragment);
  step("list_empty", { zones: await waitText(page, "#zones", /no zones/) });

  await page.fill("#new-zone", "dash.example");
  await page.click("#create-zone");
  await page.waitForSelector('button.zone[data-zone="dash.example."]', { timeout: WAIT });
  step("zone_created", {
    zones: await page.$$eval("button.zone", (bs) => bs.map((b) => b.dataset.zone)),
    page_info: await waitText(page, "#page-info", /of 3$/),
    request_id: await text(page, "#last-request-id"),
  });

  for (let i = 1; i <= 9; i++) {
    await page.fill("#rec-name", "host" + i);
    await page.selectOption("#rec-type", "A");
    await page.fill("#rec-content", "192.0.2." + i);
    await page.click("#create-record");
    await waitText(page, "#page-info", new RegExp("of " + (3 + i) + "$"));
  }
  const pages = [await text(page, "#page-info")];
  for (let i = 0; i < 2; i++) {
    await page.click("#next");
    pages.push(await waitText(page, "#page-info", new RegExp("^records " + (6 + 5 * i) + "–")));
  }
  const rows = await page.$$eval("#records tr", (trs) => trs.map((tr) => tr.textContent));
  const nextDisabled = await page.isDisabled("#next");
  await page.click("#prev");
  pages.push(await waitText(page, "#page-info", /^records 6–10/));
  step("paged", { pages, last_rows: rows, next_disabled_at_end: nextDisabled });

  await page.fill("#rec-name", "bad");
  await page.selectOption("#rec-type", "A");
  await page.fill("#rec-content", "not-an-address");
  await page.click("#create-record");
  step("api_error", { error: await waitText(page, "#error", /validation_failed/),
                      page_info: await text(page, "#page-info") });

  // what the page's script may read of a replayed create (same key twice)
  step("headers", await page.evaluate(async ([api, token]) => {
    const init = { method: "POST", headers: { Authorization: "Bearer " + token,
      "Content-Type": "application/json", "Idempotency-Key": "browser-replay-1" },
      body: JSON.stringify({ name: "replay", type: "TXT", content: "once" }) };
    const url = api + "/v1/zones/dash.example/records";
    const first = await fetch(url, init);
    const again = await fetch(url, init);
    const names = ["X-Request-Id", "Idempotent-Replayed", "Location", "Retry-After"];
    const read = (r) => Object.fromEntries(names.map((n) => [n, r.headers.get(n)]));
    return { first_status: first.status, replay_status: again.status,
             first: read(first), replay: read(again) };
  }, [env.API, env.TOKEN]));
  step("console", { errors: consoleErrors });

  // from an origin that is not allowed: the browser blocks the answers
  const denied = await context.newPage();
  await denied.goto(env.DENIED_URL + "?api=" + encodeURIComponent(env.API) + fragment);
  step("denied", { error: await waitText(denied, "#error", /network/),
                   zones: await text(denied, "#zones") });
  out.ok = true;
} catch (e) {
  out.ok = false;
  out.failure = String(e && e.stack || e);
} finally {
  await context.close();
}
console.log(JSON.stringify(out));
