// A thin client for `mlflow-lint server`: it starts the server and hands it the documents
// mlflow-lint reads. Everything else (the rules, configuration files, fixes, hover) is the
// server's, so this file has no logic of its own to keep in step with the CLI.
"use strict";

const os = require("os");
const vscode = require("vscode");
const { LanguageClient, RevealOutputChannelOn } = require("vscode-languageclient/node");

/** @type {LanguageClient | undefined} */
let client;

// What `mlflow-lint check` reads, by VS Code's language ids and, for files VS Code has no
// language for, by name. Notebook cells are synced as notebooks (the server lints a
// notebook's cells as one module).
const DOCUMENTS = [
  { scheme: "file", language: "python" },
  { scheme: "vscode-notebook-cell", language: "python" },
  { scheme: "file", language: "yaml" },
  { scheme: "file", language: "dockercompose" },
  { scheme: "file", language: "dockerfile" },
  { scheme: "file", language: "shellscript" },
  { scheme: "file", language: "dotenv" },
  { scheme: "file", language: "makefile" },
  { scheme: "file", pattern: "**/{.env,.env.*,*.env,env.example,env.sample,env.template}" },
  { scheme: "file", pattern: "**/MLproject" },
  { scheme: "file", pattern: "**/Procfile" },
];

function expand(value) {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? "";
  return value.replace(/\$\{workspaceFolder\}/g, folder).replace(/^~(?=$|\/)/, os.homedir());
}

async function start() {
  const settings = vscode.workspace.getConfiguration("mlflowLint");
  const [command, ...args] = settings.get("command", ["mlflow-lint", "server"]).map(expand);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  client = new LanguageClient(
    "mlflowLint",
    "mlflow-lint",
    { command, args, options: { cwd: folder } },
    {
      documentSelector: DOCUMENTS,
      initializationOptions: {
        debounceMs: settings.get("debounceMs", 250),
        lintOnChange: settings.get("lintOnChange", true),
      },
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    },
  );
  try {
    await client.start();
  } catch (error) {
    vscode.window.showErrorMessage(
      `mlflow-lint: the language server did not start (${error}). Is mlflow-lint[lsp] installed, and does mlflowLint.command name it?`,
    );
  }
}

async function restart() {
  if (client !== undefined) {
    await client.stop();
    client = undefined;
  }
  await start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("mlflowLint.restart", restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration("mlflowLint")) {
        restart();
      }
    }),
  );
  await start();
}

async function deactivate() {
  if (client !== undefined) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
