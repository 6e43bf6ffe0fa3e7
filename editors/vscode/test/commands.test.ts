import assert from "node:assert/strict";
import { test } from "node:test";
import {
  asExplainMarkdown,
  checkCliArgs,
  CLIENT_COMMANDS,
  EXPLAIN_SERVER_COMMAND,
  explainCliArgs,
  explainDocumentPath,
  explainRequestParams,
} from "../src/commands";

test("explain request follows the server contract", () => {
  assert.deepEqual(explainRequestParams("file:///p/prefect.yaml"), {
    command: "prefect-lsp.explain",
    arguments: [{ uri: "file:///p/prefect.yaml" }],
  });
});

test("client command ids never collide with server-advertised commands", () => {
  assert.ok(!Object.values(CLIENT_COMMANDS).includes(EXPLAIN_SERVER_COMMAND as never));
});

test("CLI argument lists", () => {
  assert.deepEqual(explainCliArgs("/p/prefect.yaml"), ["explain", "--format", "text", "/p/prefect.yaml"]);
  assert.deepEqual(checkCliArgs(), ["check", "--format", "github"]);
  assert.deepEqual(checkCliArgs(["a.yaml"]), ["check", "--format", "github", "a.yaml"]);
});

test("explain preview path names the source file", () => {
  assert.equal(explainDocumentPath("/p/x/prefect.yaml"), "/prefect.yaml — explained.md");
  assert.equal(explainDocumentPath("C:\\p\\prefect.yml"), "/prefect.yml — explained.md");
});

test("asExplainMarkdown accepts strings and MarkupContent, rejects the rest", () => {
  assert.equal(asExplainMarkdown("# Deployments"), "# Deployments");
  assert.equal(asExplainMarkdown({ kind: "markdown", value: "# D" }), "# D");
  assert.equal(asExplainMarkdown(null), undefined);
  assert.equal(asExplainMarkdown("  \n"), undefined);
  assert.equal(asExplainMarkdown(42), undefined);
});
