#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { Gatehouse, SYSTEM, isGatehouseError } from '@gatehouse/core';
import { loadConfig, readDotEnv } from './config.js';
import { seedDemo } from './demo.js';

const USAGE = `gatehouse <command> [options]   (store and account from the environment, see .env.example)

  demo                              seed the demo account ("growing SaaS company") and print keys to try
  bootstrap --admin U123 [--admin U456] [--name "Acme"]
                                    create the account with its first Admin(s) and print an Admin token
  key --user U123 --name NAME [--kind api_key|personal_token]
                                    issue a key for a user (operator access to the store, no Slack needed)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { admin: { type: 'string', multiple: true }, name: { type: 'string' }, user: { type: 'string' }, kind: { type: 'string' } },
    allowPositionals: false,
  });
  const config = loadConfig(process.env, readDotEnv());
  if (command !== 'demo' && command !== 'bootstrap' && command !== 'key') {
    process.stderr.write(USAGE);
    return command ? 2 : 0;
  }
  const gatehouse = await Gatehouse.open({ url: config.GATEHOUSE_STORE, watchMs: null });
  try {
    const accountId = config.GATEHOUSE_ACCOUNT_ID;
    if (command === 'demo') {
      const r = await seedDemo(gatehouse, accountId);
      console.log(`Demo account ${r.accountId} is ready (store: ${config.GATEHOUSE_STORE}).`);
      console.log(`Versions waiting for approval: ${r.pendingVersions.join(', ')}`);
      console.log('Keys (shown once):');
      for (const k of r.keys) console.log(`  ${k.name.padEnd(24)} ${k.kind.padEnd(15)} ${k.secret}`);
      console.log(`Try: curl -H "Authorization: Bearer ${r.keys[1]?.secret ?? '<key>'}" http://127.0.0.1:${config.PORT}/api/v1/me`);
      return 0;
    }
    if (command === 'bootstrap') {
      const admins = values.admin ?? config.GATEHOUSE_BOOTSTRAP_ADMINS;
      if (admins.length === 0) throw new Error('name the first Admin: gatehouse bootstrap --admin <Slack user id>');
      const account = await gatehouse.createAccount(accountId, { name: values.name ?? config.GATEHOUSE_ACCOUNT_NAME, admins: admins.map((userId) => ({ userId })) });
      const first = account.admins()[0];
      if (!first) throw new Error('the account has no active Admin');
      const { secret } = await gatehouse.createKey(account, SYSTEM, { name: 'bootstrap token', kind: 'personal_token', ownerId: first });
      console.log(`Account ${accountId} has Admin(s) ${account.admins().join(', ')}.`);
      console.log(`Personal token for ${first} (shown once): ${secret}`);
      return 0;
    }
    if (!values.user || !values.name) throw new Error('usage: gatehouse key --user <Slack user id> --name <name> [--kind api_key|personal_token]');
    const kind = values.kind === 'api_key' ? 'api_key' : 'personal_token';
    const account = await gatehouse.existingAccount(accountId);
    const { secret, key } = await gatehouse.createKey(account, SYSTEM, { name: values.name, kind, ownerId: values.user });
    console.log(`${kind} ${key.id} for ${values.user} (shown once): ${secret}`);
    return 0;
  } finally {
    await gatehouse.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(isGatehouseError(err) ? `refused (${err.code}): ${err.message}` : err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
