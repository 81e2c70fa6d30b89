import type { Command } from '../registry.js';
import { bootstrapCommand } from './bootstrap.js';
import { configApplyCommand, configExportCommand, configPlanCommand } from './config.js';
import { demoCommand } from './demo.js';
import { keyCommand } from './key.js';
import { approvalRequestCommand, deployCommand, gateCommand, versionCreateCommand } from './pipeline.js';
import { serviceAccountCreateCommand } from './service-account.js';
import { usersAddCommand, usersReactivateCommand } from './users.js';

/** Every command of the CLI, in the order the usage lists them. A new command is added here. */
export const COMMANDS: readonly Command[] = [bootstrapCommand, usersAddCommand, usersReactivateCommand, serviceAccountCreateCommand, keyCommand, configExportCommand, configPlanCommand, configApplyCommand, versionCreateCommand, approvalRequestCommand, gateCommand, deployCommand, demoCommand];
