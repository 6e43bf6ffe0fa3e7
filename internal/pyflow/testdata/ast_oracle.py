"""Oracle for pyflow's differential test.

Reads file paths (one per line) on stdin and prints one JSON object per line:
{"path", "ok", "error", "functions": [...]}. For each def at module or class
level (also inside if/try/with/for/while/match blocks at those levels, never
inside functions) it reports what the Go scanner must reproduce, with source
text taken from ast.get_source_segment.
"""
import ast
import io
import json
import os
import sys
import re
import tokenize

LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def read_source(path):
    with open(path, "rb") as f:
        data = f.read()
    enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(enc), enc


class Segments:
    """ast.get_source_segment with the line split done once per file."""

    def __init__(self, src):
        # Same split as ast._splitlines_no_ff: only \r\n, \r and \n end lines.
        self.lines = [m.encode("utf-8", "surrogatepass") for m in LINE_RE.findall(src)]

    def __call__(self, node):
        if node is None:
            return None
        try:
            lineno = node.lineno - 1
            end_lineno = node.end_lineno - 1
            col, end_col = node.col_offset, node.end_col_offset
        except AttributeError:
            return None
        if end_lineno is None or end_col is None:
            return None
        lines = self.lines
        if lineno == end_lineno:
            return lines[lineno][col:end_col].decode("utf-8", "surrogatepass")
        parts = [lines[lineno][col:]] + lines[lineno + 1:end_lineno] + [lines[end_lineno][:end_col]]
        return b"".join(parts).decode("utf-8", "surrogatepass")


def pos(node):
    return [node.lineno, node.col_offset, node.end_lineno, node.end_col_offset]


def params(src, args):
    out = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for i, a in enumerate(positional):
        kind = "positional-only" if i < len(args.posonlyargs) else "positional-or-keyword"
        out.append(param(src, a, kind, defaults[i]))
    if args.vararg:
        out.append(param(src, args.vararg, "var-positional", None))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        out.append(param(src, a, "keyword-only", d))
    if args.kwarg:
        out.append(param(src, args.kwarg, "var-keyword", None))
    return out


def param(src, a, kind, default):
    return {
        "name": a.arg,
        "kind": kind,
        "annotation": src(a.annotation),
        "default": src(default),
        "name_pos": [a.lineno, a.col_offset],
    }


BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")


def walk(src, stmts, prefix, cls, out):
    for node in stmts:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=False)
            out.append({
                "qualname": prefix + node.name,
                "name": node.name,
                "class": cls,
                "async": isinstance(node, ast.AsyncFunctionDef),
                "decorators": [src(d) for d in node.decorator_list],
                "params": params(src, node.args),
                "returns": src(node.returns),
                "docstring": doc,
                "pos": pos(node),
            })
        elif isinstance(node, ast.ClassDef):
            q = prefix + node.name
            walk(src, node.body, q + ".", q, out)
        else:
            # Source order: try body, handlers, else, finally; match cases.
            for field in BLOCK_FIELDS:
                for sub in getattr(node, field, None) or []:
                    if isinstance(sub, ast.stmt):
                        walk(src, [sub], prefix, cls, out)
                    elif isinstance(sub, (ast.excepthandler, ast.match_case)):
                        walk(src, sub.body, prefix, cls, out)


def scan(path):
    res = {"path": path, "ok": False}
    try:
        src, enc = read_source(path)
        res["encoding"] = enc
        tree = ast.parse(src, filename=path)
        out = []
        walk(Segments(src), tree.body, "", "", out)
        res["functions"] = out
        res["ok"] = True
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError) as e:
        res["error"] = "%s: %s" % (type(e).__name__, e)
    except RecursionError as e:
        res["error"] = "RecursionError: %s" % e
    return json.dumps(res)


def main():
    paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    if len(paths) > 100 and (os.cpu_count() or 1) > 1:
        import multiprocessing

        with multiprocessing.Pool() as pool:
            for line in pool.imap(scan, paths, chunksize=16):
                sys.stdout.write(line + "\n")
    else:
        for path in paths:
            sys.stdout.write(scan(path) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
