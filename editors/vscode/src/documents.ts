// Which documents the language client hands to prefect-lsp, and which files
// it watches. Files named prefect.yaml / prefect.yml always qualify; the
// user's `prefect-lsp.files` globs add more; with `prefect-lsp.python.enabled`
// Python files do too (the server answers only in those that import prefect,
// and only on deployment calls). No `vscode` import.

export const PREFECT_FILE_GLOB = "**/prefect.{yaml,yml}";

export interface DocumentFilterLike {
  language: string;
  scheme: string;
  pattern?: string;
}

/** The filter for Python files on disk. */
export const PYTHON_FILTER: DocumentFilterLike = { scheme: "file", language: "python" };

/**
 * Makes a user glob usable as a VS Code document-filter pattern, which is
 * matched against the whole file path: a relative glob such as
 * `deploy/*.yaml` becomes `**\/deploy/*.yaml`. Returns undefined for blanks.
 */
export function normalizeGlob(glob: string): string | undefined {
  let g = glob.trim().replace(/\\/g, "/");
  if (g === "") {
    return undefined;
  }
  if (g.startsWith("./")) {
    g = g.slice(2);
  }
  if (g.startsWith("/") || g.startsWith("**/") || /^[A-Za-z]:\//.test(g)) {
    return g;
  }
  return `**/${g}`;
}

/**
 * Document selector: YAML documents that are prefect.yaml files or match a
 * user glob, plus Python files on disk when `python` is set.
 */
export function documentSelectorFor(userGlobs: readonly string[], python = false): DocumentFilterLike[] {
  const patterns = [PREFECT_FILE_GLOB];
  for (const g of userGlobs) {
    const n = normalizeGlob(g);
    if (n && !patterns.includes(n)) {
      patterns.push(n);
    }
  }
  const selector: DocumentFilterLike[] = [];
  for (const pattern of patterns) {
    selector.push({ scheme: "file", language: "yaml", pattern });
  }
  if (python) {
    selector.push({ ...PYTHON_FILTER });
  }
  return selector;
}

function isPrefectModule(name: string): boolean {
  return name === "prefect" || name.startsWith("prefect.");
}

/**
 * Whether Python source imports prefect (`import prefect`, `import os,
 * prefect.x as p`, `from prefect... import`), line by line as the Neovim
 * plugin does. It decides whether a Python file starts the server; the server
 * parses the file itself before it reports anything.
 */
export function importsPrefect(text: string): boolean {
  if (!text.includes("prefect")) {
    return false;
  }
  for (const line of text.split(/\r?\n|\r/)) {
    const from = /^\s*from\s+([\w.]+)\s+import\b/.exec(line);
    if (from && isPrefectModule(from[1])) {
      return true;
    }
    const imp = /^\s*import\s+(.+)$/.exec(line);
    if (imp) {
      for (const item of imp[1].split(",")) {
        const name = /^\s*([\w.]+)/.exec(item);
        if (name && isPrefectModule(name[1])) {
          return true;
        }
      }
    }
  }
  return false;
}

/**
 * Globs for files whose on-disk changes the client reports through
 * workspace/didChangeWatchedFiles. Only the prefect.yaml-like files: the
 * server registers its own watchers (Python files, pyproject.toml,
 * prefect-lsp.toml) dynamically, and watching those here too would report
 * every change twice.
 */
export function watchedFileGlobs(userGlobs: readonly string[]): string[] {
  const globs = [PREFECT_FILE_GLOB];
  for (const g of userGlobs) {
    const n = normalizeGlob(g);
    if (n && !globs.includes(n)) {
      globs.push(n);
    }
  }
  return globs;
}
