import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import {
  documentSelectorFor,
  importsPrefect,
  normalizeGlob,
  PREFECT_FILE_GLOB,
  PYTHON_FILTER,
  watchedFileGlobs,
} from "../src/documents";

test("normalizeGlob anchors relative globs anywhere in the tree", () => {
  assert.equal(normalizeGlob("deploy/*.yaml"), "**/deploy/*.yaml");
  assert.equal(normalizeGlob("./deploy/*.yaml"), "**/deploy/*.yaml");
  assert.equal(normalizeGlob("**/x.yaml"), "**/x.yaml");
  assert.equal(normalizeGlob("/abs/x.yaml"), "/abs/x.yaml");
  assert.equal(normalizeGlob("deploy\\*.yaml"), "**/deploy/*.yaml");
  assert.equal(normalizeGlob("C:/p/x.yaml"), "C:/p/x.yaml");
  assert.equal(normalizeGlob("   "), undefined);
});

test("selector always covers prefect.yaml/yml as YAML files on disk", () => {
  assert.deepEqual(documentSelectorFor([]), [{ scheme: "file", language: "yaml", pattern: PREFECT_FILE_GLOB }]);
});

test("selector adds each user glob once, normalized", () => {
  const sel = documentSelectorFor(["deploy/*.yaml", "**/deploy/*.yaml", "", PREFECT_FILE_GLOB]);
  assert.deepEqual(
    sel.map((f) => f.pattern),
    [PREFECT_FILE_GLOB, "**/deploy/*.yaml"],
  );
  for (const f of sel) {
    assert.equal(f.language, "yaml");
    assert.equal(f.scheme, "file");
  }
});

test("with python, the selector adds Python files on disk (no pattern)", () => {
  const sel = documentSelectorFor(["deploy/*.yaml"], true);
  assert.deepEqual(sel[sel.length - 1], { scheme: "file", language: "python" });
  assert.deepEqual(PYTHON_FILTER, { scheme: "file", language: "python" });
  assert.equal(documentSelectorFor(["deploy/*.yaml"], false).some((f) => f.language === "python"), false);
});

test("importsPrefect recognises the import forms, not look-alikes", () => {
  for (const yes of [
    "from prefect import flow",
    "import prefect",
    "import prefect.deployments as d",
    "    from prefect.flows import Flow",
    "import os, prefect",
    "import os\r\nfrom prefect import flow\r\n",
    "from prefect.blocks.system import Secret",
  ]) {
    assert.equal(importsPrefect(yes), true, yes);
  }
  for (const no of [
    "",
    "import os",
    "import prefect_aws",
    "from prefect_aws import S3Bucket",
    "import os, prefectish",
    "# prefect deploy",
    "x = 'prefect'",
  ]) {
    assert.equal(importsPrefect(no), false, no);
  }
});

test("watched files: prefect.yaml and user globs, not what the server registers itself", () => {
  assert.deepEqual(watchedFileGlobs(["ci/*.yml", "**/ci/*.yml"]), [PREFECT_FILE_GLOB, "**/ci/*.yml"]);
});

// VS Code matches document filters with its own glob engine; Node's
// path.matchesGlob (minimatch-style, Node >= 20.17) agrees on these simple
// patterns, so it catches a wrong glob shape here without VS Code.
const matchesGlob = (path as unknown as { matchesGlob?: (p: string, g: string) => boolean }).matchesGlob;

test("selector patterns match the files they are meant to", { skip: !matchesGlob && "path.matchesGlob unavailable" }, () => {
  const m = matchesGlob!;
  assert.ok(m("/home/u/proj/prefect.yaml", PREFECT_FILE_GLOB));
  assert.ok(m("/home/u/proj/sub/prefect.yml", PREFECT_FILE_GLOB));
  assert.ok(!m("/home/u/proj/not-prefect.yaml", PREFECT_FILE_GLOB));
  assert.ok(!m("/home/u/proj/prefect.yaml.bak", PREFECT_FILE_GLOB));
  const user = normalizeGlob("deploy/*.yaml")!;
  assert.ok(m("/home/u/proj/deploy/prod.yaml", user));
  assert.ok(!m("/home/u/proj/deploy/nested/prod.yaml", user));
});
