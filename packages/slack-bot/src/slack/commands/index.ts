import { helpMessage } from '../blocks/replies.js';
import { assign, holders, revoke, role, roles, whoami } from './access.js';
import { approvals, deploy, requestApproval } from './approvals.js';
import { delegate, delegations } from './delegate.js';
import { audit, review, verify } from './audit.js';
import { environment, environments } from './environments.js';
import { group, groups } from './groups.js';
import { keys } from './keys.js';
import { serviceAccount, user } from './people.js';
import { product, products } from './products.js';
import { release, releases } from './releases.js';
import { request, requests } from './requests.js';
import { rule, rules } from './rules.js';
import { settings } from './settings.js';
import { setup } from './setup.js';
import { team, teams } from './teams.js';
import type { Subcommand } from './types.js';

const help: Subcommand = (ctx) => Promise.resolve(helpMessage(ctx.cmd));

/** Every subcommand of the slash command, by the word that selects it. */
export const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  help,
  setup,
  whoami,
  me: whoami,
  roles,
  role,
  holders,
  assign,
  revoke,
  groups,
  group,
  keys,
  key: keys,
  teams,
  team,
  products,
  product,
  environments,
  environment,
  rules,
  rule,
  releases,
  release,
  settings,
  user,
  'service-account': serviceAccount,
  audit,
  review,
  verify,
  request,
  requests,
  approvals,
  'request-approval': requestApproval,
  deploy,
  delegate,
  delegations,
};
