/**
 * What Slack would refuse in Block Kit: the documented limits, checked by the fake Web API so a
 * message or modal Slack would reject fails the test instead of passing silently.
 * (https://docs.slack.dev/reference/block-kit — blocks, elements, composition objects.)
 */

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Surface {
  kind: 'message' | 'modal' | 'home';
}

class Checker {
  readonly problems: string[] = [];
  readonly actionIds = new Map<string, string>();
  readonly blockIds = new Set<string>();

  constructor(private readonly surface: Surface['kind']) {}

  fail(path: string, msg: string): void {
    this.problems.push(`${path}: ${msg}`);
  }

  text(path: string, t: unknown, max: number, kinds: readonly string[] = ['plain_text', 'mrkdwn']): void {
    if (!isObj(t)) return this.fail(path, 'must be a text object');
    if (typeof t['type'] !== 'string' || !kinds.includes(t['type'])) return this.fail(path, `text type must be one of ${kinds.join('/')}`);
    if (typeof t['text'] !== 'string' || t['text'].length === 0) return this.fail(path, 'text must not be empty');
    if (t['text'].length > max) this.fail(path, `text is ${t['text'].length} characters, max ${max}`);
  }

  option(path: string, o: unknown, textKinds: readonly string[]): string | null {
    if (!isObj(o)) {
      this.fail(path, 'must be an option object');
      return null;
    }
    this.text(`${path}.text`, o['text'], 75, textKinds);
    if (typeof o['value'] !== 'string' || o['value'].length === 0 || o['value'].length > 150) this.fail(`${path}.value`, 'value must be 1-150 characters');
    return JSON.stringify(o);
  }

  options(path: string, el: Json, max: number, textKinds: readonly string[]): void {
    const opts = el['options'];
    if (!Array.isArray(opts) || opts.length === 0) return this.fail(`${path}.options`, 'needs at least one option');
    if (opts.length > max) this.fail(`${path}.options`, `${opts.length} options, max ${max}`);
    const all = new Set(opts.map((o, i) => this.option(`${path}.options[${i}]`, o, textKinds)));
    const initial = el['initial_options'] ?? (el['initial_option'] === undefined ? [] : [el['initial_option']]);
    if (!Array.isArray(initial)) return this.fail(`${path}.initial_options`, 'must be an array');
    for (const o of initial) if (!all.has(JSON.stringify(o))) this.fail(`${path}.initial_option`, 'must be exactly one of the options');
  }

  actionId(path: string, el: Json, blockPath: string): void {
    const id = el['action_id'];
    if (id === undefined) return;
    if (typeof id !== 'string' || id.length === 0 || id.length > 255) return this.fail(`${path}.action_id`, 'must be 1-255 characters');
    // Slack requires uniqueness in the block; messages here must be unique in the whole message.
    const key = this.surface === 'message' ? id : `${blockPath}/${id}`;
    if (this.actionIds.has(key)) this.fail(`${path}.action_id`, `duplicate action_id '${id}' (also at ${this.actionIds.get(key) ?? '?'})`);
    this.actionIds.set(key, path);
  }

  element(path: string, el: unknown, blockPath: string, where: 'actions' | 'input' | 'accessory'): void {
    if (!isObj(el)) return this.fail(path, 'must be an element object');
    this.actionId(path, el, blockPath);
    switch (el['type']) {
      case 'button':
        this.text(`${path}.text`, el['text'], 75, ['plain_text']);
        if (el['value'] !== undefined && (typeof el['value'] !== 'string' || el['value'].length > 2000)) this.fail(`${path}.value`, 'max 2000 characters');
        if (el['style'] !== undefined && el['style'] !== 'primary' && el['style'] !== 'danger') this.fail(`${path}.style`, 'primary or danger');
        if (where === 'input') this.fail(path, 'buttons cannot be inside an input block');
        return;
      case 'checkboxes':
        return this.options(path, el, 10, ['plain_text', 'mrkdwn']);
      case 'radio_buttons':
        return this.options(path, el, 10, ['plain_text', 'mrkdwn']);
      case 'static_select':
        return this.options(path, el, 100, ['plain_text']);
      case 'external_select': {
        // Its options come from the app as the user types (block_suggestion); Slack waits for 3 characters by default.
        if (el['options'] !== undefined || el['option_groups'] !== undefined) this.fail(path, 'an external select loads its options: it has none of its own');
        const min = el['min_query_length'];
        if (min !== undefined && (typeof min !== 'number' || !Number.isInteger(min) || min < 0)) this.fail(`${path}.min_query_length`, 'a whole number, 0 or more');
        if (el['placeholder'] !== undefined) this.text(`${path}.placeholder`, el['placeholder'], 150, ['plain_text']);
        if (el['initial_option'] !== undefined) this.option(`${path}.initial_option`, el['initial_option'], ['plain_text']);
        return;
      }
      case 'users_select':
      case 'conversations_select':
      case 'channels_select':
      case 'datepicker':
      case 'timepicker':
      case 'datetimepicker':
        return;
      case 'plain_text_input': {
        if (where !== 'input') this.fail(path, 'plain_text_input belongs in an input block');
        const min = el['min_length'];
        const max = el['max_length'];
        if (typeof min === 'number' && (min < 0 || min > 3000)) this.fail(`${path}.min_length`, '0-3000');
        if (typeof max === 'number' && (max < 1 || max > 3000)) this.fail(`${path}.max_length`, '1-3000');
        if (typeof el['initial_value'] === 'string' && typeof max === 'number' && el['initial_value'].length > max) this.fail(`${path}.initial_value`, 'longer than max_length');
        return;
      }
      default:
        this.fail(path, `unknown element type '${String(el['type'])}'`);
    }
  }

  block(path: string, b: unknown): void {
    if (!isObj(b)) return this.fail(path, 'must be a block object');
    const id = b['block_id'];
    if (id !== undefined) {
      if (typeof id !== 'string' || id.length === 0 || id.length > 255) this.fail(`${path}.block_id`, 'must be 1-255 characters');
      else if (this.blockIds.has(id)) this.fail(`${path}.block_id`, `duplicate block_id '${id}'`);
      else this.blockIds.add(id);
    }
    switch (b['type']) {
      case 'section': {
        const fields = b['fields'];
        if (b['text'] === undefined && fields === undefined) return this.fail(path, 'a section needs text or fields');
        if (b['text'] !== undefined) this.text(`${path}.text`, b['text'], 3000);
        if (fields !== undefined) {
          if (!Array.isArray(fields) || fields.length === 0 || fields.length > 10) this.fail(`${path}.fields`, '1-10 fields');
          else fields.forEach((f, i) => this.text(`${path}.fields[${i}]`, f, 2000));
        }
        if (b['accessory'] !== undefined) this.element(`${path}.accessory`, b['accessory'], path, 'accessory');
        return;
      }
      case 'header':
        return this.text(`${path}.text`, b['text'], 150, ['plain_text']);
      case 'divider':
        return;
      case 'context': {
        const els = b['elements'];
        if (!Array.isArray(els) || els.length === 0 || els.length > 10) return this.fail(`${path}.elements`, '1-10 elements');
        els.forEach((e, i) => this.text(`${path}.elements[${i}]`, e, 3000));
        return;
      }
      case 'actions': {
        const els = b['elements'];
        if (!Array.isArray(els) || els.length === 0 || els.length > 25) return this.fail(`${path}.elements`, '1-25 elements');
        els.forEach((e, i) => this.element(`${path}.elements[${i}]`, e, path, 'actions'));
        return;
      }
      case 'input':
        if (this.surface !== 'modal') this.fail(path, 'input blocks belong in modals here');
        this.text(`${path}.label`, b['label'], 2000, ['plain_text']);
        if (b['hint'] !== undefined) this.text(`${path}.hint`, b['hint'], 2000, ['plain_text']);
        return this.element(`${path}.element`, b['element'], path, 'input');
      default:
        this.fail(path, `unknown block type '${String(b['type'])}'`);
    }
  }
}

/** Problems Slack would report for these blocks (empty when it would accept them). */
export function checkBlocks(blocks: unknown, surface: Surface['kind']): string[] {
  const c = new Checker(surface);
  if (!Array.isArray(blocks)) return ['blocks must be an array'];
  // A modal or a Home tab holds 100 blocks.
  const max = surface === 'message' ? 50 : 100;
  if (blocks.length > max) c.fail('blocks', `${blocks.length} blocks, max ${max} in a ${surface}`);
  blocks.forEach((b, i) => c.block(`blocks[${i}]`, b));
  return c.problems;
}

/** Problems Slack would report for a modal view. */
export function checkModal(view: unknown): string[] {
  if (!isObj(view)) return ['view must be an object'];
  const c = new Checker('modal');
  if (view['type'] !== 'modal') c.fail('view.type', 'must be modal');
  c.text('view.title', view['title'], 24, ['plain_text']);
  if (view['submit'] !== undefined) c.text('view.submit', view['submit'], 24, ['plain_text']);
  if (view['close'] !== undefined) c.text('view.close', view['close'], 24, ['plain_text']);
  const cb = view['callback_id'];
  if (cb !== undefined && (typeof cb !== 'string' || cb.length > 255)) c.fail('view.callback_id', 'max 255 characters');
  const pm = view['private_metadata'];
  if (pm !== undefined && (typeof pm !== 'string' || pm.length > 3000)) c.fail('view.private_metadata', 'max 3000 characters');
  const blocks = view['blocks'];
  const problems = [...c.problems, ...checkBlocks(blocks, 'modal')];
  if (Array.isArray(blocks) && blocks.some((b) => isObj(b) && b['type'] === 'input') && view['submit'] === undefined) problems.push('view.submit: required when the view has input blocks');
  return problems;
}

/** Problems Slack would report for a Home tab view (views.publish): type home, at most 100 blocks. */
export function checkHome(view: unknown): string[] {
  if (!isObj(view)) return ['view must be an object'];
  const c = new Checker('home');
  if (view['type'] !== 'home') c.fail('view.type', 'must be home');
  for (const k of ['title', 'submit', 'close']) if (view[k] !== undefined) c.fail(`view.${k}`, 'a Home tab has none');
  const pm = view['private_metadata'];
  if (pm !== undefined && (typeof pm !== 'string' || pm.length > 3000)) c.fail('view.private_metadata', 'max 3000 characters');
  return [...c.problems, ...checkBlocks(view['blocks'], 'home')];
}

/**
 * Problems Slack would report for the answer to a block_suggestion: `options` (at most 100) or
 * `option_groups` (at most 100, each with a plain-text label of at most 75 characters and 1-100
 * options), options as in a static select.
 */
export function checkOptionsAnswer(answer: unknown): string[] {
  if (!isObj(answer)) return ['the answer must be a JSON object'];
  const c = new Checker('modal');
  const options = answer['options'];
  const groups = answer['option_groups'];
  if ((options === undefined) === (groups === undefined)) return ['give options or option_groups (one of them)'];
  const list = (path: string, opts: unknown) => {
    if (!Array.isArray(opts)) return c.fail(path, 'must be an array');
    if (opts.length > 100) c.fail(path, `${opts.length} options, max 100`);
    opts.forEach((o, i) => c.option(`${path}[${i}]`, o, ['plain_text']));
  };
  if (options !== undefined) list('options', options);
  else if (!Array.isArray(groups)) c.fail('option_groups', 'must be an array');
  else {
    if (groups.length > 100) c.fail('option_groups', `${groups.length} groups, max 100`);
    groups.forEach((g, i) => {
      if (!isObj(g)) return c.fail(`option_groups[${i}]`, 'must be an object');
      c.text(`option_groups[${i}].label`, g['label'], 75, ['plain_text']);
      if (Array.isArray(g['options']) && g['options'].length === 0) c.fail(`option_groups[${i}].options`, 'at least one option');
      list(`option_groups[${i}].options`, g['options']);
    });
  }
  return c.problems;
}
