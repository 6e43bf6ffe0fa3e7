// Which documents the language client hands to prefect-lsp, and which files
// it watches. Files named prefect.yaml / prefect.yml always qualify; the
// user's `prefect-lsp.files` globs add more. No `vscode` import.

export const PREFECT_FILE_GLOB = "**/prefect.{yaml,yml}";

export interface DocumentFilterLike {
  language: string;
  scheme: string;
  pattern: string;
}

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

/** Document selector: YAML documents that are prefect.yaml files or match a user glob. */
export function documentSelectorFor(userGlobs: readonly string[]): DocumentFilterLike[] {
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
  return selector;
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
