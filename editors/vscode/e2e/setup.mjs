// Installs the tools of the in-browser end-to-end test into a cache folder
// outside the repository, once: code-server (VS Code in the browser) and
// playwright-core (drives the system Chromium), both from the npm registry.
//
// Nothing is downloaded from anywhere but the npm registry, and no browser or
// VS Code build is fetched by an install script:
//   * packages are installed with --ignore-scripts (code-server's postinstall
//     and @vscode/ripgrep's would fetch from GitHub);
//   * code-server's lib/vscode pins @vscode/proxy-agent to a git URL; the same
//     version, with the same integrity hash, is on the registry, so the
//     shrinkwrap is pointed there;
//   * the native modules the server loads are compiled with node-gyp against
//     the local Node headers (--nodedir from the running node's prefix);
//   * the steps of code-server's postinstall.sh that matter (the
//     node_modules.asar link) are done here; ripgrep is taken from PATH (rg)
//     when present, since its npm package downloads the binary.
//
// Usage: node e2e/setup.mjs [CACHE_DIR]   (prints the install folder)
// As a module: ensureTools(cacheDir) -> { root, codeServerEntry, requireFromTools }

import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const CODE_SERVER_VERSION = "4.96.4";
export const PLAYWRIGHT_CORE_VERSION = "1.57.0";
const PROXY_AGENT_GIT =
  "git+ssh://git@github.com/microsoft/vscode-proxy-agent.git#0803e0a7d1249bcb64ae9d256d0ee732b7246ea5";
const PROXY_AGENT_TARBALL = "https://registry.npmjs.org/@vscode/proxy-agent/-/proxy-agent-0.27.0.tgz";
// Native modules the VS Code server side loads on Linux and macOS, relative to
// lib/vscode/node_modules (kerberos and the Windows-only ones are not needed).
const VSCODE_NATIVE_MODULES = ["@vscode/spdlog", "node-pty", "native-watchdog", "@vscode/deviceid"];
// Bump when the steps below change, so existing caches are rebuilt.
const SETUP_REVISION = 1;

export function defaultCacheDir() {
  const base =
    process.env.XDG_CACHE_HOME ||
    (process.platform === "darwin"
      ? path.join(os.homedir(), "Library", "Caches")
      : path.join(os.homedir(), ".cache"));
  return path.join(base, "prefect-lsp-e2e");
}

function log(msg) {
  process.stderr.write(`e2e setup: ${msg}\n`);
}

function run(cmd, args, cwd) {
  log(`${path.basename(cmd)} ${args.join(" ")}  (in ${cwd})`);
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"], env: process.env });
}

function npm() {
  return process.platform === "win32" ? "npm.cmd" : "npm";
}

function nodeGyp() {
  // npm ships node-gyp; use that copy rather than fetching one with npx.
  const npmRoot = execFileSync(npm(), ["root", "-g"], { encoding: "utf8" }).trim();
  const candidates = [
    path.join(npmRoot, "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    path.join(path.dirname(process.execPath), "..", "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new Error(`node-gyp not found (looked at ${candidates.join(", ")})`);
  }
  return found;
}

/** The folder holding include/node/node_api.h for the running node. */
function nodeDir() {
  const prefix = path.resolve(path.dirname(process.execPath), "..");
  if (fs.existsSync(path.join(prefix, "include", "node", "node_api.h"))) {
    return prefix;
  }
  throw new Error(
    `Node headers not found under ${prefix}/include/node (install the nodejs headers, e.g. Debian's libnode-dev)`,
  );
}

function buildNative(dir, extraArgs = []) {
  run(process.execPath, [nodeGyp(), "rebuild", `--nodedir=${nodeDir()}`, "-j", "2", ...extraArgs], dir);
}

export function ensureTools(cacheDir = defaultCacheDir()) {
  const root = path.join(cacheDir, `code-server-${CODE_SERVER_VERSION}-pw-${PLAYWRIGHT_CORE_VERSION}`);
  const stamp = path.join(root, `.ready-${SETUP_REVISION}`);
  const codeServer = path.join(root, "node_modules", "code-server");
  const result = {
    root,
    codeServerEntry: path.join(codeServer, "out", "node", "entry.js"),
    requireFromTools: createRequire(path.join(root, "package.json")),
  };
  if (fs.existsSync(stamp)) {
    return result;
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major !== 20) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} needs node 20; this is node ${process.versions.node}`);
  }
  log(`installing into ${root} (once; later runs reuse it)`);
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(
    path.join(root, "package.json"),
    JSON.stringify({ name: "prefect-lsp-e2e-tools", private: true }, null, 2),
  );
  const quiet = ["--no-audit", "--no-fund", "--ignore-scripts"];
  run(npm(), ["install", ...quiet, `code-server@${CODE_SERVER_VERSION}`, `playwright-core@${PLAYWRIGHT_CORE_VERSION}`], root);

  // code-server's own native dependency: argon2 (password hashing; loaded at startup).
  buildNative(path.join(root, "node_modules", "argon2"), [
    "--napi_build_version=3",
    "--module_name=argon2",
    `--module_path=${path.join(root, "node_modules", "argon2", "lib", "binding", "napi-v3")}`,
  ]);

  const vscodeDir = path.join(codeServer, "lib", "vscode");
  const shrinkwrap = path.join(vscodeDir, "npm-shrinkwrap.json");
  const text = fs.readFileSync(shrinkwrap, "utf8");
  fs.writeFileSync(shrinkwrap, text.split(PROXY_AGENT_GIT).join(PROXY_AGENT_TARBALL));
  run(npm(), ["install", ...quiet, "--omit=dev"], vscodeDir);
  for (const m of VSCODE_NATIVE_MODULES) {
    buildNative(path.join(vscodeDir, "node_modules", m));
  }
  const asar = path.join(vscodeDir, "node_modules.asar");
  fs.rmSync(asar, { recursive: true, force: true });
  fs.symlinkSync("node_modules", asar);
  linkRipgrep(path.join(vscodeDir, "node_modules", "@vscode", "ripgrep", "bin"));

  fs.writeFileSync(stamp, new Date().toISOString() + "\n");
  log("ready");
  return result;
}

/** VS Code's search runs @vscode/ripgrep's bin/rg; use the rg on PATH when there is one. */
function linkRipgrep(binDir) {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const rg = path.join(dir, "rg");
    if (dir && fs.existsSync(rg)) {
      fs.mkdirSync(binDir, { recursive: true });
      fs.rmSync(path.join(binDir, "rg"), { force: true });
      fs.symlinkSync(rg, path.join(binDir, "rg"));
      return;
    }
  }
  log("no rg on PATH: VS Code's text search will not work (the test does not use it)");
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tools = ensureTools(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
  process.stdout.write(tools.root + "\n");
}
