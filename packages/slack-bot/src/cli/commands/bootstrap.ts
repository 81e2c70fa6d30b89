import { SYSTEM } from '@gatehouse/core';
import { ensureAdmins } from '../../bootstrap.js';
import { CliError, PROGRAM, UsageError, defineCommand } from '../registry.js';

export const bootstrapCommand = defineCommand({
  name: 'bootstrap',
  summary: 'make the named users Admins (creating the account when it does not exist) and print a personal token for each',
  options: {
    admin: { type: 'string', value: 'Slack user id', multiple: true, help: 'a user to make Admin (default: GATEHOUSE_BOOTSTRAP_ADMINS)' },
    name: { type: 'string', value: 'account name', help: 'name of the account when it is created (default: GATEHOUSE_ACCOUNT_NAME)' },
  },
  async run({ values, config, gatehouse, out, note }) {
    const userIds = values.admin.length > 0 ? values.admin : config.GATEHOUSE_BOOTSTRAP_ADMINS;
    if (userIds.length === 0) throw new UsageError('name the Admin(s): --admin <Slack user id> (or set GATEHOUSE_BOOTSTRAP_ADMINS)', bootstrapCommand);
    const accountId = config.GATEHOUSE_ACCOUNT_ID;
    const gh = await gatehouse();
    const r = await ensureAdmins(gh, accountId, { name: values.name ?? config.GATEHOUSE_ACCOUNT_NAME, userIds, allOrNothing: true });
    if (r.refused.length > 0) {
      const who = r.refused.map((x) => x.userId);
      throw new CliError(
        `refused: ${r.refused.map((x) => x.reason).join('; ')}. Bootstrap does not reactivate users and changed nothing: reactivate ${who.length > 1 ? 'them' : who[0]} first (${who.map((u) => `${PROGRAM} users reactivate --user ${u}`).join(', ')}) or name someone else.`,
      );
    }
    const account = r.account;
    if (r.created) out(`Created account ${accountId} ("${account.view.name}") with Admin(s) ${r.made.join(', ')}.`);
    else {
      if (values.name !== undefined && values.name !== account.view.name) note(`--name is ignored: account ${accountId} exists already (named "${account.view.name}").`);
      for (const u of r.made) out(`Made ${u} an Admin of the existing account ${accountId}.`);
      for (const u of r.already) out(`${u} was an Admin of account ${accountId} already.`);
    }
    out(`Admins of account ${accountId}: ${account.admins().join(', ')}.`);
    for (const userId of [...new Set(userIds)].filter((u) => r.made.includes(u) || r.already.includes(u))) {
      const { secret } = await gh.createKey(account, SYSTEM, { name: 'bootstrap token', kind: 'personal_token', ownerId: userId });
      out(`Personal token for ${userId} (shown once): ${secret}`);
    }
  },
});
