import * as vscode from 'vscode';

/**
 * The output channel. A LogOutputChannel follows the user's log level (Info by
 * default): one line at activation and errors show; per-lint timings are `debug`,
 * visible after "Developer: Set Log Level...".
 */
export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;
  /** MLOPS_HYGIENE_LOG_TO_CONSOLE=1 mirrors every line to the extension host log (debugging tests). */
  private readonly mirror = process.env.MLOPS_HYGIENE_LOG_TO_CONSOLE === '1';

  constructor() {
    this.channel = vscode.window.createOutputChannel('MLOps Hygiene', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
    if (this.mirror) console.log(`[MLOps Hygiene] ${message}`);
  }

  warn(message: string): void {
    this.channel.warn(message);
    // Also in the extension host log (and in test runs), where nobody opens the channel.
    console.warn(`[MLOps Hygiene] ${message}`);
  }

  debug(message: string): void {
    this.channel.debug(message);
    if (this.mirror) console.log(`[MLOps Hygiene] (debug) ${message}`);
  }

  error(message: string, e?: unknown): void {
    const text = e === undefined ? message : `${message}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
    this.channel.error(text);
    console.error(`[MLOps Hygiene] ${text}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
