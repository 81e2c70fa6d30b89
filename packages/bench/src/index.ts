export { PARTS, renderReport, renderTable, runBench } from './bench.js';
export type { BenchReport, PartId } from './bench.js';
export type { BenchOptions, Table } from './harness.js';
export { PEERS } from './authz-part.js';
export type { AuthzResult, PeerId, PeerResult, SizeResult } from './authz-part.js';
