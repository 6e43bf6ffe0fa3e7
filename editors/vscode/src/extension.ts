// VS Code entry point: starts prefect-lsp through vscode-languageclient for
// prefect.yaml files (and Python files that import prefect), forwards settings, and contributes commands, a status-bar
// item and a `prefect-lsp check` task. The decisions (which binary, which
// documents, which settings) live in vscode-free modules that are unit-tested;
// this file only wires them to the VS Code API and is not unit-tested.

import { execFile } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  type LanguageClientOptions,
  type Middleware,
  ResponseError,
  type ServerOptions,
  State,
} from "vscode-languageclient/node";
import {
  asExplainMarkdown,
  CHECK_PROBLEM_MATCHER,
  CHECK_TASK_TYPE,
  checkCliArgs,
  CLIENT_COMMANDS,
  EXPLAIN_SCHEME,
  explainCliArgs,
  explainDocumentPath,
  explainRequestParams,
} from "./commands";
import { documentSelectorFor, importsPrefect, watchedFileGlobs } from "./documents";
import {
  type BinaryResolution,
  ensureBundledExecutable,
  isExecutableFileOnDisk,
  resolveServerBinary,
} from "./serverBinary";
import {
  answerConfigurationItem,
  type ConfigReader,
  RESTART_KEYS,
  SETTINGS_SECTION,
  toServerSettings,
} from "./settings";
import { yamlOnlyMiddleware } from "./pythonScope";
import { type ServerPhase, statusPresentation } from "./status";

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  manager = new ServerManager(context);
  context.subscriptions.push(manager);
  await manager.activate();
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}

function readerFor(scope?: vscode.Uri): ConfigReader {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  return (key) => config.get(key);
}

function userGlobs(): string[] {
  return toServerSettings(readerFor()).settings.files;
}

function pythonEnabled(): boolean {
  return toServerSettings(readerFor()).settings.python.enabled;
}

/** Read-only documents holding explain output, shown through the markdown preview. */
class ExplainContentProvider implements vscode.TextDocumentContentProvider {
  private readonly contents = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, markdown: string): void {
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? "";
  }

  dispose(): void {
    this.changed.dispose();
  }
}

class ServerManager implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  private resolution: BinaryResolution | undefined;
  private phase: ServerPhase = "idle";
  private phaseMessage: string | undefined;
  private readonly output: vscode.OutputChannel;
  private readonly statusItem: vscode.StatusBarItem;
  private readonly explainDocs = new ExplainContentProvider();
  private readonly disposables: vscode.Disposable[] = [];
  /** Disposed with the current client (watchers, state listener). */
  private clientDisposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("Prefect LSP");
    this.statusItem = vscode.window.createStatusBarItem(
      "prefect-lsp.status",
      vscode.StatusBarAlignment.Right,
      100,
    );
    this.statusItem.name = "Prefect LSP";
    this.statusItem.command = CLIENT_COMMANDS.showOutput;
    this.disposables.push(this.output, this.statusItem, this.explainDocs);
  }

  async activate(): Promise<void> {
    const d = this.disposables;
    d.push(
      vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, this.explainDocs),
      vscode.commands.registerCommand(CLIENT_COMMANDS.restartServer, () => this.restart()),
      vscode.commands.registerCommand(CLIENT_COMMANDS.showOutput, () => this.output.show(true)),
      vscode.commands.registerCommand(CLIENT_COMMANDS.explainDeployment, (uri?: vscode.Uri) =>
        this.explain(uri),
      ),
      vscode.commands.registerCommand(CLIENT_COMMANDS.checkWorkspace, () => this.checkWorkspace()),
      vscode.tasks.registerTaskProvider(CHECK_TASK_TYPE, {
        provideTasks: () => this.checkTasks(),
        resolveTask: (task) => this.resolveCheckTask(task),
      }),
      vscode.workspace.onDidOpenTextDocument((doc) => {
        if (this.isPrefectDocument(doc)) {
          void this.ensureStarted();
        }
      }),
      // A Python file that gained its prefect import since it was opened.
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (!this.client && this.isPrefectDocument(doc)) {
          void this.ensureStarted();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatus()),
      vscode.workspace.onDidChangeConfiguration((e) => this.onConfigurationChanged(e)),
    );
    this.updateStatus();

    const hasOpenPrefectDoc = vscode.workspace.textDocuments.some((doc) =>
      this.isPrefectDocument(doc),
    );
    if (hasOpenPrefectDoc || (await this.workspaceHasPrefectFiles())) {
      await this.ensureStarted();
    }
  }

  /**
   * A document this extension serves: a prefect.yaml-like YAML file, or a
   * Python file on disk that imports prefect (when python.enabled is on).
   */
  private isPrefectDocument(doc: vscode.TextDocument): boolean {
    if (vscode.languages.match(documentSelectorFor(userGlobs()), doc) > 0) {
      return true;
    }
    return (
      doc.languageId === "python" &&
      doc.uri.scheme === "file" &&
      pythonEnabled() &&
      importsPrefect(doc.getText())
    );
  }

  private async workspaceHasPrefectFiles(): Promise<boolean> {
    if (!vscode.workspace.workspaceFolders?.length) {
      return false;
    }
    const found = await vscode.workspace.findFiles("**/prefect.{yaml,yml}", "**/node_modules/**", 1);
    return found.length > 0;
  }

  private resolveBinary(): BinaryResolution {
    ensureBundledExecutable(this.context.extensionPath, process.platform, process.arch);
    const resolution = resolveServerBinary({
      extensionPath: this.context.extensionPath,
      platform: process.platform,
      arch: process.arch,
      configuredPath: vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>("path"),
      workspaceFolders: vscode.workspace.workspaceFolders?.map((f) => f.uri.fsPath),
      homeDir: os.homedir(),
      envPath: process.env.PATH ?? process.env.Path,
      isExecutableFile: isExecutableFileOnDisk,
    });
    this.resolution = resolution;
    return resolution;
  }

  private setPhase(phase: ServerPhase, message?: string): void {
    this.phase = phase;
    this.phaseMessage = message;
    this.updateStatus();
  }

  private updateStatus(): void {
    const resolved = this.resolution?.ok ? this.resolution : undefined;
    const presentation = statusPresentation(this.phase, {
      command: resolved?.command,
      source: resolved?.source,
      serverVersion: this.client?.initializeResult?.serverInfo?.version,
      message: this.phaseMessage,
    });
    this.statusItem.text = presentation.text;
    this.statusItem.tooltip = presentation.tooltip;
    this.statusItem.backgroundColor = presentation.isError
      ? new vscode.ThemeColor("statusBarItem.errorBackground")
      : undefined;
    const editor = vscode.window.activeTextEditor;
    if (presentation.isError || (editor && this.isPrefectDocument(editor.document))) {
      this.statusItem.show();
    } else {
      this.statusItem.hide();
    }
  }

  ensureStarted(): Promise<void> {
    if (this.client) {
      return Promise.resolve();
    }
    if (!this.starting) {
      this.starting = this.start().finally(() => {
        this.starting = undefined;
      });
    }
    return this.starting;
  }

  private async start(): Promise<void> {
    const resolution = this.resolveBinary();
    if (!resolution.ok) {
      this.output.appendLine(`[client] ${resolution.message}`);
      this.output.appendLine(`[client] looked at: ${resolution.tried.join(", ") || "(nothing)"}`);
      this.setPhase("failed", resolution.message);
      void vscode.window
        .showErrorMessage(resolution.message, "Open Settings", "Show Output")
        .then((choice) => {
          if (choice === "Open Settings") {
            void vscode.commands.executeCommand(
              "workbench.action.openSettings",
              `${SETTINGS_SECTION}.path`,
            );
          } else if (choice === "Show Output") {
            this.output.show(true);
          }
        });
      return;
    }
    this.output.appendLine(`[client] starting ${resolution.command} serve (${resolution.source})`);

    const globs = userGlobs();
    const watchers = watchedFileGlobs(globs).map((g) => vscode.workspace.createFileSystemWatcher(g));
    this.clientDisposables.push(...watchers);
    const serverOptions: ServerOptions = {
      command: resolution.command,
      args: ["serve"],
      options: { env: process.env },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: documentSelectorFor(globs, pythonEnabled()),
      outputChannel: this.output,
      synchronize: { fileEvents: watchers },
      middleware: {
        // Forwarders with the library's own signatures, typed loosely.
        ...(yamlOnlyMiddleware() as unknown as Middleware),
        workspace: {
          configuration: async (params, token, next) => {
            const defaults = await next(params, token);
            if (defaults instanceof ResponseError || !Array.isArray(defaults)) {
              return defaults;
            }
            return params.items.map((item, i) =>
              answerConfigurationItem(
                item,
                defaults[i],
                readerFor(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined),
              ),
            );
          },
        },
      },
    };

    const client = new LanguageClient(SETTINGS_SECTION, "Prefect LSP", serverOptions, clientOptions);
    this.client = client;
    this.clientDisposables.push(
      client.onDidChangeState((e) => {
        if (e.newState === State.Running) {
          this.setPhase("running");
        } else if (e.newState === State.Starting) {
          this.setPhase("starting");
        } else if (this.phase !== "failed") {
          this.setPhase("stopped");
        }
      }),
    );
    this.setPhase("starting");
    try {
      await client.start();
      this.reportSettingsProblems();
    } catch (err) {
      const message = `prefect-lsp failed to start: ${err instanceof Error ? err.message : String(err)}`;
      this.output.appendLine(`[client] ${message}`);
      this.setPhase("failed", message);
    }
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(2000);
      } catch (err) {
        this.output.appendLine(`[client] stop: ${String(err)}`);
      }
      await client.dispose();
    }
    for (const d of this.clientDisposables) {
      d.dispose();
    }
    this.clientDisposables = [];
  }

  private async restart(): Promise<void> {
    this.output.appendLine("[client] restarting prefect-lsp");
    await this.stop();
    this.setPhase("idle");
    await this.ensureStarted();
  }

  private reportSettingsProblems(): void {
    for (const problem of toServerSettings(readerFor()).problems) {
      this.output.appendLine(
        `[client] ignoring setting ${SETTINGS_SECTION}.${problem.key}: ${problem.message}`,
      );
    }
  }

  private onConfigurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration(SETTINGS_SECTION)) {
      return;
    }
    const needsRestart = RESTART_KEYS.some((k) =>
      e.affectsConfiguration(`${SETTINGS_SECTION}.${k}`),
    );
    if (needsRestart) {
      if (this.client || this.phase === "failed") {
        void this.restart();
      }
      return;
    }
    this.reportSettingsProblems();
    const client = this.client;
    if (client?.isRunning()) {
      // Servers following the pull model re-request workspace/configuration on this notification.
      void client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SETTINGS_SECTION]: toServerSettings(readerFor()).settings },
      });
    }
  }

  private targetDocumentUri(uri?: vscode.Uri): vscode.Uri | undefined {
    if (uri instanceof vscode.Uri) {
      return uri;
    }
    return vscode.window.activeTextEditor?.document.uri;
  }

  private async explain(uri?: vscode.Uri): Promise<void> {
    const target = this.targetDocumentUri(uri);
    if (!target) {
      void vscode.window.showInformationMessage("Open a prefect.yaml file to explain its deployments.");
      return;
    }
    await this.ensureStarted();

    let markdown: string | undefined;
    const client = this.client;
    if (client?.isRunning()) {
      try {
        const result = await client.sendRequest(
          ExecuteCommandRequest.type,
          explainRequestParams(client.code2ProtocolConverter.asUri(target)),
        );
        markdown = asExplainMarkdown(result);
        if (markdown === undefined) {
          this.output.appendLine("[client] explain: the server returned no markdown; trying the CLI");
        }
      } catch (err) {
        this.output.appendLine(`[client] explain via server failed (${String(err)}); trying the CLI`);
      }
    }
    if (markdown === undefined && target.scheme === "file") {
      markdown = await this.explainWithCli(target.fsPath);
    }
    if (markdown === undefined) {
      void vscode.window.showErrorMessage(
        "prefect-lsp could not explain this file. See the Prefect LSP output for details.",
      );
      return;
    }

    const previewUri = vscode.Uri.from({
      scheme: EXPLAIN_SCHEME,
      path: explainDocumentPath(target.fsPath || target.path),
      query: target.toString(),
    });
    this.explainDocs.set(previewUri, markdown);
    try {
      await vscode.commands.executeCommand("markdown.showPreviewToSide", previewUri);
    } catch {
      // Markdown preview unavailable (built-in extension disabled): show the source instead.
      const doc = await vscode.workspace.openTextDocument(previewUri);
      await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    }
  }

  private explainWithCli(filePath: string): Promise<string | undefined> {
    const resolution = this.resolution ?? this.resolveBinary();
    if (!resolution.ok) {
      return Promise.resolve(undefined);
    }
    return new Promise((resolve) => {
      execFile(
        resolution.command,
        explainCliArgs(filePath),
        { cwd: path.dirname(filePath), timeout: 30_000, maxBuffer: 16 * 1024 * 1024 },
        (err, stdout, stderr) => {
          if (stderr) {
            this.output.appendLine(`[client] explain stderr: ${stderr.trimEnd()}`);
          }
          if (err) {
            this.output.appendLine(`[client] explain via CLI failed: ${err.message}`);
            resolve(undefined);
            return;
          }
          resolve(asExplainMarkdown(stdout));
        },
      );
    });
  }

  private checkTaskFor(folder: vscode.WorkspaceFolder, definition?: vscode.TaskDefinition): vscode.Task | undefined {
    const resolution = this.resolution?.ok ? this.resolution : this.resolveBinary();
    if (!resolution.ok) {
      return undefined;
    }
    const def = definition ?? { type: CHECK_TASK_TYPE, command: "check" };
    const paths = Array.isArray(def.paths) ? def.paths.filter((p: unknown) => typeof p === "string") : [];
    const task = new vscode.Task(
      def,
      folder,
      "check",
      "prefect-lsp",
      new vscode.ProcessExecution(resolution.command, checkCliArgs(paths), { cwd: folder.uri.fsPath }),
      [CHECK_PROBLEM_MATCHER],
    );
    task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
    return task;
  }

  private checkTasks(): vscode.Task[] {
    return (vscode.workspace.workspaceFolders ?? [])
      .map((folder) => this.checkTaskFor(folder))
      .filter((t): t is vscode.Task => t !== undefined);
  }

  private resolveCheckTask(task: vscode.Task): vscode.Task | undefined {
    const scope = task.scope;
    if (scope === undefined || typeof scope === "number") {
      const first = vscode.workspace.workspaceFolders?.[0];
      return first ? this.checkTaskFor(first, task.definition) : undefined;
    }
    return this.checkTaskFor(scope, task.definition);
  }

  private async checkWorkspace(): Promise<void> {
    const tasks = this.checkTasks();
    if (tasks.length === 0) {
      const reason =
        this.resolution && !this.resolution.ok
          ? this.resolution.message
          : "Open a folder to check its prefect.yaml files.";
      void vscode.window.showErrorMessage(reason);
      return;
    }
    for (const task of tasks) {
      await vscode.tasks.executeTask(task);
    }
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) {
      d.dispose();
    }
  }
}
