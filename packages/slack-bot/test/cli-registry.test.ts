import assert from 'node:assert/strict';
import { GatehouseError } from '@gatehouse/core';
import { closest, distance } from '../src/cli/closest.js';
import type { Command } from '../src/cli/registry.js';
import { CliError, defineCommand, runCli, usage } from '../src/cli/registry.js';
import { tempDir, using } from './support/run-node.js';

/** Commands of the kind that will be added later, to show the registry takes them as they are. */
function setup() {
  const ran: { name: string; values: unknown; args: readonly string[] }[] = [];
  const commands: Command[] = [
    defineCommand({
      name: 'gate',
      summary: 'may a version go to an environment?',
      options: { env: { type: 'string', value: 'environment', required: true, help: 'where to' } },
      args: [{ name: 'version' }],
      async run({ values, args, out, note }) {
        ran.push({ name: 'gate', values, args });
        note('checking…');
        out(`${args[0] ?? ''} → ${values.env}: ready`);
        return Promise.resolve(3);
      },
    }),
    defineCommand({
      name: 'config export',
      summary: 'print the configuration',
      options: { format: { type: 'string', choices: ['yaml', 'json'], default: 'yaml', help: 'output format' } },
      async run({ values, out }) {
        ran.push({ name: 'config export', values, args: [] });
        out(`format=${values.format}`);
        return Promise.resolve();
      },
    }),
    defineCommand({
      name: 'config apply',
      summary: 'apply a configuration file',
      options: { 'dry-run': { type: 'boolean', help: 'only say what would change' }, only: { type: 'string', value: 'section', multiple: true, help: 'sections' } },
      args: [{ name: 'file' }],
      async run({ values, args }) {
        ran.push({ name: 'config apply', values, args });
        if (args[0] === 'refused.yaml') throw new GatehouseError('forbidden', 'UX lacks config:apply globally');
        if (args[0] === 'odd.yaml') throw new CliError('odd file', 4);
        return Promise.resolve();
      },
    }),
  ];
  const tmp = tempDir('gatehouse-registry-');
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, commands, { cwd: tmp.dir, env: { GATEHOUSE_STORE: 'memory' }, stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  };
  return { commands, ran, run, cleanup: tmp.cleanup };
}

const withRegistry = (body: (t: ReturnType<typeof setup>) => Promise<void> | void) => using(setup, body);

describe('CLI registry', () => {
  it('generates one usage text from the commands', withRegistry((t) => {
    assert.equal(
      usage(t.commands).split('\n').slice(3, 10).join('\n'),
      [
        'commands:',
        '  gate --env <environment> <version>',
        '      may a version go to an environment?',
        '  config export [--format yaml|json]',
        '      print the configuration',
        '  config apply [--dry-run] [--only <section>]… <file>',
        '      apply a configuration file',
      ].join('\n'),
    );
  }));

  it('runs a command with typed values, defaults and positionals; results on stdout, notes on stderr', withRegistry(async (t) => {
    assert.deepEqual(await t.run(['gate', 'v1.2', '--env', 'prod']), { code: 3, stdout: 'v1.2 → prod: ready\n', stderr: 'checking…\n' });
    assert.deepEqual(await t.run(['config', 'export']), { code: 0, stdout: 'format=yaml\n', stderr: '' });
    assert.deepEqual(await t.run(['config', 'apply', 'x.yaml', '--only', 'roles', '--only', 'teams']), { code: 0, stdout: '', stderr: '' });
    assert.deepEqual(t.ran, [
      { name: 'gate', values: { env: 'prod' }, args: ['v1.2'] },
      { name: 'config export', values: { format: 'yaml' }, args: [] },
      { name: 'config apply', values: { 'dry-run': false, only: ['roles', 'teams'] }, args: ['x.yaml'] },
    ]);
  }));

  it('refuses command line mistakes with exit 2 before running anything', withRegistry(async (t) => {
    const cases: [string[], string][] = [
      [['config'], 'gatehouse: "config" needs one of: config export, config apply'],
      [['config', 'exprot'], 'gatehouse: unknown command "config exprot" — did you mean "config export"?'],
      [['confg', 'apply', 'x'], 'gatehouse: unknown command "confg apply" — did you mean "config apply"?'],
      [['gaet'], 'gatehouse: unknown command "gaet" — did you mean "gate"?'],
      [['--env', 'x'], 'gatehouse: the command comes first: gatehouse <command> [options] (got "--env")'],
      [['config', 'export', '--format', 'yml'], 'gatehouse config export: --format "yml" is not one of yaml, json — did you mean "yaml"?'],
      [['config', 'apply'], 'gatehouse config apply: missing <file>'],
      [['config', 'apply', 'a', 'b'], 'gatehouse config apply: unexpected argument "b"'],
      [['config', 'apply', 'a', '--dry-run=yes'], 'gatehouse config apply: --dry-run takes no value'],
      [['config', 'apply', 'a', '--dryrun'], 'gatehouse config apply: unknown option --dryrun — did you mean --dry-run?'],
      [['gate', 'v1'], 'gatehouse gate: missing --env <environment>'],
    ];
    for (const [argv, first] of cases) {
      const r = await t.run(argv);
      assert.equal(r.code, 2, argv.join(' '));
      assert.equal(r.stdout, '', argv.join(' '));
      assert.equal(r.stderr.split('\n')[0], first, argv.join(' '));
    }
    assert.deepEqual(t.ran, []);
  }));

  it('a domain refusal exits 1 with its code; a CliError with its own exit code', withRegistry(async (t) => {
    assert.deepEqual(await t.run(['config', 'apply', 'refused.yaml']), { code: 1, stdout: '', stderr: 'refused (forbidden): UX lacks config:apply globally\n' });
    assert.deepEqual(await t.run(['config', 'apply', 'odd.yaml']), { code: 4, stdout: '', stderr: 'odd file\n' });
  }));

  it('help is a result: stdout, exit 0', withRegistry(async (t) => {
    const one = await t.run(['config', 'apply', '--help']);
    assert.equal(one.code, 0);
    assert.equal(one.stderr, '');
    assert.equal(
      one.stdout,
      'usage: gatehouse config apply [--dry-run] [--only <section>]… <file>\n\napply a configuration file\n\noptions:\n  --dry-run         only say what would change\n  --only <section>  sections (may be repeated)\n',
    );
    assert.deepEqual(await t.run(['help', 'gate']), { code: 0, stdout: 'usage: gatehouse gate --env <environment> <version>\n\nmay a version go to an environment?\n\noptions:\n  --env <environment>  where to (required)\n', stderr: '' });
  }));
});

describe('CLI: closest', () => {
  it('suggests only what a typo or a prefix could have meant', () => {
    assert.equal(distance('kitten', 'sitting'), 3);
    assert.equal(distance('', 'abc'), 3);
    assert.equal(closest('boostrap', ['bootstrap', 'key', 'demo']), 'bootstrap');
    assert.equal(closest('apikey', ['api_key', 'personal_token']), 'api_key');
    assert.equal(closest('nmae', ['user', 'name', 'kind']), 'name');
    assert.equal(closest('boot', ['bootstrap', 'key']), 'bootstrap');
    assert.equal(closest('KEY', ['bootstrap', 'key']), 'key');
    assert.equal(closest('xyz', ['bootstrap', 'key', 'demo']), undefined);
    assert.equal(closest('ab', ['id']), undefined);
  });
});
