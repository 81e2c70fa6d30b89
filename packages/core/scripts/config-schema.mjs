#!/usr/bin/env node
// Writes schema/config.schema.json from the zod schema (the source of truth). A test fails when
// the committed file is stale: run `npm run -w @gatehouse/core config-schema` after changing it.
import { writeFileSync } from 'node:fs';
import { configJsonSchema } from '../dist/src/index.js';

const out = new URL('../schema/config.schema.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${out.pathname}\n`);
