import { seedDemo } from '../../demo.js';
import { defineCommand } from '../registry.js';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'seed the demo account ("growing SaaS company") and print keys to try',
  options: {},
  async run({ config, gatehouse, out }) {
    const r = await seedDemo(await gatehouse(), config.GATEHOUSE_ACCOUNT_ID);
    out(`Demo account ${r.accountId} is ready (store: ${config.GATEHOUSE_STORE}).`);
    out(`Versions waiting for approval: ${r.pendingVersions.join(', ')}`);
    out('Keys (shown once):');
    for (const k of r.keys) out(`  ${k.name.padEnd(24)} ${k.kind.padEnd(15)} ${k.secret}`);
    out(`Try: curl -H "Authorization: Bearer ${r.keys[1]?.secret ?? '<key>'}" http://127.0.0.1:${config.PORT}/api/v1/me`);
  },
});
