// Issue 18: the activation page in a real headless browser (Debian's chromium, over the DevTools
// protocol). The page loads with its own style under the strict CSP, shows no token until the one
// click, and that click downloads the .share profile and spends the link; opened again (here on
// the other replica) it is the plain "already used" page. Screenshots of both are kept.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type Browser, startBrowser } from "../../ground/chromium.ts";
import { waitUntil } from "../../ground/wait.ts";
import { type ActivationGround, onReplica, startActivationGround } from "./activationGround.ts";

describe("the activation page in headless chromium", () => {
  let ground: ActivationGround;
  let browser: Browser;
  let shots: string;

  before(async () => {
    [ground, browser] = await Promise.all([
      startActivationGround([{ name: "browsing", expiresInMs: 72 * 3_600_000 }]),
      startBrowser(),
    ]);
    // kept after the test, for people to look at
    shots = await mkdtemp(join(tmpdir(), "dso-activation-screenshots-"));
  });

  after(async () => {
    await browser?.stop();
    await ground?.stop();
  });

  test("one click downloads the profile and spends the link; the page then says so", async () => {
    const link = ground.links.browsing;
    assert.ok(link);
    const { page } = browser;
    await page.send("Runtime.enable");
    await page.send("Log.enable");
    const violations: string[] = [];
    const watchConsole = async () => {
      for (;;) {
        const entry = (await page.next("Log.entryAdded", 600_000).catch(() => undefined))?.entry as
          | { text?: string }
          | undefined;
        if (!entry) return;
        if (/Content Security Policy/i.test(entry.text ?? "")) violations.push(entry.text ?? "");
      }
    };
    void watchConsole();

    await page.navigate(link.url);
    const html = await page.evaluate<string>("document.documentElement.outerHTML");
    assert.doesNotMatch(html, new RegExp(link.token), "the token is not in the page before the click");
    assert.match(html, /delta_sharing\.load_as_pandas/);
    assert.match(html, /deltaSharing/);
    assert.match(html, /Power BI/);
    // the inline style applied: the CSP admitted it by its hash (a blocked style leaves the default)
    const buttonColour = await page.evaluate<string>(
      "getComputedStyle(document.getElementById('download')).backgroundColor",
    );
    assert.equal(buttonColour, "rgb(11, 92, 173)");
    const offer = join(shots, "1-offer.png");
    await writeFile(offer, await page.screenshotPng());
    console.log(`screenshot of the offer page: ${offer}`);

    const downloads = await mkdtemp(join(tmpdir(), "dso-activation-download-"));
    await page.allowDownloads(downloads);
    const done = page.next("Browser.downloadProgress");
    await page.evaluate("document.getElementById('download').click()");
    let progress = await done;
    while (progress.state === "inProgress") progress = await page.next("Browser.downloadProgress");
    assert.equal(progress.state, "completed");
    await waitUntil(async () => (await readdir(downloads)).includes("browsing.share"), {
      timeoutMs: 10_000,
      what: "the downloaded profile",
    });
    const profile = JSON.parse(await readFile(join(downloads, "browsing.share"), "utf8")) as Record<
      string,
      unknown
    >;
    assert.equal(profile.bearerToken, link.token);
    assert.equal(profile.shareCredentialsVersion, 1);

    await page.navigate(onReplica(link, ground.replicas[1]));
    const text = await page.evaluate<string>("document.body.innerText");
    assert.match(text, /already been used/);
    assert.match(text, /data-team@example\.com/);
    assert.equal(await page.evaluate<number>("document.forms.length"), 0);
    const spent = join(shots, "2-spent.png");
    await writeFile(spent, await page.screenshotPng());
    console.log(`screenshot of the spent page: ${spent}`);
    assert.deepEqual(violations, []);
  });
});
