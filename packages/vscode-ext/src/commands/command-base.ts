import * as vscode from 'vscode';
import type { FailureKind } from '../errors.js';
import type { GatehouseModel } from '../model.js';

/** The ids contributed in package.json. */
export const COMMANDS = {
  signIn: 'gatehouse.signIn',
  signOut: 'gatehouse.signOut',
  refresh: 'gatehouse.refresh',
  canI: 'gatehouse.canI',
  approve: 'gatehouse.approve',
  reject: 'gatehouse.reject',
  openInSlack: 'gatehouse.openInSlack',
} as const;
export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** What a command returns to a programmatic caller (tests, keybindings with args, other extensions). */
export type Outcome<T> = { ok: true; value: T } | { ok: false; cancelled: true } | { ok: false; cancelled: false; kind: FailureKind; message: string };

export const cancelled = { ok: false, cancelled: true } as const;

/** What the commands work with, given by `activate()`. */
export interface CommandContext {
  readonly model: GatehouseModel;
  readonly currentServerUrl: () => string;
  /** Lets `activate()` show a failure again when the user asks for a refresh (automatic refreshes announce a lasting failure only once). */
  readonly beforeManualRefresh: () => void;
}

/**
 * One command: constructing it registers `execute` under its id, disposing it unregisters it.
 * VS Code passes `execute` whatever the caller gave: arguments from code, or (node, selectedNodes) from a tree menu.
 */
export abstract class GatehouseCommand<T = unknown> implements vscode.Disposable {
  private readonly registration: vscode.Disposable;

  constructor(
    readonly id: CommandId,
    protected readonly context: CommandContext,
  ) {
    this.registration = vscode.commands.registerCommand(id, (...args: unknown[]) => this.execute(...args));
  }

  abstract execute(...args: unknown[]): Promise<Outcome<T>>;

  dispose(): void {
    this.registration.dispose();
  }
}
