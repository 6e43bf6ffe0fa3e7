// Keeps prefect-lsp out of Pylance's way in Python files. The server only
// reports on deployment calls there (diagnostics, their code actions, a hover
// on the call's name, explain), and answers nothing else; but an empty or
// null answer is not always harmless in VS Code: a prepareRename that
// vscode-languageclient turns into "The element can't be renamed" aborts the
// rename Pylance would do, and completion requests on every "." cost time.
// So for Python documents the client does not ask the server for the
// prefect.yaml-only features at all. No `vscode` import.

/** Middleware keys whose first argument is the document, asked only for YAML documents. */
export const YAML_ONLY_FEATURES = [
  "provideCompletionItem",
  "provideDefinition",
  "provideReferences",
  "provideDocumentHighlights",
  "provideDocumentSymbols",
  "provideDocumentLinks",
  "prepareRename",
  "provideRenameEdits",
  "provideFoldingRanges",
  "provideInlayHints",
  "provideDocumentSemanticTokens",
  "provideDocumentSemanticTokensEdits",
  "provideDocumentRangeSemanticTokens",
] as const;

/** What the Python files get from the server: the deployment-call features. */
export const PYTHON_FEATURES = ["diagnostics", "provideHover", "provideCodeActions", "executeCommand"] as const;

interface DocumentLike {
  languageId: string;
}

type Forward = (...args: unknown[]) => unknown;

/**
 * Middleware functions (one per YAML_ONLY_FEATURES key) that answer
 * undefined for Python documents, so VS Code moves on to the Python
 * extension's providers, and pass every other document on to the server.
 */
export function yamlOnlyMiddleware(): Record<(typeof YAML_ONLY_FEATURES)[number], Forward> {
  const out = {} as Record<(typeof YAML_ONLY_FEATURES)[number], Forward>;
  for (const key of YAML_ONLY_FEATURES) {
    out[key] = (...args: unknown[]) => {
      const doc = args[0] as DocumentLike | undefined;
      if (doc?.languageId === "python") {
        return undefined;
      }
      const next = args[args.length - 1] as Forward;
      return next(...args.slice(0, -1));
    };
  }
  return out;
}
