import assert from "node:assert/strict";
import { test } from "node:test";
import { PYTHON_FEATURES, YAML_ONLY_FEATURES, yamlOnlyMiddleware } from "../src/pythonScope";

test("YAML-only features are never asked for Python documents", () => {
  const mw = yamlOnlyMiddleware();
  assert.deepEqual(Object.keys(mw).sort(), [...YAML_ONLY_FEATURES].sort());
  for (const key of YAML_ONLY_FEATURES) {
    let called = false;
    const next = () => {
      called = true;
      return ["from the server"];
    };
    assert.equal(mw[key]({ languageId: "python" }, { line: 1, character: 2 }, {}, next), undefined, key);
    assert.equal(called, false, key);
  }
});

test("YAML documents reach the server with their arguments, minus next", () => {
  const mw = yamlOnlyMiddleware();
  const doc = { languageId: "yaml" };
  const pos = { line: 3, character: 4 };
  let got: unknown[] = [];
  const next = (...args: unknown[]) => {
    got = args;
    return "answer";
  };
  assert.equal(mw.provideRenameEdits(doc, pos, "new", "token", next), "answer");
  assert.deepEqual(got, [doc, pos, "new", "token"]);
  assert.equal(mw.provideDocumentSymbols(doc, "token", next), "answer");
  assert.deepEqual(got, [doc, "token"]);
});

test("Python keeps the deployment-call features", () => {
  for (const f of PYTHON_FEATURES) {
    assert.equal((YAML_ONLY_FEATURES as readonly string[]).includes(f), false, f);
  }
});
