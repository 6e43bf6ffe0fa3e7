import assert from "node:assert/strict";
import { test } from "node:test";
import { statusPresentation } from "../src/status";

test("running shows version and binary source", () => {
  const s = statusPresentation("running", { serverVersion: "0.3.1", command: "/b/prefect-lsp", source: "bundled" });
  assert.equal(s.isError, false);
  assert.match(s.text, /Prefect/);
  assert.match(s.tooltip, /prefect-lsp 0\.3\.1 is running/);
  assert.match(s.tooltip, /\/b\/prefect-lsp \(bundled with the extension\)/);
});

test("failed is an error and carries the message", () => {
  const s = statusPresentation("failed", { message: "not found" });
  assert.equal(s.isError, true);
  assert.match(s.text, /\$\(error\)/);
  assert.match(s.tooltip, /not found/);
});

test("each phase has a distinct icon", () => {
  const texts = (["idle", "starting", "running", "stopped", "failed"] as const).map((p) => statusPresentation(p).text);
  assert.equal(new Set(texts).size, texts.length);
});
