import type { AccountState } from '@gatehouse/core';
import { IdSchema } from '@gatehouse/core';
import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import type { Names } from '../format.js';
import { esc, productName, teamName } from '../format.js';
import { ACTION, VIEW, actionId } from '../ids.js';
import { ruleSummary } from './catalog.js';
import { actions, button, context, section } from './common.js';
import type { RefusalFields, StateValues } from './form.js';
import { ReplyTo, channelInput, modal, pickedChannel, slug, textInput, textValue } from './form.js';
import type { RuleSettings } from './rules.js';
import { DEFAULT_RULE, RULE_FIELDS, findRule, readRuleForm, ruleInputs } from './rules.js';
import { own } from '../../rest/lookup.js';

/**
 * `/gatehouse setup`: a first run in one modal, step by step — approvals channel, first team,
 * first product, production environment, its deployment rule — ending with how CI creates the
 * first version and a button for CI's API key. Each step is one core call.
 */

export const SETUP_STEPS = ['channel', 'team', 'product', 'environment', 'rule', 'done'] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];

/** What the walk carries from step to step (private_metadata). */
export const SetupMeta = ReplyTo.extend({
  step: z.enum(SETUP_STEPS),
  teamId: z.string().nullable().default(null),
  productId: z.string().nullable().default(null),
  environmentId: z.string().nullable().default(null),
  /** Set once CI's key was made, so the last view stops offering the buttons. */
  keyId: z.string().nullable().default(null),
});
export type SetupMeta = z.infer<typeof SetupMeta>;

/** What one step's form gave: a channel, a name and id, or a rule. */
export type StepInput = { kind: 'channel'; channel: string } | { kind: 'named'; name: string; id: string } | { kind: 'rule'; rule: RuleSettings };

/** The CI key button's values. */
export const KEY_OWNER = { mine: 'mine', serviceAccount: 'service-account' } as const;

const TITLE = 'Set up Gatehouse';
const NUMBERED: Record<Exclude<SetupStep, 'done'>, string> = {
  channel: 'Step 1 of 5 · approvals channel',
  team: 'Step 2 of 5 · first team',
  product: 'Step 3 of 5 · first product',
  environment: 'Step 4 of 5 · production environment',
  rule: 'Step 5 of 5 · what production needs',
};

/** The name and id inputs of the team, product and environment steps. */
function namedInputs(nameLabel: string, initial: { name?: string; id?: string }, idHint: string): KnownBlock[] {
  return [
    textInput('name', nameLabel, { initial: initial.name ?? null }),
    textInput('id', 'Id', { initial: initial.id ?? null, optional: true, max: 64, hint: idHint }),
  ];
}

/** The step's own blocks (its inputs prefilled from `prefill` after a refusal). */
function stepBlocks(n: Names, meta: SetupMeta, prefill: StepInput | null): KnownBlock[] {
  const named = prefill?.kind === 'named' ? { name: prefill.name, id: prefill.id } : {};
  const team = meta.teamId ? esc(teamName(n, meta.teamId)) : '?';
  const product = meta.productId ? esc(productName(n, meta.productId)) : '?';
  switch (meta.step) {
    case 'channel': {
      const initial = prefill?.kind === 'channel' ? prefill.channel : (n.state.settings.defaultChannel ?? meta.channel);
      return [
        section('Five short steps take this workspace from nothing to its first approval: where approval messages go, a team, a product, its production environment and the approvals production needs. Each step is saved as you go.'),
        channelInput('channel', 'Approval messages go to', initial, { hint: 'Access requests go there too. For a private channel, invite the Gatehouse app to it first.' }),
      ];
    }
    case 'team':
      return [section('Teams own products, and roles can be granted per team: QA of one team approves only that team\'s versions.'), ...namedInputs('Team name', named, 'Used in commands; made from the name when empty.')];
    case 'product':
      return [section(`The product belongs to *${team}*: its versions are approved by people with roles there.`), ...namedInputs('Product name', named, 'CI names the product by this id; made from the name when empty.')];
    case 'environment':
      return [
        section('The environment versions are approved for. It is marked *production* and serves every product; add staging and others later with `environment create`.'),
        ...namedInputs('Environment name', { name: named.name ?? 'production', ...(named.id ? { id: named.id } : {}) }, 'CI names the environment by this id; made from the name when empty.'),
      ];
    case 'rule': {
      const rule = prefill?.kind === 'rule' ? prefill.rule : (meta.environmentId ? findRule(n.state, meta.environmentId, null) : null) ?? DEFAULT_RULE;
      return [section(`Which approvals does a version of *${product}* (and of any later product) need before it goes to *${esc(own(n.state.environments, meta.environmentId ?? '')?.name ?? '?')}*?`), ...ruleInputs(rule)];
    }
    case 'done':
      return doneBlocks(n, meta);
  }
}

/** The step of the walk (with a refusal on top when the last submission was refused). */
export function setupView(n: Names, meta: SetupMeta, opts: { refusal?: string; prefill?: StepInput | null } = {}): ModalView {
  const refusal = opts.refusal ? [section(opts.refusal)] : [];
  if (meta.step === 'done') return modal(VIEW.setup, TITLE, null, [...refusal, ...stepBlocks(n, meta, null)], meta, 'Done');
  const blocks = [context(`*${NUMBERED[meta.step]}*`), ...refusal, ...stepBlocks(n, meta, opts.prefill ?? null)];
  return modal(VIEW.setup, TITLE, meta.step === 'rule' ? 'Finish' : 'Next', blocks, meta);
}

/** Shown between a submission and the next step (a modal must answer within 3 s; the step is saved after). */
export function setupSavingView(meta: SetupMeta): ModalView {
  return modal(VIEW.setup, TITLE, null, [section(':hourglass_flowing_sand: Saving…')], meta, 'Close');
}

/**
 * The two calls CI makes, as shell lines: create the version, then ask for approval for the
 * environment (`GATEHOUSE_URL` and `GATEHOUSE_KEY` come from CI's settings and secrets).
 */
export function ciCommands(productId: string, environmentId: string): string {
  const json = (o: unknown) => `'${JSON.stringify(o)}'`;
  const headers = ['  -H "Authorization: Bearer $GATEHOUSE_KEY" \\', '  -H "Content-Type: application/json" \\'];
  return [
    'VERSION_ID=$(curl -sf -X POST "$GATEHOUSE_URL/api/v1/versions" \\',
    ...headers,
    `  -d ${json({ productId, version: '1.0.0' })} | jq -r .version.id)`,
    'curl -sf -X POST "$GATEHOUSE_URL/api/v1/versions/$VERSION_ID/approval-requests" \\',
    ...headers,
    `  -d ${json({ environmentId })}`,
  ].join('\n');
}

/** What CI's key is for, once made: its name and owner (the secret is never part of a view but when it could not be sent). */
export interface CreatedCiKey {
  name: string;
  owner: string;
  /** Where the secret went, in words; or the secret itself when it could go nowhere else. */
  secretWhere: string;
  secret: string | null;
}

function doneBlocks(n: Names, meta: SetupMeta, key: CreatedCiKey | null = null): KnownBlock[] {
  const s: Readonly<AccountState> = n.state;
  const productId = meta.productId ?? '?';
  const environmentId = meta.environmentId ?? '?';
  const rule = meta.environmentId ? findRule(s, meta.environmentId, null) : null;
  const channel = s.settings.defaultChannel;
  const blocks: KnownBlock[] = [
    section(
      `:tada: *Gatehouse is set up.* Team *${esc(teamName(n, meta.teamId))}* owns *${esc(productName(n, productId))}*; a version going to *${esc(own(s.environments, environmentId)?.name ?? environmentId)}* needs ${rule ? ruleSummary(rule) : 'no approval'}. Approval messages go to ${channel ? `<#${channel}>` : 'no channel yet'}.`,
    ),
    section(`*How CI creates the first version* — two calls to the REST API with an API key:\n\`\`\`${esc(ciCommands(productId, environmentId))}\`\`\``),
    context('`GATEHOUSE_URL` is where this server is reachable; `GATEHOUSE_KEY` is the API key, kept in CI\'s secrets. The second call posts the approval message; the approvers click Approve there.'),
  ];
  if (key) {
    blocks.push(section(`:key: Created the API key *${esc(key.name)}*, owned by ${key.owner}. ${key.secretWhere}`));
    if (key.secret) blocks.push(section(`\`\`\`${key.secret}\`\`\``));
  } else if (!meta.keyId) {
    blocks.push(
      actions('ci_key', [
        button('Create a key for CI (mine)', actionId(ACTION.setupKey, KEY_OWNER.mine), KEY_OWNER.mine, 'primary'),
        button('Create a CI service account + key', actionId(ACTION.setupKey, KEY_OWNER.serviceAccount), KEY_OWNER.serviceAccount),
      ]),
      context('The secret is shown once, only to you. A key keeps the permissions its owner has when it is made; a service account holds Developer in the product\'s team, which lets it create versions and ask for approval.'),
    );
  }
  return blocks;
}

/** The last view once CI's key is made. */
export function setupDoneWithKeyView(n: Names, meta: SetupMeta, key: CreatedCiKey): ModalView {
  return modal(VIEW.setup, TITLE, null, doneBlocks(n, meta, key), meta, 'Done');
}

/** A name and an id (given, or made from the name) that IdSchema accepts. */
function readNamed(values: StateValues): { ok: true; input: StepInput } | { ok: false; errors: Record<string, string> } {
  const name = textValue(values, 'name');
  const id = textValue(values, 'id') || slug(name);
  if (!name) return { ok: false, errors: { name: 'Give it a name' } };
  if (!IdSchema.safeParse(id).success) return { ok: false, errors: { id: 'Use 1-64 letters, digits, - and _, starting with a letter or digit' } };
  return { ok: true, input: { kind: 'named', name, id } };
}

/** Reads a step's form; field errors (shown in the modal) when something is missing or malformed. */
export function readSetupStep(step: SetupStep, values: StateValues): { ok: true; input: StepInput } | { ok: false; errors: Record<string, string> } {
  switch (step) {
    case 'channel': {
      const channel = pickedChannel(values, 'channel');
      return channel ? { ok: true, input: { kind: 'channel', channel } } : { ok: false, errors: { channel: 'Pick the channel approval messages go to' } };
    }
    case 'team':
    case 'product':
    case 'environment':
      return readNamed(values);
    case 'rule': {
      const r = readRuleForm(values);
      return r.ok ? { ok: true, input: { kind: 'rule', rule: r.input } } : r;
    }
    case 'done':
      return { ok: false, errors: {} };
  }
}

/** Where the core's refusals of a step show in its form: a taken or refused id on the id, the rest on the step's first input. */
export function setupFields(step: SetupStep): RefusalFields {
  if (step === 'rule') return RULE_FIELDS;
  if (step === 'channel' || step === 'done') return { fallback: 'channel' };
  return { fallback: 'name', codes: { conflict: 'id' }, paths: { name: 'name', teamId: 'id', productId: 'id', environmentId: 'id' } };
}

/** An id the step would create that exists already, as a field error (checked before the ack, from memory). */
export function setupConflict(state: Readonly<AccountState>, step: SetupStep, input: StepInput): Record<string, string> | null {
  if (input.kind !== 'named') return null;
  const table = step === 'team' ? state.teams : step === 'product' ? state.products : step === 'environment' ? state.environments : {};
  const taken = Object.hasOwn(table, input.id);
  return taken ? { id: `There is ${step === 'environment' ? 'an' : 'a'} ${step} with the id ${input.id} already: pick another id` } : null;
}
