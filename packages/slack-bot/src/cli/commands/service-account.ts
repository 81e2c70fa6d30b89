import { SYSTEM } from '@gatehouse/core';
import { didYouMean } from '../closest.js';
import { CliError, PROGRAM, defineCommand } from '../registry.js';
import { rolesText, userOf } from './format.js';

export const serviceAccountCreateCommand = defineCommand({
  name: 'service-account create',
  summary: 'create a service account (a CI pipeline, a bot) with roles; then "key --kind api_key" gives it a key',
  options: {
    id: { type: 'string', value: 'id', required: true, help: 'its user id, e.g. ci-payments' },
    name: { type: 'string', value: 'name', required: true, help: 'display name, e.g. "CI (payments)"' },
    role: { type: 'string', value: 'role[@team]', multiple: true, help: 'a role to grant: global (developer) or in a team (developer@payments)' },
  },
  async run({ values, config, account, out, note }) {
    const acct = await account();
    const accountId = config.GATEHOUSE_ACCOUNT_ID;
    // Every role and team is checked before anything changes: no half-made service account.
    const grants = values.role.map((spec) => {
      const at = spec.lastIndexOf('@');
      const roleId = at === -1 ? spec : spec.slice(0, at);
      const teamId = at === -1 ? null : spec.slice(at + 1);
      if (!acct.role(roleId)) {
        const roles = acct.listRoles().map((r) => r.id);
        throw new CliError(`role "${roleId}" does not exist in account ${accountId}${didYouMean(roleId, roles)} (roles: ${roles.join(', ')})`);
      }
      if (teamId !== null && !Object.hasOwn(acct.view.teams, teamId)) {
        const teams = Object.keys(acct.view.teams);
        throw new CliError(`team "${teamId}" does not exist in account ${accountId}${didYouMean(teamId, teams)} (teams: ${teams.join(', ')})`);
      }
      return { roleId, teamId };
    });
    const existing = userOf(acct, values.id);
    if (existing && !existing.serviceAccount) throw new CliError(`${values.id} is a person's user id in account ${accountId}, not a service account: choose another id`);
    await acct.addUser(SYSTEM, { userId: values.id, name: values.name, serviceAccount: true });
    for (const g of grants) await acct.assignRole(SYSTEM, { subject: { type: 'user', id: values.id }, roleId: g.roleId, teamId: g.teamId });
    out(`${existing ? 'Service account exists' : 'Created service account'} ${values.id} ("${values.name}") in account ${accountId}: ${rolesText(acct, values.id)}.`);
    note(`Its API key: ${PROGRAM} key --user ${values.id} --name <what for> --kind api_key`);
  },
});
