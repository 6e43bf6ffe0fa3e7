#!/usr/bin/env python3
"""A tiny stand-in LSP server used only by the plugin's own self-test (selftest.sh).

It lets the Neovim harness be tested before/without the Go server. It is not
prefect-lsp: it knows nothing about Prefect. Behaviour:
  initialize        -> hover, codeAction, executeCommand(prefect-lsp.explain), full sync
  initialized       -> asks workspace/configuration for section "prefect-lsp"
  didOpen/didChange -> one Error diagnostic (code "fake-rule") on each line containing "work_pol:"
  hover             -> markdown naming the position and the settings the client returned
  codeAction        -> one quickfix per diagnostic in the context, replacing "work_pol" with "work_pool"
  executeCommand    -> markdown for prefect-lsp.explain
Arguments: "serve" (ignored). Writes nothing but LSP frames to stdout.
"""
import json
import sys

stdin = sys.stdin.buffer
stdout = sys.stdout.buffer
settings = None
next_id = 1000
pending_config = None


def send(msg):
    msg["jsonrpc"] = "2.0"
    body = json.dumps(msg).encode()
    stdout.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stdout.flush()


def read():
    length = None
    while True:
        line = stdin.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        key, _, value = line.partition(b":")
        if key.lower() == b"content-length":
            length = int(value)
    return json.loads(stdin.read(length))


def diagnostics(uri, text):
    diags = []
    for i, line in enumerate(text.split("\n")):
        col = line.find("work_pol:")
        if col >= 0:
            diags.append({
                "range": {"start": {"line": i, "character": col}, "end": {"line": i, "character": col + 8}},
                "severity": 1,
                "code": "fake-rule",
                "source": "fake-prefect-lsp",
                "message": "unknown key work_pol",
                "data": {"replacement": "work_pool"},
            })
    send({"method": "textDocument/publishDiagnostics", "params": {"uri": uri, "diagnostics": diags}})


def main():
    global settings, next_id, pending_config
    while True:
        msg = read()
        if msg is None:
            return
        method = msg.get("method")
        if method is None:  # a response to our request
            if msg.get("id") == pending_config:
                settings = msg.get("result")
            continue
        if method == "initialize":
            send({"id": msg["id"], "result": {
                "capabilities": {
                    "textDocumentSync": 1,
                    "hoverProvider": True,
                    "codeActionProvider": True,
                    "executeCommandProvider": {"commands": ["prefect-lsp.explain"]},
                },
                "serverInfo": {"name": "fake-prefect-lsp", "version": "0.0.0"},
            }})
        elif method == "initialized":
            next_id += 1
            pending_config = next_id
            send({"id": next_id, "method": "workspace/configuration",
                  "params": {"items": [{"section": "prefect-lsp"}]}})
        elif method == "textDocument/didOpen":
            doc = msg["params"]["textDocument"]
            diagnostics(doc["uri"], doc["text"])
        elif method == "textDocument/didChange":
            diagnostics(msg["params"]["textDocument"]["uri"], msg["params"]["contentChanges"][-1]["text"])
        elif method == "textDocument/hover":
            pos = msg["params"]["position"]
            send({"id": msg["id"], "result": {"contents": {"kind": "markdown", "value":
                  "hover at %d:%d; settings=%s" % (pos["line"], pos["character"], json.dumps(settings, sort_keys=True))}}})
        elif method == "textDocument/codeAction":
            uri = msg["params"]["textDocument"]["uri"]
            actions = []
            for d in msg["params"]["context"]["diagnostics"]:
                actions.append({"title": "Replace with work_pool", "kind": "quickfix", "diagnostics": [d],
                                "edit": {"changes": {uri: [{"range": d["range"], "newText": "work_pool"}]}}})
            send({"id": msg["id"], "result": actions})
        elif method == "workspace/executeCommand":
            send({"id": msg["id"], "result": "# Deployments\n\n(fake explain)"})
        elif method == "shutdown":
            send({"id": msg["id"], "result": None})
        elif method == "exit":
            return
        elif "id" in msg:
            send({"id": msg["id"], "error": {"code": -32601, "message": "method not found: " + method}})


if __name__ == "__main__":
    main()
