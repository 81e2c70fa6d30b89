#!/usr/bin/env node
// The same extension-host suite, in desktop VS Code via @vscode/test-electron (2.5.x runs on
// Node 20). For machines with a VS Code (VSCODE_EXECUTABLE_PATH) or internet access to download
// one; CI here uses code-server instead (test/host/vscode-host.test.ts) and never calls this.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runTests } from '@vscode/test-electron';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
// The demo server helper is compiled by `tsc -b` (npm test or npm run build from the root).
const { startDemoServer } = await import(pathToFileURL(join(pkg, 'dist', 'test', 'support', 'demo-server.js')).href);

const { SEEDED_AGO_MS } = await import(pathToFileURL(join(pkg, 'dist', 'test', 'support', 'host-fixture.js')).href);

// Seeded in the past, so the suite's follow-up test finds production versions overdue.
const demo = await startDemoServer({ seededAgoMs: SEEDED_AGO_MS });
const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-electron-'));
let code = 1;
try {
  await runTests({
    ...(process.env.VSCODE_EXECUTABLE_PATH ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH } : { version: process.env.VSCODE_VERSION ?? '1.95.3' }),
    extensionDevelopmentPath: pkg,
    extensionTestsPath: join(pkg, 'out', 'test', 'suite', 'index.cjs'),
    launchArgs: [join(scratch, 'workspace'), '--user-data-dir', join(scratch, 'user-data'), '--extensions-dir', join(scratch, 'extensions'), '--disable-workspace-trust', '--disable-extensions'],
    extensionTestsEnv: {
      GATEHOUSE_TEST_SERVER_URL: demo.url,
      GATEHOUSE_TEST_KEY_QA: demo.key('UQUINN'),
      GATEHOUSE_TEST_KEY_ADMIN: demo.key('UADA'),
      GATEHOUSE_TEST_KEY_SEC: demo.key('USEC'),
    },
  });
  code = 0;
} catch (err) {
  console.error(`✖ extension-host suite failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await demo.close();
  rmSync(scratch, { recursive: true, force: true });
}
process.exit(code);
