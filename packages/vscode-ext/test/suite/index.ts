/**
 * The extension-host test runner: the module `extensionTestsPath` points at, for code-server
 * (test/host/vscode-host.test.ts) and @vscode/test-electron (scripts/test-electron.mjs) alike.
 */
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import { SUITE_PREFIX } from './report.js';

export function run(): Promise<void> {
  // The host forwards the extension host's console to the test driver; a prefix tells the report from the workbench's own logging.
  Mocha.reporters.Base.consoleLog = (...data: unknown[]) => console.log(SUITE_PREFIX + format(...data));
  // The benchmark runs only the activation test (its metrics), through the host's environment.
  const grep = process.env['GATEHOUSE_SUITE_GREP'];
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 20_000, reporter: 'spec', ...(grep ? { grep } : {}) });
  mocha.addFile(join(__dirname, 'extension.suite.cjs'));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
