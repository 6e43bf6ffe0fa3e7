#!/usr/bin/env python3
"""Checks, against a real yaml-language-server, how the extension keeps it from
double-reporting prefect.yaml problems. Opt-in (not part of `npm test`): it needs
the yaml-language-server npm package.

  npm install --prefix /tmp/yls yaml-language-server
  python3 scripts/check-yamlls-coexistence.py /tmp/yls/node_modules/.bin/yaml-language-server

It serves a stand-in SchemaStore catalog on 127.0.0.1 that maps prefect.yaml to a
schema requiring `deployments` to be a list (as SchemaStore maps it to Prefect's
schema), opens `deployments: 5`, and checks:
  A  SchemaStore association alone      -> yaml-language-server reports the schema error
  B  + the association vscode-yaml makes from our `yamlValidation` contribution
     (json/schemaAssociations with the placeholder schema) -> no schema error
  C  + modeline `# yaml-language-server: $schema=none`      -> no schema error
  D  + `yaml.schemas` mapping prefect.yaml to the placeholder -> no schema error
  E  B's association does not touch other YAML files        -> other.yaml keeps its error
  F  YAML syntax errors are still reported by yaml-language-server under B
Exit status 0 when all hold. Prints one line per case and "N passed, N failed".
"""
import http.server
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PLACEHOLDER = "file://" + os.path.join(os.path.dirname(HERE), "schemas", "prefect-yaml-owned-by-prefect-lsp.json")
ASSOC = [{"fileMatch": ["/prefect.yaml", "/prefect.yml"], "uri": PLACEHOLDER}]  # as vscode-yaml sends it


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_catalog(root):
    handler = lambda *a, **k: QuietHandler(*a, directory=root, **k)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = httpd.server_address[1]
    with open(os.path.join(root, "prefect.schema.json"), "w") as f:
        json.dump({"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
                   "properties": {"deployments": {"type": "array"}}}, f)
    with open(os.path.join(root, "catalog.json"), "w") as f:
        json.dump({"version": 1, "schemas": [{"name": "prefect.yaml", "fileMatch": ["prefect.yaml", "prefect.yml"],
                                              "url": "http://127.0.0.1:%d/prefect.schema.json" % port}]}, f)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, "http://127.0.0.1:%d/catalog.json" % port


def diagnostics(yls, path, text, yaml_settings, associations=None, timeout=25):
    with open(path, "w") as f:
        f.write(text)
    proc = subprocess.Popen([yls, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    inbox = queue.Queue()

    def reader():
        while True:
            length = None
            while True:
                line = proc.stdout.readline()
                if not line:
                    return
                line = line.strip()
                if not line:
                    break
                key, _, value = line.partition(b":")
                if key.lower() == b"content-length":
                    length = int(value)
            inbox.put(json.loads(proc.stdout.read(length)))

    threading.Thread(target=reader, daemon=True).start()

    def send(msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode()
        proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        proc.stdin.flush()

    uri = "file://" + path
    send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": "file://" + os.path.dirname(path),
          "capabilities": {"workspace": {"configuration": True}}}})
    found, opened, last = None, False, None
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            try:
                msg = inbox.get(timeout=0.5)
            except queue.Empty:
                if opened and last and time.time() - last > 4:  # quiet for 4 s after the last publish
                    break
                continue
            if msg.get("id") == 1 and "result" in msg:
                send({"method": "initialized", "params": {}})
                send({"method": "workspace/didChangeConfiguration", "params": {"settings": {"yaml": yaml_settings}}})
                if associations is not None:
                    send({"method": "json/schemaAssociations", "params": [associations]})
                time.sleep(1.5)  # let the catalog download finish
                send({"method": "textDocument/didOpen", "params": {"textDocument": {
                    "uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
                opened, last = True, time.time()
            elif msg.get("method") == "workspace/configuration":
                send({"id": msg["id"], "result": [yaml_settings if it.get("section") == "yaml" else None
                                                   for it in msg["params"]["items"]]})
            elif "id" in msg and "method" in msg:
                send({"id": msg["id"], "result": None})
            elif msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri:
                found, last = [d["message"] for d in msg["params"]["diagnostics"]], time.time()
    finally:
        proc.kill()
    return found or []


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    yls = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        httpd, catalog = serve_catalog(tmp)
        ws = os.path.join(tmp, "ws")
        os.makedirs(ws)
        prefect, other = os.path.join(ws, "prefect.yaml"), os.path.join(ws, "other.yaml")
        store = {"validate": True, "schemaStore": {"enable": True, "url": catalog}}
        bad = "deployments: 5\n"
        schema_error = lambda ds: any("Expected \"array\"" in d for d in ds)  # noqa: E731
        cases = [
            ("A SchemaStore alone reports the schema error", lambda: schema_error(diagnostics(yls, prefect, bad, store))),
            ("B yamlValidation placeholder silences it", lambda: not schema_error(diagnostics(yls, prefect, bad, store, ASSOC))),
            ("C $schema=none modeline silences it", lambda: not schema_error(
                diagnostics(yls, prefect, "# yaml-language-server: $schema=none\n" + bad, store))),
            ("D yaml.schemas placeholder silences it", lambda: not schema_error(
                diagnostics(yls, prefect, bad, dict(store, schemas={PLACEHOLDER: ["prefect.yaml", "prefect.yml"]})))),
            ("E other YAML files keep their schemas", lambda: schema_error(diagnostics(
                yls, other, bad, dict(store, schemas={catalog.replace("catalog.json", "prefect.schema.json"): ["other.yaml"]}), ASSOC))),
            ("F syntax errors are still reported", lambda: len(diagnostics(yls, prefect, "deployments: [\n", store, ASSOC)) > 0),
        ]
        passed = failed = 0
        for name, check in cases:
            if check():
                passed += 1
                print("ok   " + name)
            else:
                failed += 1
                print("FAIL " + name)
        httpd.shutdown()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
