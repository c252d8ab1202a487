/*
 * DAISY Ace in one Node.js process and one headless Chromium for a whole test run, whichever test process asks
 * (as EpubCheckServer.java does for EPUBCheck): each request is a file "NAME.request" in FOLDER holding
 * "book.epub<TAB>report folder"; Ace checks the book as `ace-puppeteer -E -s -f -o REPORT BOOK` does and writes its
 * reports there, then the answer, the exit status that command gives (0, 2 when the outcome is "fail", 1 when Ace
 * fails), is written to "NAME.status" beside the request, and what went wrong, if anything, to "NAME.stderr".
 * Stops when FOLDER holds "stop" or when the process WATCHED (the test run) is gone; its CPU time (Chromium's
 * included, which it waits for) is written to "cpu" in FOLDER then.
 *
 * NODE_PATH=.venv/ace/node_modules PUPPETEER_EXECUTABLE_PATH=/usr/bin/chromium node ace_server.js FOLDER WATCHED
 */
'use strict';

const fs = require('fs');
const path = require('path');
const ace = require('@daisy/ace-core');
const logger = require('@daisy/ace-logger');
const runner = require('@daisy/ace-axe-runner-puppeteer');

const [folder, watched] = process.argv.slice(2);

// Ace launches a browser for each book and closes it after: here it is launched for the first and kept.
let launched = null;
const kept = Object.assign(Object.create(runner), {
  launch: () => (launched = launched || runner.launch()),
  close: async () => {},
});

function alive(pid) {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function write(target, text) {
  fs.writeFileSync(target + '.part', text);
  fs.renameSync(target + '.part', target);
}

async function check(request) {
  const [epub, outdir] = fs.readFileSync(request, 'utf8').trim().split('\t');
  const name = request.slice(0, -'.request'.length);
  let status = 0;
  let stderr = '';
  try {
    const [, report] = await ace(epub, { cwd: process.cwd(), outdir, silent: true, jobId: '', exiterror2: true },
      kept);
    status = report['earl:result']['earl:outcome'] === 'fail' ? 2 : 0;
  } catch (error) {
    status = 1;
    stderr = String((error && error.stack) || error || `DAISY Ace failed on ${epub}: see its log`);
  }
  write(name + '.stderr', stderr);
  write(name + '.status', String(status));
  fs.unlinkSync(request);
}

// Between requests the server sleeps until a file appears in FOLDER (inotify, through fs.watch), looking once a
// second whether WATCHED is still there: listing the folder every 50 ms cost ~13 ms of CPU a second for the whole run.
let changed = true;
let wake = null;
fs.watch(folder, () => {
  changed = true;
  if (wake) wake();
});

function nextChange() {
  if (changed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1000);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  }).then(() => {
    wake = null;
  });
}

async function serve() {
  logger.initLogger({ silent: true, fileName: 'ace-server.log' });
  while (alive(watched) && !fs.existsSync(path.join(folder, 'stop'))) {
    changed = false; // a file made from here on wakes the wait below
    const requests = fs.readdirSync(folder).filter((file) => file.endsWith('.request')).sort();
    for (const request of requests) {
      await check(path.join(folder, request));
    }
    if (!requests.length) {
      await nextChange();
    }
  }
  if (launched) {
    await launched;
    await runner.close();
  }
  const usage = process.resourceUsage();
  const children = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const ticks = 100; // USER_HZ, as /proc gives cutime and cstime
  const seconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6 + (Number(children[13]) + Number(children[14])) / ticks;
  write(path.join(folder, 'cpu'), seconds.toFixed(2));
  process.exit(0);
}

serve();
