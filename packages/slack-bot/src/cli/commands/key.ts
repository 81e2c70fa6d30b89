import { SYSTEM } from '@gatehouse/core';
import { CliError, PROGRAM, defineCommand } from '../registry.js';
import { userOf } from './format.js';

export const keyCommand = defineCommand({
  name: 'key',
  summary: 'issue an API key or personal token for a user (operator access to the store, no Slack needed)',
  options: {
    user: { type: 'string', value: 'user id', required: true, help: 'whose key: a user or service account of the account' },
    name: { type: 'string', value: 'key name', required: true, help: 'what the key is for, e.g. ci' },
    kind: { type: 'string', choices: ['api_key', 'personal_token'], default: 'personal_token', help: "api_key keeps the user's permissions of now; personal_token follows their roles" },
  },
  async run({ values, config, gatehouse, account, out }) {
    const acct = await account();
    if (!userOf(acct, values.user)) {
      throw new CliError(
        `user ${values.user} does not exist in account ${config.GATEHOUSE_ACCOUNT_ID}: add them first with "${PROGRAM} users add --user ${values.user}" (a person) or "${PROGRAM} service-account create --id ${values.user} --name <name> --role <role>" (CI)`,
      );
    }
    const { secret, key } = await (await gatehouse()).createKey(acct, SYSTEM, { name: values.name, kind: values.kind, ownerId: values.user });
    out(`${values.kind} ${key.id} for ${values.user} (shown once): ${secret}`);
  },
});
