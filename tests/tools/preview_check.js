// Drives the live preview (build.py --watch --serve) in headless Chromium: opens its page, shows a piece of the web
// edition in it, edits the piece's file and waits for the new words in the page, then breaks the piece and waits
// for its problem on the page, then mends it. Prints a JSON report of what it saw and how long each took.
// Usage: node preview_check.js JOB.json   (JOB: {"url", "piece_page", "file", "old", "new", "broken", "seconds"})
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer");

async function until(page, test, arg, seconds) {
  const start = Date.now();
  while (Date.now() - start < seconds * 1000) {
    if (await page.evaluate(test, arg).catch(() => false)) return (Date.now() - start) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return null;
}

// Writes a file whole at once, as an editor saves it: the watching build never sees it emptied and not yet written.
function save(file, text) {
  const temp = path.join(path.dirname(file), "." + path.basename(file) + ".saving");
  fs.writeFileSync(temp, text);
  fs.renameSync(temp, file);
}

async function main() {
  const job = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
    headless: true, args: ["--no-sandbox", "--disable-gpu"],
  });
  const report = {};
  try {
    const page = await browser.newPage();
    await page.setViewport({width: 1280, height: 900});
    await page.goto(job.url, {waitUntil: "load"});
    report.first = await until(page, () => /^Build [1-9]\d*: up to date/.test(document.getElementById("status").textContent),
                               null, job.seconds);
    await page.evaluate((src) => { document.getElementById("web").src = src; }, job.piece_page);
    const text = () => document.getElementById("web").contentDocument.body.textContent.replace(/\u00ad/g, "");
    report.piece = await until(page, (old) => (
      document.getElementById("web").contentDocument.body.textContent.replace(/\u00ad/g, "").includes(old)),
                               job.old, job.seconds);
    const proofBefore = await page.evaluate(() => document.getElementById("proof").src);
    const source = fs.readFileSync(job.file, "utf8");
    save(job.file, source.replace(job.old, job.new));
    report.edited = await until(page, (words) => (
      document.getElementById("web").contentDocument.body.textContent.replace(/\u00ad/g, "").includes(words)),
                                job.new, job.seconds);
    report.still_on_piece = await page.evaluate(() => document.getElementById("web").contentWindow.location.pathname);
    report.proof_reloaded = (await page.evaluate(() => document.getElementById("proof").src)) !== proofBefore;
    report.proof_loaded = await until(page, () => {
      const image = document.getElementById("proof");
      return image.complete && image.naturalWidth > 0;
    }, null, job.seconds) !== null;
    // a mark on the shown page: a reload after the failed build (the page blank a moment) would wipe it
    await page.evaluate(() => { document.getElementById("web").contentWindow.lastGood = true; });
    save(job.file, source.replace(job.old, job.new) + job.broken);
    report.broken = await until(page, () => document.querySelectorAll("#problems li").length > 0, null, job.seconds);
    report.problems = await page.evaluate(() => [...document.querySelectorAll("#problems li")].map((li) => li.textContent));
    await new Promise((resolve) => setTimeout(resolve, 500));
    report.shown_after_break = await page.evaluate(
      () => document.getElementById("web").contentWindow.lastGood === true).catch(() => false)
      && (await page.evaluate(text).catch(() => "")).includes(job.new);
    save(job.file, source.replace(job.old, job.new));
    report.mended = await until(page, () => document.querySelectorAll("#problems li").length === 0, null, job.seconds);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(report));
}

main().catch((error) => {
  process.stderr.write(String(error.stack || error));
  process.exit(1);
});
