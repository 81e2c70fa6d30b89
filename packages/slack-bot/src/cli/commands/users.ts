import { SYSTEM } from '@gatehouse/core';
import { PROGRAM, defineCommand } from '../registry.js';
import { rolesText, userOf } from './format.js';

export const usersAddCommand = defineCommand({
  name: 'users add',
  summary: "add a user before they use Slack (they get the account's default role); a known user's name and email are updated",
  options: {
    user: { type: 'string', value: 'Slack user id', required: true, help: 'the Slack user id (U…)' },
    name: { type: 'string', value: 'name', help: 'display name' },
    email: { type: 'string', value: 'email', help: 'email address' },
  },
  async run({ values, config, account, out, note }) {
    const acct = await account();
    const before = userOf(acct, values.user);
    const user = await acct.addUser(SYSTEM, { userId: values.user, name: values.name ?? '', email: values.email ?? null });
    const who = `${user.id}${user.name ? ` (${user.name})` : ''}`;
    if (!before) out(`Added user ${who} to account ${config.GATEHOUSE_ACCOUNT_ID}: ${rolesText(acct, user.id)}.`);
    else out(`User ${who} exists in account ${config.GATEHOUSE_ACCOUNT_ID}${before.name !== user.name || before.email !== user.email ? ' (name/email updated)' : ''}: ${rolesText(acct, user.id)}.`);
    if (!user.active) note(`${user.id} is deactivated: "${PROGRAM} users reactivate --user ${user.id}" reactivates them.`);
    if (!before) note(`Roles are assigned by an Admin in Slack (/gatehouse), or: "${PROGRAM} key --user ${user.id} --name <name>" issues them a token.`);
  },
});

export const usersReactivateCommand = defineCommand({
  name: 'users reactivate',
  summary: 'reactivate a deactivated user: the roles they held count again',
  options: {
    user: { type: 'string', value: 'Slack user id', required: true, help: 'the user to reactivate' },
  },
  async run({ values, config, account, out }) {
    const acct = await account();
    const wasActive = userOf(acct, values.user)?.active === true;
    await acct.reactivateUser(SYSTEM, { userId: values.user });
    out(wasActive ? `${values.user} is active in account ${config.GATEHOUSE_ACCOUNT_ID} already.` : `Reactivated ${values.user} in account ${config.GATEHOUSE_ACCOUNT_ID}: ${rolesText(acct, values.user)}.`);
  },
});
