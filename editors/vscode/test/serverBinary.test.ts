import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import {
  type BinaryLookup,
  ensureBundledExecutable,
  expandConfiguredPath,
  isExecutableFileOnDisk,
  resolveServerBinary,
} from "../src/serverBinary";

function lookup(files: string[], overrides: Partial<BinaryLookup> = {}): BinaryLookup {
  const existing = new Set(files);
  return {
    extensionPath: "/ext",
    platform: "linux",
    arch: "x64",
    envPath: "/usr/local/bin:/usr/bin",
    homeDir: "/home/u",
    workspaceFolders: ["/work/proj"],
    isExecutableFile: (p) => existing.has(p),
    ...overrides,
  };
}

test("bundled binary wins over PATH when no setting is given", () => {
  const r = resolveServerBinary(lookup(["/ext/bin/linux-x64/prefect-lsp", "/usr/bin/prefect-lsp"]));
  assert.deepEqual(r.ok && [r.command, r.source], ["/ext/bin/linux-x64/prefect-lsp", "bundled"]);
});

test("falls back to PATH in directory order when nothing is bundled", () => {
  const r = resolveServerBinary(lookup(["/usr/bin/prefect-lsp"]));
  assert.ok(r.ok);
  assert.equal(r.command, "/usr/bin/prefect-lsp");
  assert.equal(r.source, "path");
  assert.deepEqual(r.tried, [
    "/ext/bin/linux-x64/prefect-lsp",
    "/usr/local/bin/prefect-lsp",
    "/usr/bin/prefect-lsp",
  ]);
});

test("the prefect-lsp.path setting wins over the bundled binary", () => {
  const r = resolveServerBinary(
    lookup(["/ext/bin/linux-x64/prefect-lsp", "/opt/p/prefect-lsp"], { configuredPath: "/opt/p/prefect-lsp" }),
  );
  assert.ok(r.ok);
  assert.equal(r.command, "/opt/p/prefect-lsp");
  assert.equal(r.source, "setting");
});

test("a setting that points at nothing is an error, not a silent fallback", () => {
  const r = resolveServerBinary(
    lookup(["/ext/bin/linux-x64/prefect-lsp"], { configuredPath: "/nope/prefect-lsp" }),
  );
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.message : "", /\/nope\/prefect-lsp/);
});

test("setting: ~, ${workspaceFolder} and relative paths are expanded", () => {
  const home = resolveServerBinary(lookup(["/home/u/go/bin/prefect-lsp"], { configuredPath: "~/go/bin/prefect-lsp" }));
  assert.ok(home.ok && home.command === "/home/u/go/bin/prefect-lsp");
  const ws = resolveServerBinary(
    lookup(["/work/proj/bin/prefect-lsp"], { configuredPath: "${workspaceFolder}/bin/prefect-lsp" }),
  );
  assert.ok(ws.ok && ws.command === "/work/proj/bin/prefect-lsp");
  const rel = resolveServerBinary(lookup(["/work/proj/tools/prefect-lsp"], { configuredPath: "./tools/prefect-lsp" }));
  assert.ok(rel.ok && rel.command === "/work/proj/tools/prefect-lsp");
});

test("setting: a bare command name is looked up on PATH", () => {
  const r = resolveServerBinary(lookup(["/usr/local/bin/prefect-lsp-dev"], { configuredPath: "prefect-lsp-dev" }));
  assert.ok(r.ok);
  assert.equal(r.command, "/usr/local/bin/prefect-lsp-dev");
  assert.equal(r.source, "setting");
  const missing = resolveServerBinary(lookup([], { configuredPath: "prefect-lsp-dev" }));
  assert.equal(missing.ok, false);
});

test("windows: .exe names, backslash paths and ; PATH separator", () => {
  const r = resolveServerBinary(
    lookup(["C:\\tools\\prefect-lsp.exe"], {
      platform: "win32",
      arch: "arm64",
      extensionPath: "C:\\ext",
      envPath: 'C:\\Windows;"C:\\tools"',
    }),
  );
  assert.ok(r.ok);
  assert.equal(r.command, "C:\\tools\\prefect-lsp.exe");
  assert.equal(r.tried[0], "C:\\ext\\bin\\win32-arm64\\prefect-lsp.exe");
  const bundled = resolveServerBinary(
    lookup(["C:\\ext\\bin\\win32-x64\\prefect-lsp.exe"], { platform: "win32", extensionPath: "C:\\ext", envPath: "" }),
  );
  assert.ok(bundled.ok && bundled.source === "bundled");
});

test("unsupported platform skips the bundled lookup and says so when nothing is found", () => {
  const r = resolveServerBinary(lookup([], { platform: "freebsd", envPath: "" }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.match(r.message, /freebsd-x64/);
    assert.match(r.message, /prefect-lsp\.path/);
    assert.deepEqual(r.tried, []);
  }
});

test("expandConfiguredPath leaves plain absolute paths alone", () => {
  assert.equal(expandConfiguredPath(" /a/b ", "linux", "/home/u", ["/w"]), "/a/b");
  assert.equal(expandConfiguredPath("${userHome}/x", "linux", "/home/u"), "/home/u/x");
});

test("isExecutableFileOnDisk: executable file yes, plain file and directory no", { skip: process.platform === "win32" }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prefect-lsp-bin-"));
  try {
    const exe = path.join(dir, "exe");
    fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
    const plain = path.join(dir, "plain");
    fs.writeFileSync(plain, "x", { mode: 0o644 });
    assert.equal(isExecutableFileOnDisk(exe), true);
    assert.equal(isExecutableFileOnDisk(dir), false);
    assert.equal(isExecutableFileOnDisk(path.join(dir, "missing")), false);
    // Even root gets EACCES from access(X_OK) when no execute bit is set.
    assert.equal(isExecutableFileOnDisk(plain), false);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("ensureBundledExecutable restores a dropped execute bit", { skip: process.platform === "win32" }, () => {
  const ext = fs.mkdtempSync(path.join(os.tmpdir(), "prefect-lsp-ext-"));
  try {
    assert.equal(ensureBundledExecutable(ext, "linux", "x64"), false);
    const dir = path.join(ext, "bin", "linux-x64");
    fs.mkdirSync(dir, { recursive: true });
    const bin = path.join(dir, "prefect-lsp");
    fs.writeFileSync(bin, "#!/bin/sh\n", { mode: 0o644 });
    assert.equal(isExecutableFileOnDisk(bin), false);
    assert.equal(ensureBundledExecutable(ext, "linux", "x64"), true);
    assert.equal(isExecutableFileOnDisk(bin), true);
    assert.equal(ensureBundledExecutable(ext, "linux", "ia32"), false);
  } finally {
    fs.rmSync(ext, { recursive: true, force: true });
  }
});
