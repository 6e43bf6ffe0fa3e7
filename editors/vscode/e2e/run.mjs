// End-to-end test of the VS Code extension inside a real VS Code (code-server)
// in a real browser (the system Chromium, driven by playwright-core).
//
// It builds the platform VSIX with scripts/release.sh (freshly built Go binary
// bundled), installs it into code-server, opens a workspace holding a flawed
// prefect.yaml, its flow file and a Python deployment file, and does what a
// person would: opens the file, reads the Problems panel, hovers the work pool,
// applies a quick fix from the light bulb (Ctrl+.), asks for completions,
// saves, runs "Prefect: Explain Deployments" from the command palette, reads
// the status-bar item; then opens the Python file, reads its problem, hovers
// .deploy, applies the add-image fix and writes the deployment to prefect.yaml. Every
// check reads the page (aria labels, Problems rows, hover text, editor lines)
// and waits on a condition, never on a fixed sleep. Each step leaves a
// screenshot in the artifacts folder.
//
// Environment:
//   PLSP_CHROMIUM    Chromium/Chrome executable (default: chromium on PATH)
//   PLSP_ARTIFACTS   folder for screenshots and logs (default: a new temp folder; printed)
//   PLSP_E2E_CACHE   cache folder for code-server and playwright-core (default: see setup.mjs)
//   PLSP_E2E_VSIX    an already built VSIX to test instead of building one
//   PLSP_E2E_TIMEOUT_MS  how long one wait may take (default 60000)
//
// Exit status 0 when every step passed; otherwise 1 with the failed step named.

import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCacheDir, ensureTools } from "./setup.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const extensionDir = path.resolve(here, "..");
const repoRoot = path.resolve(extensionDir, "..", "..");
const TIMEOUT = Number(process.env.PLSP_E2E_TIMEOUT_MS || 60000);

const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// The workspace. Line numbers below are 1-based, as the Problems panel shows them.
const PREFECT_YAML = `name: demo
prefect-version: 3.1.0

deployments:
  - name: etl
    entrypoint: flows/etl.py:etl
    work_pool:
      name: k8s
    schedule:
      cron: "0 3 * * *"
  - name: report
    entrypoint: flows/etl.py:report_flow
    work_pool:
      name: k8s
    paramters:
      day: 1
`;
const FLOW_PY = `from prefect import flow


@flow
def etl():
    pass


@flow(name="report")
def report(day: int = 0):
    pass
`;
// A Python deployment: .deploy() to the kubernetes pool with no image and no
// from_source, so the run cannot reach the code (line 10, at "deploy").
const DEPLOY_PY = `from prefect import flow


@flow
def nightly():
    pass


if __name__ == "__main__":
    nightly.deploy(name="nightly", work_pool_name="k8s")
`;
const EXPECTED_PY_PROBLEMS = [
  { severity: "Warning", line: 10, column: 13, rule: "code-unreachable", text: "deploy() has no image=" },
];

// What the Problems panel must list for PREFECT_YAML, in order (hints, such
// as legacy-schedule on line 9, are not listed there by VS Code). The
// code-unreachable warnings need the pool type from the workspace's
// prefect-lsp.workPools setting: they prove the setting reached the server.
const EXPECTED_PROBLEMS = [
  { severity: "Warning", line: 8, column: 13, rule: "code-unreachable", text: 'kubernetes work pool "k8s"' },
  { severity: "Error", line: 12, column: 30, rule: "entrypoint-function-not-found", text: 'has no function "report_flow"' },
  { severity: "Warning", line: 14, column: 13, rule: "code-unreachable", text: 'kubernetes work pool "k8s"' },
  { severity: "Warning", line: 15, column: 5, rule: "unknown-key", text: 'unknown key "paramters"' },
];

/**
 * Whether the Problems rows are exactly the expected ones, in any order (the
 * panel sorts by severity): each once, all from prefect-lsp. The rows' aria
 * labels carry no rule id, so the rule is told by its message.
 */
function sameProblems(rows, expected, file = "prefect.yaml") {
  const left = rows.filter((r) => r.file === file);
  for (const e of expected) {
    const i = left.findIndex(
      (r) =>
        r.severity === e.severity &&
        r.line === e.line &&
        r.column === e.column &&
        r.message.includes(e.text) &&
        r.source === "prefect-lsp",
    );
    if (i < 0) {
      return false;
    }
    left.splice(i, 1);
  }
  return left.length === 0;
}

function log(msg) {
  process.stderr.write(`e2e: ${msg}\n`);
}

function hostTarget() {
  const os_ = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  if (!os_ || !arch) {
    throw new Error(`no prefect-lsp build target for ${process.platform}-${process.arch}`);
  }
  return `${os_}-${arch}`;
}

function findOnPath(names) {
  for (const name of names) {
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
      const p = path.join(dir, name);
      if (dir && fs.existsSync(p)) {
        return p;
      }
    }
  }
  return undefined;
}

function buildVsix(work) {
  if (process.env.PLSP_E2E_VSIX) {
    return path.resolve(process.env.PLSP_E2E_VSIX);
  }
  const target = hostTarget();
  const dist = path.join(work, "dist");
  log(`building the ${target} VSIX with scripts/release.sh`);
  execFileSync("bash", [path.join(repoRoot, "scripts", "release.sh"), "--targets", target, "--dist", dist], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const vsix = fs.readdirSync(dist).find((f) => f.endsWith(".vsix"));
  if (!vsix) {
    throw new Error(`release.sh made no VSIX in ${dist}`);
  }
  return path.join(dist, vsix);
}

function writeFiles(root, files) {
  for (const [rel, text] of Object.entries(files)) {
    const p = path.join(root, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
}

/** Starts code-server on a free loopback port; resolves with its URL once it listens. */
function startCodeServer(entry, args, env, logFile) {
  const child = spawn(process.execPath, [entry, ...args], {
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out = fs.createWriteStream(logFile);
  const url = new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${TIMEOUT} ms; see ${logFile}`)), TIMEOUT);
    const onData = (chunk) => {
      out.write(chunk);
      seen += chunk.toString();
      const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+\/?)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].endsWith("/") ? m[1] : `${m[1]}/`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited (${code}); see ${logFile}`));
    });
  });
  return { child, url };
}

function stopProcessGroup(child) {
  if (child.exitCode !== null || child.pid === undefined) {
    return;
  }
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/** Polls fn until it returns a truthy value; throws with what was last seen. */
async function waitUntil(description, fn, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) {
        return v;
      }
      last = v;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${description}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

function normalize(text) {
  return (text ?? "").replace(/\u00a0/g, " ");
}

async function editorLines(page) {
  const lines = await page.locator(".editor-instance .monaco-editor .view-lines .view-line").evaluateAll((els) =>
    els
      .map((el) => ({ top: parseFloat(el.style.top || "0"), text: el.textContent ?? "" }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text),
  );
  return lines.map(normalize);
}

async function problemRows(page) {
  const rows = await page.locator(".markers-panel .monaco-list-row").evaluateAll((els) =>
    els.map((el) => ({ label: el.getAttribute("aria-label") ?? "", text: el.textContent ?? "" })),
  );
  // The first row of each group names the file ("2 problems in file prefect.yaml ..."):
  // each problem row gets the file of the group row above it.
  let file;
  return rows
    .map(({ label, text }) => ({ label: normalize(label), text: normalize(text) }))
    .map(({ label, text }) => {
      const group = /^\d+ problems? in file (\S+)/.exec(label);
      if (group) {
        file = group[1];
        return undefined;
      }
      const m = /^(Error|Warning|Info): (.*) at line (\d+) and character (\d+)\. generated by (.*)$/s.exec(label);
      return m ? { file, severity: m[1], message: m[2], line: Number(m[3]), column: Number(m[4]), source: m[5], label, text } : undefined;
    })
    .filter((r) => r !== undefined);
}

/** A token of the editor whose text is exactly `word`, on the line whose text contains `lineText`. */
function token(page, lineText, word) {
  return page
    .locator(".editor-instance .monaco-editor .view-lines .view-line")
    .filter({ hasText: lineText })
    .first()
    .locator("span > span")
    .filter({ hasText: new RegExp(`^${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) })
    .first();
}

/**
 * The screen point at the middle of `word` on the editor line whose text
 * contains `lineText`, found with a DOM Range over the line's text, so it works
 * wherever the grammar puts the token boundaries (Python's grammar leaves
 * `nightly.deploy` in one span).
 */
async function wordPoint(page, lineText, word) {
  const line = page.locator(".editor-instance .monaco-editor .view-lines .view-line").filter({ hasText: lineText }).first();
  const box = await line.evaluate((el, w) => {
    const text = (el.textContent ?? "").replace(/\u00a0/g, " ");
    const at = text.indexOf(w);
    if (at < 0) {
      return null;
    }
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let offset = 0;
    const range = document.createRange();
    let started = false;
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const len = node.textContent.length;
      if (!started && at < offset + len) {
        range.setStart(node, at - offset);
        started = true;
      }
      if (started && at + w.length <= offset + len) {
        range.setEnd(node, at + w.length - offset);
        const r = range.getBoundingClientRect();
        return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
      }
      offset += len;
    }
    return null;
  }, word);
  if (!box) {
    throw new Error(`no ${JSON.stringify(word)} on the line with ${JSON.stringify(lineText)}`);
  }
  return box;
}

async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget .quick-input-box input").first();
  await input.waitFor({ state: "visible", timeout: TIMEOUT });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: TIMEOUT });
  await row.click();
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "prefect-lsp-vscode-e2e-"));
  const artifacts = path.resolve(process.env.PLSP_ARTIFACTS || fs.mkdtempSync(path.join(os.tmpdir(), "prefect-lsp-e2e-artifacts-")));
  fs.mkdirSync(artifacts, { recursive: true });
  log(`artifacts (screenshots, logs): ${artifacts}`);
  const chromiumPath = process.env.PLSP_CHROMIUM || findOnPath(["chromium", "chromium-browser", "google-chrome"]);
  if (!chromiumPath) {
    throw new Error("no Chromium: set PLSP_CHROMIUM or install chromium");
  }

  const tools = ensureTools(process.env.PLSP_E2E_CACHE || defaultCacheDir());
  const { chromium } = tools.requireFromTools("playwright-core");
  const vsix = buildVsix(work);

  const ws = path.join(work, "workspace");
  const userData = path.join(work, "vscode-user-data");
  const extensionsDir = path.join(work, "vscode-extensions");
  writeFiles(ws, {
    "prefect.yaml": PREFECT_YAML,
    "flows/etl.py": FLOW_PY,
    "deploy.py": DEPLOY_PY,
    // Also proves that settings reach the server: the hover names the pool type.
    ".vscode/settings.json": JSON.stringify({ "prefect-lsp.workPools": { k8s: "kubernetes" } }, null, 2),
  });
  writeFiles(userData, {
    "User/settings.json": JSON.stringify(
      {
        "workbench.startupEditor": "none",
        "security.workspace.trust.enabled": false,
        "workbench.tips.enabled": false,
        "telemetry.telemetryLevel": "off",
        "update.mode": "none",
        "extensions.autoCheckUpdates": false,
        "extensions.autoUpdate": false,
        "workbench.editor.enablePreview": false,
        "editor.hover.delay": 150,
        "window.restoreWindows": "none",
      },
      null,
      2,
    ),
  });
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(work, "xdg-config"),
    XDG_DATA_HOME: path.join(work, "xdg-data"),
  };
  const config = path.join(work, "code-server.yaml");
  fs.writeFileSync(config, "bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n");
  const common = ["--config", config, "--user-data-dir", userData, "--extensions-dir", extensionsDir];

  log(`installing ${path.basename(vsix)} into code-server`);
  const installOut = execFileSync(process.execPath, [tools.codeServerEntry, ...common, "--install-extension", vsix], {
    env,
    encoding: "utf8",
  });
  if (!/successfully installed/i.test(installOut)) {
    throw new Error(`--install-extension did not report success:\n${installOut}`);
  }
  const installed = fs.readdirSync(extensionsDir).find((d) => d.startsWith("prefect-lsp.prefect-lsp-"));
  if (!installed) {
    throw new Error(`extension not in ${extensionsDir}`);
  }
  const installedDir = path.join(extensionsDir, installed);
  const bundledBinary = path.join(installedDir, "bin", hostTarget(), process.platform === "win32" ? "prefect-lsp.exe" : "prefect-lsp");

  const server = startCodeServer(
    tools.codeServerEntry,
    [
      ...common,
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--ignore-last-opened",
      ws,
    ],
    env,
    path.join(artifacts, "code-server.log"),
  );
  let context;
  let lastProblems = [];
  const results = [];
  let current = "start code-server";
  let page;
  let shot = 0;
  const screenshot = async (name) => {
    shot += 1;
    const file = path.join(artifacts, `${String(shot).padStart(2, "0")}-${name}.png`);
    await page.screenshot({ path: file });
    return file;
  };
  try {
    const url = await server.url;
    log(`code-server at ${url}`);
    context = await chromium.launchPersistentContext(path.join(work, "chromium-profile"), {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    const consoleErrors = [];
    page.on("console", (m) => {
      if (m.type() === "error") {
        consoleErrors.push(m.text());
      }
    });

    const editorText = async () => (await editorLines(page)).join("\n");
    const problems = async () => {
      // Ctrl+Shift+M toggles the panel: press it only while the panel is hidden.
      if (!(await page.locator(".markers-panel").isVisible())) {
        await page.keyboard.press("Control+Shift+M");
        await page.locator(".markers-panel").waitFor({ state: "visible", timeout: TIMEOUT });
      }
      lastProblems = await problemRows(page);
      return lastProblems;
    };
    // Like a person at the keyboard: move to the entry of the code-action
    // menu, press Enter (the menu's pointer block swallows synthetic clicks).
    const chooseInMenu = async (entry) => {
      await waitUntil("the entry to be selected in the menu", async () => {
        if (((await entry.getAttribute("class", { timeout: 1000 })) ?? "").split(" ").includes("focused")) {
          return true;
        }
        await page.keyboard.press("ArrowDown");
        return false;
      });
      await page.keyboard.press("Enter");
    };
    // Ctrl+. until the code-action menu lists `title`. A request that VS Code
    // cancels (its code-action model restarts when the document's markers
    // change) shows "No code actions available"; a person presses Ctrl+.
    // again, so does this, at most three times. Returns the entry and how many
    // presses it took.
    const openActionsFor = async (title) => {
      const entry = page.locator(".action-widget .monaco-list-row", { hasText: title }).first();
      for (let press = 1; ; press++) {
        await page.keyboard.press("Control+.");
        try {
          await entry.waitFor({ state: "visible", timeout: press < 3 ? 10000 : TIMEOUT });
          return { entry, press };
        } catch (err) {
          if (press >= 3) {
            throw err;
          }
          await page.keyboard.press("Escape");
        }
      }
    };
    // Puts the cursor in "deploy" of the Python file's nightly.deploy( call.
    const clickDeploy = async () => {
      await page.mouse.move(0, 0);
      const p = await wordPoint(page, "nightly.deploy(", ".deploy");
      await page.mouse.click(p.x + 4, p.y);
    };
    const focusEditor = () => page.locator(".editor-instance .monaco-editor .view-lines").first().click({ position: { x: 5, y: 5 } });

    /** Steps in order; each name becomes a screenshot. A Python-file step slots in as another entry. */
    const steps = [
      {
        name: "open-prefect-yaml",
        async run() {
          await page.goto(`${url}?folder=${encodeURIComponent(ws)}`);
          await page.locator(".monaco-workbench").waitFor({ timeout: TIMEOUT });
          const row = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="prefect.yaml"]');
          await row.waitFor({ timeout: TIMEOUT });
          await row.click();
          await waitUntil("prefect.yaml in the editor", async () => (await editorText()).includes("paramters:"));
        },
      },
      {
        name: "status-bar-running",
        async run() {
          // The item's aria label is its text plus its tooltip (see src/status.ts).
          const item = page.locator('.statusbar-item[id="prefect-lsp.prefect-lsp.prefect-lsp.status"]');
          const label = await waitUntil("the Prefect status-bar item to say running", async () => {
            const l = normalize(await item.getAttribute("aria-label", { timeout: 1000 }));
            return /is running\./.test(l) ? l : undefined;
          });
          if (!label.includes(`Binary: ${bundledBinary} (bundled with the extension)`)) {
            throw new Error(`status item does not name the bundled binary ${bundledBinary}: ${label}`);
          }
          if ((await item.locator(".codicon-check").count()) !== 1) {
            throw new Error("status item has no check icon");
          }
          return label;
        },
      },
      {
        name: "problems-panel",
        async run() {
          // Waits for exactly these rows: each once, all from prefect-lsp, so
          // nothing is reported twice and no other extension reports on the file.
          const rows = await waitUntil("exactly the expected rows in the Problems panel", async () => {
            const r = await problems();
            return sameProblems(r, EXPECTED_PROBLEMS) ? r : undefined;
          });
          const fileRow = normalize(await page.locator(".markers-panel .monaco-list-row").first().getAttribute("aria-label"));
          if (!fileRow.includes(`${EXPECTED_PROBLEMS.length} problems in file prefect.yaml`)) {
            throw new Error(`Problems panel group row: ${fileRow}`);
          }
          return rows.map((r) => `${r.severity} ${r.line}:${r.column} ${r.message}`);
        },
      },
      {
        name: "hover-work-pool",
        async run() {
          await focusEditor();
          const pool = token(page, "name: k8s", "k8s");
          const hover = page.locator(".monaco-hover:not(.hidden)");
          const text = await waitUntil("the work-pool hover", async () => {
            await pool.hover();
            const t = normalize(await hover.first().innerText({ timeout: 1000 }));
            return t.includes("Work pool k8s") ? t : undefined;
          });
          for (const want of ["type kubernetes", "How deployment etl runs", "Needs a worker", "Through the guide"]) {
            if (!text.includes(want)) {
              throw new Error(`hover lacks ${JSON.stringify(want)}:\n${text}`);
            }
          }
          return text.split("\n").slice(0, 3).join(" | ");
        },
      },
      {
        name: "quick-fix",
        async run() {
          await page.mouse.move(0, 0);
          await token(page, "paramters:", "paramters").click();
          await page.keyboard.press("Control+.");
          const fix = page.locator(".action-widget .monaco-list-row", { hasText: 'Rename "paramters" to "parameters"' }).first();
          await fix.waitFor({ state: "visible", timeout: TIMEOUT });
          await screenshot("quick-fix-menu");
          await chooseInMenu(fix);
          await waitUntil("the renamed key in the editor", async () => {
            const t = await editorText();
            return t.includes("    parameters:") && !t.includes("paramters");
          });
          await waitUntil("the unknown-key problem to go", async () => {
            const r = await problems();
            return sameProblems(r, EXPECTED_PROBLEMS.filter((e) => e.rule !== "unknown-key")) ? r : undefined;
          });
        },
      },
      {
        name: "complete-key",
        async run() {
          // A new line inside deployment "etl", below its entrypoint.
          await token(page, "entrypoint: flows/etl.py:etl", "entrypoint").click();
          await page.keyboard.press("End");
          await page.keyboard.press("Enter");
          await page.keyboard.type("tag");
          await page.keyboard.press("Control+Space");
          const labels = await waitUntil("key completions", async () => {
            const l = await page.locator(".suggest-widget.visible .monaco-list-row").evaluateAll((els) =>
              els.map((el) => el.getAttribute("aria-label") ?? ""),
            );
            return l.some((a) => /^tags\b/.test(a)) ? l : undefined;
          });
          await screenshot("complete-key-list");
          await page.keyboard.press("Escape");
          await page.keyboard.press("Control+Shift+K"); // delete the line again
          await waitUntil("the scratch line to go", async () => !(await editorText()).includes("tag"));
          return labels.slice(0, 5);
        },
      },
      {
        name: "complete-entrypoint",
        async run() {
          // Replace the wrong function name by completion: the error goes.
          // The document link splits the value into tokens: put the cursor on
          // the line, select the last word from the end, delete it.
          await token(page, "report_flow", "entrypoint").click();
          await page.keyboard.press("End");
          await page.keyboard.press("Control+Shift+ArrowLeft");
          await page.keyboard.press("Backspace");
          await waitUntil("the function name deleted", async () =>
            (await editorLines(page)).some((l) => l.trimEnd() === "    entrypoint: flows/etl.py:"),
          );
          await page.keyboard.press("Control+Space");
          const row = page.locator(".suggest-widget.visible .monaco-list-row", { hasText: "flows/etl.py:report" }).first();
          await row.waitFor({ state: "visible", timeout: TIMEOUT });
          const labels = await page.locator(".suggest-widget.visible .monaco-list-row").evaluateAll((els) =>
            els.map((el) => el.getAttribute("aria-label") ?? ""),
          );
          await screenshot("complete-entrypoint-list");
          await row.click();
          await waitUntil("the completed entrypoint", async () => {
            const lines = await editorLines(page);
            return lines.some((l) => l.trimEnd() === "    entrypoint: flows/etl.py:report");
          });
          await waitUntil("the entrypoint error to go", async () =>
            sameProblems(await problems(), EXPECTED_PROBLEMS.filter((e) => e.rule === "code-unreachable")),
          );
          return labels.slice(0, 5);
        },
      },
      {
        name: "save",
        async run() {
          await focusEditor();
          await page.keyboard.press("Control+S");
          const onDisk = await waitUntil("the edits on disk", async () => {
            const t = fs.readFileSync(path.join(ws, "prefect.yaml"), "utf8");
            return t.includes("    parameters:\n") && t.includes("entrypoint: flows/etl.py:report\n") ? t : undefined;
          });
          const expected = PREFECT_YAML.replace("paramters:", "parameters:").replace("report_flow", "report");
          if (onDisk !== expected) {
            throw new Error(`saved prefect.yaml differs from the expected edit:\n${onDisk}`);
          }
        },
      },
      {
        name: "explain-command",
        async run() {
          await runCommand(page, "Prefect: Explain Deployments");
          const body = await waitUntil("the rendered explanation", async () => {
            // The markdown preview is a webview: nested iframes.
            for (const frame of page.frames()) {
              const text = normalize(await frame.locator("body").innerText({ timeout: 1000 }).catch(() => ""));
              if (text.includes("How deployment etl runs")) {
                return text;
              }
            }
            return undefined;
          });
          // "kubernetes": the explanation uses the workspace's workPools setting too.
          for (const want of ["How deployment etl runs", "How deployment report runs", "Work pool: k8s — type kubernetes"]) {
            if (!body.includes(want)) {
              throw new Error(`explanation lacks ${JSON.stringify(want)}:\n${body}`);
            }
          }
          return body.split("\n").slice(0, 4).join(" | ");
        },
      },
      {
        name: "python-open",
        async run() {
          // A Python file that imports prefect: the extension hands it to the
          // server, which reports on the deployment call only. First close the
          // explanation's split, so one editor is on screen.
          await runCommand(page, "View: Close All Editor Groups");
          await waitUntil("no editor open", async () => (await page.locator(".editor-instance .monaco-editor").count()) === 0);
          const row = page.locator('.explorer-folders-view .monaco-list-row[aria-label^="deploy.py"]');
          await row.waitFor({ timeout: TIMEOUT });
          await row.click();
          await waitUntil("deploy.py in the editor", async () => (await editorText()).includes("nightly.deploy("));
          const rows = await waitUntil("the Python file's problem in the Problems panel", async () => {
            const r = await problems();
            return sameProblems(r, EXPECTED_PY_PROBLEMS, "deploy.py") ? r.filter((x) => x.file === "deploy.py") : undefined;
          });
          const item = page.locator('.statusbar-item[id="prefect-lsp.prefect-lsp.prefect-lsp.status"]');
          if (!(await item.isVisible())) {
            throw new Error("the Prefect status-bar item is hidden for a Python deployment file");
          }
          return rows.map((r) => `${r.severity} ${r.line}:${r.column} ${r.message.slice(0, 60)}`);
        },
      },
      {
        name: "python-hover-deploy",
        async run() {
          await focusEditor();
          const hover = page.locator(".monaco-hover:not(.hidden)");
          const text = await waitUntil("the hover on .deploy", async () => {
            const p = await wordPoint(page, "nightly.deploy(", ".deploy");
            await page.mouse.move(p.x + 4, p.y);
            const t = normalize(await hover.first().innerText({ timeout: 1000 }));
            return t.includes("How deployment nightly runs") ? t : undefined;
          });
          for (const want of ["kubernetes", "Through the guide"]) {
            if (!text.includes(want)) {
              throw new Error(`hover on .deploy lacks ${JSON.stringify(want)}:\n${text}`);
            }
          }
          return text.split("\n").slice(0, 3).join(" | ");
        },
      },
      {
        name: "python-quick-fix",
        async run() {
          await clickDeploy();
          const { entry: fix, press } = await openActionsFor("Add image=");
          const move = page.locator(".action-widget .monaco-list-row", { hasText: 'Write deployment "nightly" to prefect.yaml' }).first();
          await move.waitFor({ state: "visible", timeout: TIMEOUT });
          await screenshot("python-quick-fix-menu");
          await chooseInMenu(fix);
          await waitUntil("image= in the call", async () =>
            (await editorText()).includes('nightly.deploy(name="nightly", work_pool_name="k8s", image="nightly:latest")'),
          );
          await waitUntil("the Python problem to go", async () => sameProblems(await problems(), [], "deploy.py"));
          return `menu after ${press} Ctrl+.`;
        },
      },
      {
        name: "python-write-to-prefect-yaml",
        async run() {
          await clickDeploy();
          const { entry: move, press } = await openActionsFor('Write deployment "nightly" to prefect.yaml');
          await chooseInMenu(move);
          // The edit lands in prefect.yaml (closed, so VS Code edits it in the
          // background, unsaved): open it from the explorer.
          await page.locator('.explorer-folders-view .monaco-list-row[aria-label^="prefect.yaml"]').click();
          const lines = await waitUntil("the new deployment in prefect.yaml", async () => {
            const l = await editorLines(page);
            return l.some((x) => x.trim() === '- name: "nightly"') && l.some((x) => x.trim() === 'entrypoint: "deploy.py:nightly"') ? l : undefined;
          });
          // The written entry (image built and pushed by its build section) is
          // clean: prefect.yaml keeps just its two earlier warnings.
          await waitUntil("prefect.yaml's problems unchanged by the new entry", async () =>
            sameProblems(await problems(), EXPECTED_PROBLEMS.filter((e) => e.rule === "code-unreachable")),
          );
          return [`menu after ${press} Ctrl+.`, ...lines.filter((l) => l.includes("nightly")).map((l) => l.trim())];
        },
      },
      {
        name: "yaml-coexistence",
        async run() {
          // redhat.vscode-yaml cannot be installed here (see README); check the
          // contribution it reads, as installed, and its placeholder schema.
          const manifest = JSON.parse(fs.readFileSync(path.join(installedDir, "package.json"), "utf8"));
          const entry = (manifest.contributes?.yamlValidation ?? []).find((v) => v.fileMatch?.includes("prefect.yaml"));
          if (!entry || !entry.fileMatch.includes("prefect.yml")) {
            throw new Error(`installed manifest has no yamlValidation for prefect.yaml/prefect.yml: ${JSON.stringify(manifest.contributes?.yamlValidation)}`);
          }
          const schema = JSON.parse(fs.readFileSync(path.join(installedDir, entry.url), "utf8"));
          const keys = Object.keys(schema).filter((k) => !["$schema", "$id", "title", "description", "$comment"].includes(k));
          if (keys.length !== 0) {
            throw new Error(`placeholder schema constrains something: ${JSON.stringify(schema)}`);
          }
          return `${entry.url} accepts anything`;
        },
      },
    ];

    for (const step of steps) {
      current = step.name;
      const detail = await step.run();
      const file = await screenshot(step.name);
      results.push({ step: step.name, ok: true, detail, screenshot: file });
      log(`ok   ${step.name}${detail ? `: ${JSON.stringify(detail)}` : ""}`);
    }
    fs.writeFileSync(path.join(artifacts, "console-errors.txt"), consoleErrors.join("\n") + "\n");
  } catch (err) {
    results.push({ step: current, ok: false, error: err instanceof Error ? err.message : String(err) });
    log(`FAIL ${current}: ${err instanceof Error ? err.message : String(err)}`);
    log(`Problems panel last read: ${JSON.stringify(lastProblems.map((r) => r.label), null, 1)}`);
    if (page) {
      try {
        await page.screenshot({ path: path.join(artifacts, `failed-${current}.png`) });
      } catch {
        // page gone
      }
    }
  } finally {
    await context?.close().catch(() => {});
    stopProcessGroup(server.child);
    server.url.catch(() => {});
    fs.writeFileSync(path.join(artifacts, "results.json"), JSON.stringify(results, null, 2) + "\n");
    fs.rmSync(work, { recursive: true, force: true, maxRetries: 3 });
  }
  const failed = results.filter((r) => !r.ok);
  log(`artifacts (screenshots, logs): ${artifacts}`);
  if (failed.length > 0) {
    process.exitCode = 1;
  }
}

main().catch((err) => {
  log(`FAIL setup: ${err instanceof Error ? err.stack : String(err)}`);
  process.exitCode = 1;
});
