import { format } from 'node:util';

/** Lines of the extension-host suite start with this, so the driver can pick them out of the workbench log. */
export const SUITE_PREFIX = '[gatehouse-suite] ';

/** A measurement for the driver: `[gatehouse-suite] metric <name>=<value>`. */
export function metric(name: string, value: number): void {
  console.log(`${SUITE_PREFIX}metric ${name}=${value.toFixed(2)}`);
}

export function note(...data: unknown[]): void {
  console.log(SUITE_PREFIX + format(...data));
}
