import assert from "node:assert/strict";
import { test } from "node:test";
import { binaryFileName, SUPPORTED_TARGETS, targetFor } from "../src/platform";

test("targetFor maps the six shipped platform/arch pairs", () => {
  assert.equal(targetFor("linux", "x64"), "linux-x64");
  assert.equal(targetFor("linux", "arm64"), "linux-arm64");
  assert.equal(targetFor("darwin", "x64"), "darwin-x64");
  assert.equal(targetFor("darwin", "arm64"), "darwin-arm64");
  assert.equal(targetFor("win32", "x64"), "win32-x64");
  assert.equal(targetFor("win32", "arm64"), "win32-arm64");
  assert.equal(SUPPORTED_TARGETS.length, 6);
});

test("targetFor returns undefined where no binary is shipped", () => {
  assert.equal(targetFor("linux", "ia32"), undefined);
  assert.equal(targetFor("freebsd", "x64"), undefined);
  assert.equal(targetFor("linux", "arm"), undefined);
});

test("binaryFileName adds .exe only on Windows", () => {
  assert.equal(binaryFileName("win32"), "prefect-lsp.exe");
  assert.equal(binaryFileName("linux"), "prefect-lsp");
  assert.equal(binaryFileName("darwin"), "prefect-lsp");
});
