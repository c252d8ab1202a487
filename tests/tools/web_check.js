// Reads web editions in one headless Chromium (puppeteer and axe-core from DAISY Ace's install in .venv/ace):
// for each page at each window width: horizontal scroll, axe-core's violations, every note reached from its
// call and its call reached back, the fonts loaded; a screenshot of each page when asked ("shots"). Prints one
// JSON report.
// Usage: node web_check.js JOBS.json   (JOBS: {"axe": path of axe.min.js, "shots": folder or null, "pages": [{"url",
// "name", "widths": [...], "notes": true, "print": true}]})
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer");

async function notes(page) {
  // Each call: click it, see its note shown inside the window, click the note's number, see the call again.
  return page.evaluate(async () => {
    const found = [];
    const inView = (element) => {
      const box = element.getBoundingClientRect();
      return box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight + 1 && box.left >= 0 &&
        box.right <= window.innerWidth + 1;
    };
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (const call of document.querySelectorAll("a.noteref")) {
      call.scrollIntoView({block: "center"});
      await frame();
      const before = window.scrollY;
      call.click();
      await frame();
      const note = document.querySelector(call.getAttribute("href"));
      const shown = note !== null && note.matches(":target") && inView(note);
      const fixed = note !== null && getComputedStyle(note).position === "fixed";
      const stayed = Math.abs(window.scrollY - before) < 2;
      const back = note && note.querySelector("a.note-back");
      let returned = false;
      if (back) {
        back.click();
        await frame();
        returned = back.getAttribute("href") === "#" + call.id && inView(call) && !note.matches(":target");
      }
      found.push({call: call.id, note: note && note.id, shown, popup: fixed, stayed, returned});
    }
    history.replaceState(null, "", location.pathname);
    return found;
  });
}

async function main() {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const axe = fs.readFileSync(jobs.axe, "utf8");
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || "/usr/bin/chromium",
    headless: true, args: ["--no-sandbox", "--disable-gpu", "--font-render-hinting=none"],
  });
  const results = [];
  try {
    const page = await browser.newPage();
    for (const job of jobs.pages) {
      for (const width of job.widths) {
        await page.setViewport({width, height: width < 600 ? 740 : 900});
        await page.emulateMediaType("screen");
        await page.goto(job.url, {waitUntil: "load"});
        await page.evaluate(() => document.fonts.ready);
        const result = {name: job.name, url: job.url, width};
        result.scroll = await page.evaluate(() => ({
          scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth}));
        result.fonts = await page.evaluate(() =>
          [...document.fonts].filter((face) => face.status === "loaded").map((face) => face.family.replace(/"/g, "")));
        result.lang = await page.evaluate(() => document.documentElement.lang);
        if (jobs.shots) {
          const shot = path.join(jobs.shots, `${job.name.replace(/[^\w.-]+/g, "_")}-${width}.png`);
          await page.screenshot({path: shot, fullPage: false});
          result.screenshot = shot;
        }
        if (job.notes) {
          result.notes = await notes(page);
          if (jobs.shots && result.notes.length) {  // a note open, as a reader sees it after tapping its call
            const call = result.notes[0].call;
            await page.evaluate((id) => { document.getElementById(id).scrollIntoView({block: "center"});
                                          document.getElementById(id).click(); }, call);
            await new Promise((resolve) => setTimeout(resolve, 50));
            const shot = path.join(jobs.shots, `${job.name.replace(/[^\w.-]+/g, "_")}-${width}-note.png`);
            await page.screenshot({path: shot});
            result.note_screenshot = shot;
            await page.evaluate(() => history.replaceState(null, "", location.pathname));
          }
        }
        if (job.axe !== false) {
          await page.evaluate(axe);
          const report = await page.evaluate(async () => {
            const found = await window.axe.run(document, {resultTypes: ["violations"]});
            return found.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                                 nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)}));
          });
          result.axe = report;
        }
        if (job.print) {
          await page.emulateMediaType("print");
          result.print = await page.evaluate(() => ({
            header: getComputedStyle(document.querySelector("header.site")).display,
            notes: [...document.querySelectorAll(".note")].filter((n) => n.getBoundingClientRect().height > 0).length,
          }));
          if (jobs.shots) {
            const pdf = path.join(jobs.shots, `${job.name.replace(/[^\w.-]+/g, "_")}-print.pdf`);
            await page.pdf({path: pdf, format: "A4"});
            result.pdf = pdf;
          }
        }
        results.push(result);
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error.stack || error));
  process.exit(1);
});
