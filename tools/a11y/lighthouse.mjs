// Lighthouse (pinned in package.json) on pages of the built book, in ONE Chromium and ONE
// node process: accessibility, best practices and SEO (performance is left out: it measures
// the machine more than the book), desktop preset.
//
//   node tools/a11y/lighthouse.mjs --base http://127.0.0.1:PORT --out scores.json PAGE...
//
// PAGE: a path under --base (book/01_data.html). The browser: $CHROME_PATH (Debian's
// /usr/bin/chromium), with the flags of tests/browser/browser_support.py CHROMIUM_ARGS in
// $CHROME_FLAGS (space separated). Writes {page: {scores: {category: 0..1}, failed:
// [{id, title, score, items}], seconds}} to --out and prints one line per page.
import fs from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import desktopConfig from "lighthouse/core/config/desktop-config.js";

const CATEGORIES = ["accessibility", "best-practices", "seo"];

function parseArgs(argv) {
  const args = { pages: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--base") args.base = argv[++i];
    else if (argv[i] === "--out") args.out = argv[++i];
    else args.pages.push(argv[i]);
  }
  if (!args.base || !args.out || !args.pages.length) {
    console.error("usage: node lighthouse.mjs --base URL --out FILE PAGE...");
    process.exit(2);
  }
  return args;
}

const args = parseArgs(process.argv.slice(2));
const flags = (process.env.CHROME_FLAGS || "--headless --no-sandbox --disable-gpu").split(/\s+/).filter(Boolean);
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH || "/usr/bin/chromium",
  chromeFlags: flags,
  logLevel: "silent",
});
// Only what the three categories score: no full-page screenshot (seconds on a long chapter),
// no back/forward-cache probe (unscored), and no waiting for a quiet page beyond the load
// event (that wait serves the performance metrics, which are not gathered here).
const config = {
  extends: "lighthouse:default",
  settings: {
    ...desktopConfig.settings,
    onlyCategories: CATEGORIES,
    disableFullPageScreenshot: true,
    skipAudits: ["bf-cache"],
    pauseAfterFcpMs: 0,
    pauseAfterLoadMs: 0,
    networkQuietThresholdMs: 0,
    cpuQuietThresholdMs: 0,
  },
};
const results = {};
try {
  for (const page of args.pages) {
    const t0 = performance.now();
    const runner = await lighthouse(new URL(page, args.base).href,
                                    { port: chrome.port, output: "json", logLevel: "error" }, config);
    const lhr = runner.lhr;
    if (lhr.runtimeError) throw new Error(`${page}: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    const scores = {}, failed = [];
    for (const id of CATEGORIES) {
      const category = lhr.categories[id];
      scores[id] = category.score;
      for (const ref of category.auditRefs) {
        const audit = lhr.audits[ref.id];
        if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
          const items = ((audit.details && audit.details.items) || []).slice(0, 5).map((it) =>
            JSON.stringify(it.node ? { selector: it.node.selector, snippet: it.node.snippet } : it).slice(0, 300));
          failed.push({ category: id, id: ref.id, title: audit.title, score: audit.score, items });
        }
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    results[page] = { scores, failed, seconds };
    console.log(`${page}  ` + CATEGORIES.map((c) => `${c} ${scores[c]}`).join("  ") + `  (${seconds.toFixed(1)} s)`);
  }
} finally {
  await chrome.kill();
}
fs.writeFileSync(args.out, JSON.stringify(results, null, 1) + "\n");
