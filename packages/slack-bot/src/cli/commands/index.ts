import type { Command } from '../registry.js';
import { bootstrapCommand } from './bootstrap.js';
import { demoCommand } from './demo.js';
import { keyCommand } from './key.js';

/** Every command of the CLI, in the order the usage lists them. A new command is added here. */
export const COMMANDS: readonly Command[] = [bootstrapCommand, keyCommand, demoCommand];
