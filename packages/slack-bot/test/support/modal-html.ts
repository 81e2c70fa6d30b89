/**
 * A small HTML approximation of how Slack draws a modal (title bar, sections, inputs, buttons,
 * footer), an App Home tab and a message, to look at them as a person would: the tests screenshot
 * them with headless Chromium. It draws only the Block Kit the app uses; it is no reference of
 * Slack's styles.
 */

type Json = Record<string, unknown>;

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const textOf = (t: unknown) => str(obj(t)['text']);

/** Slack mrkdwn (already escaped with &amp; &lt; &gt;) to HTML: code blocks, code, bold, italic, links, mentions, emoji. */
function mrkdwn(escaped: string): string {
  const raw = escaped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const parts = raw.split(/```/);
  return parts
    .map((part, i) => {
      if (i % 2 === 1) return `<pre>${html(part)}</pre>`;
      return html(part)
        .replace(/`([^`]+)`/g, '<code>$1</code>')
        // A date token shows its fallback text (Slack would show it in the reader's time zone).
        .replace(/&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;/g, '$1')
        .replace(/&lt;(https?:\/\/[^|&]+)\|([^&]*)&gt;/g, '<a href="$1">$2</a>')
        .replace(/&lt;#[A-Z0-9]+\|([^&]*)&gt;/g, '<span class="mention">#$1</span>')
        .replace(/&lt;#([A-Z0-9]+)&gt;/g, (_m, id: string) => `<span class="mention">#${id.toLowerCase()}</span>`)
        .replace(/&lt;@([A-Z0-9]+)(\|[^&]*)?&gt;/g, '<span class="mention">@$1</span>')
        .replace(/(^|[\s(>])\*([^*\n]+)\*/g, '$1<b>$2</b>')
        .replace(/(^|[\s(>])_([^_\n]+)_/g, '$1<i>$2</i>')
        // Headless Chromium here has no emoji font: an emoji shows as a small chip with its name.
        .replace(/:([a-z_]+):/g, '<span class="emoji">$1</span>')
        .replace(/\n/g, '<br>');
    })
    .join('');
}

function text(t: unknown): string {
  const o = obj(t);
  return o['type'] === 'mrkdwn' ? mrkdwn(str(o['text'])) : html(str(o['text']));
}

function element(el: Json): string {
  const options = Array.isArray(el['options']) ? (el['options'] as Json[]) : [];
  switch (el['type']) {
    case 'plain_text_input': {
      const v = str(el['initial_value']);
      return `<div class="field${el['multiline'] ? ' tall' : ''}">${v ? html(v) : `<span class="ph">${html(textOf(el['placeholder']))}</span>`}</div>`;
    }
    case 'static_select': {
      const initial = obj(el['initial_option']);
      return `<div class="field select">${initial['text'] ? text(initial['text']) : '<span class="ph">Select an option</span>'}<span class="caret">▾</span></div>`;
    }
    case 'external_select': {
      const initial = obj(el['initial_option']);
      return `<div class="field select">${initial['text'] ? text(initial['text']) : `<span class="ph">${html(textOf(el['placeholder']) || 'Select an option')}</span>`}<span class="caret">🔍</span></div>`;
    }
    case 'conversations_select':
    case 'channels_select': {
      const c = str(el['initial_conversation'] ?? el['initial_channel']);
      return `<div class="field select">${c ? `<span class="mention"># ${html(c.toLowerCase())}</span>` : '<span class="ph">Select a channel</span>'}<span class="caret">▾</span></div>`;
    }
    case 'users_select':
      return '<div class="field select"><span class="ph">Select a user</span><span class="caret">▾</span></div>';
    case 'checkboxes':
    case 'radio_buttons': {
      const on = new Set((Array.isArray(el['initial_options']) ? (el['initial_options'] as Json[]) : el['initial_option'] ? [obj(el['initial_option'])] : []).map((o) => str(o['value'])));
      const kind = el['type'] === 'checkboxes' ? 'box' : 'radio';
      return options.map((o) => `<label class="check"><span class="${kind}${on.has(str(o['value'])) ? ' on' : ''}"></span>${text(o['text'])}</label>`).join('');
    }
    case 'button':
      return `<span class="button ${str(el['style'])}">${text(el['text'])}</span>`;
    default:
      return `<div class="field"><span class="ph">${html(str(el['type']))}</span></div>`;
  }
}

/** What the modal shows besides its blocks: field errors (response_action: errors), and a select opened with what was typed and the options shown. */
export interface ModalState {
  errors?: Record<string, string>;
  open?: { blockId: string; typed: string; options: { text: string; group: string | null }[] };
}

function block(b: Json, st: ModalState = {}): string {
  switch (b['type']) {
    case 'section': {
      const fields = Array.isArray(b['fields']) ? (b['fields'] as Json[]).map((f) => `<div>${text(f)}</div>`).join('') : '';
      return `<div class="section">${b['text'] ? text(b['text']) : ''}${fields ? `<div class="fields">${fields}</div>` : ''}</div>`;
    }
    case 'header':
      return `<h2>${text(b['text'])}</h2>`;
    case 'context':
      return `<div class="context">${(Array.isArray(b['elements']) ? (b['elements'] as Json[]) : []).map(text).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
    case 'actions':
      return `<div class="actions">${(Array.isArray(b['elements']) ? (b['elements'] as Json[]) : []).map(element).join('')}</div>`;
    case 'input': {
      const hint = b['hint'] ? `<div class="hint">${text(b['hint'])}</div>` : '';
      const id = str(b['block_id']);
      const error = st.errors?.[id];
      const open = st.open?.blockId === id ? st.open : null;
      const menu = open
        ? `<div class="menu"><div class="typed">${html(open.typed) || '<span class="ph">…</span>'}</div>${[...new Set(open.options.map((o) => o.group))].map((g) => `${g ? `<div class="group">${html(g)}</div>` : ''}${open.options.filter((o) => o.group === g).map((o) => `<div class="item">${html(o.text)}</div>`).join('')}`).join('')}${open.options.length ? '' : '<div class="group">No results</div>'}</div>`
        : '';
      return `<div class="input${error ? ' invalid' : ''}"><div class="label">${text(b['label'])}${b['optional'] ? ' <span class="opt">(optional)</span>' : ''}</div>${element(obj(b['element']))}${menu}${error ? `<div class="error">${html(error)}</div>` : hint}</div>`;
    }
    default:
      return `<div class="section">[${html(str(b['type']))}]</div>`;
  }
}

const STYLE = `
.invalid .field { border-color: #e01e5a; box-shadow: 0 0 0 1px #e01e5a; } .error { font-size: 13px; color: #e01e5a; margin-top: 4px; }
.menu { border: 1px solid #ddd; border-radius: 6px; box-shadow: 0 4px 12px #0003; margin-top: 4px; max-height: 320px; overflow: hidden; }
.menu .typed { padding: 6px 12px; border-bottom: 1px solid #eee; } .menu .group { padding: 6px 12px 2px; font-size: 12px; color: #616061; font-weight: 700; }
.menu .item { padding: 4px 12px; }
body { margin: 0; background: #1a1d21cc; font: 15px/1.46 -apple-system, "Segoe UI", Lato, "Helvetica Neue", Arial, sans-serif; color: #1d1c1d; }
.modal { width: 520px; margin: 24px auto; background: #fff; border-radius: 8px; box-shadow: 0 18px 48px #0008; overflow: hidden; }
.title { display: flex; align-items: center; padding: 18px 24px; border-bottom: 1px solid #ddd; font-weight: 900; font-size: 22px; }
.title .app { width: 28px; height: 28px; border-radius: 6px; background: #4a154b; margin-right: 12px; }
.title .x { margin-left: auto; color: #616061; font-weight: 400; }
.body { padding: 12px 24px 20px; }
.section { margin: 10px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.context { margin: 8px 0; font-size: 13px; color: #616061; }
.input { margin: 16px 0; } .label { font-weight: 700; margin-bottom: 6px; } .opt { font-weight: 400; color: #616061; }
.hint { font-size: 13px; color: #616061; margin-top: 4px; }
.field { border: 1px solid #868686; border-radius: 4px; padding: 8px 12px; min-height: 20px; position: relative; }
.field.tall { min-height: 60px; } .ph { color: #868686; } .caret { position: absolute; right: 12px; color: #616061; }
.check { display: flex; align-items: center; margin: 6px 0; } .box, .radio { width: 16px; height: 16px; border: 1px solid #868686; margin-right: 8px; display: inline-block; }
.radio { border-radius: 50%; } .on { background: #1264a3; border-color: #1264a3; }
.actions { margin: 12px 0; display: flex; gap: 8px; flex-wrap: wrap; }
.button { border: 1px solid #bbb; border-radius: 4px; padding: 6px 14px; font-weight: 700; font-size: 14px; background: #fff; }
.button.primary { background: #007a5a; color: #fff; border-color: #007a5a; } .button.danger { background: #e01e5a; color: #fff; border-color: #e01e5a; }
.footer { display: flex; justify-content: flex-end; gap: 10px; padding: 16px 24px; border-top: 1px solid #ddd; }
code { font: 12px Menlo, Consolas, monospace; color: #e01e5a; background: #f6f6f6; border: 1px solid #ddd; border-radius: 3px; padding: 1px 3px; }
pre { font: 12px/1.5 Menlo, Consolas, monospace; background: #f8f8f8; border: 1px solid #ddd; border-radius: 4px; padding: 8px; white-space: pre-wrap; word-break: break-all; }
.mention { color: #1264a3; background: #1d9bd11a; border-radius: 3px; padding: 0 2px; }
.emoji { font-size: 11px; color: #616061; background: #eee; border-radius: 8px; padding: 1px 5px; vertical-align: 2px; }
h2 { font-size: 18px; margin: 10px 0; } hr { border: 0; border-top: 1px solid #ddd; }
.pane { background: #fff; min-height: 100vh; } .pane .body { max-width: 760px; padding: 8px 28px 28px; }
.apphead { display: flex; align-items: center; gap: 10px; padding: 14px 28px 0; font-weight: 900; font-size: 18px; }
.apphead .app, .msg .app { width: 36px; height: 36px; border-radius: 6px; background: #4a154b; }
.tabs { display: flex; gap: 22px; padding: 12px 28px 0; border-bottom: 1px solid #ddd; font-size: 14px; color: #616061; }
.tabs span { padding-bottom: 8px; } .tabs .active { color: #1d1c1d; font-weight: 700; border-bottom: 2px solid #1264a3; }
a { color: #1264a3; text-decoration: none; }
.msg { display: flex; gap: 10px; padding: 16px 24px; max-width: 780px; } .msg .who { font-weight: 900; }
.msg .tag { font-size: 10px; background: #ddd; color: #616061; border-radius: 2px; padding: 1px 3px; margin-left: 4px; font-weight: 700; }
.msg .only { font-size: 12px; color: #616061; margin-bottom: 2px; } .msg .content { flex: 1; } .msg .body { padding: 0; }
`;

/** An HTML page showing the modal `view` roughly as Slack would (with field errors, or a select opened). */
export function modalHtml(view: Json, st: ModalState = {}): string {
  const blocks = (Array.isArray(view['blocks']) ? (view['blocks'] as Json[]) : []).map((b) => block(b, st)).join('\n');
  const submit = view['submit'] ? `<span class="button primary">${text(view['submit'])}</span>` : '';
  const close = `<span class="button">${text(view['close'] ?? { type: 'plain_text', text: 'Cancel' })}</span>`;
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style></head><body>
<div class="modal"><div class="title"><span class="app"></span>${text(view['title'])}<span class="x">✕</span></div>
<div class="body">${blocks}</div><div class="footer">${close}${submit}</div></div></body></html>`;
}

/** A page of Slack's main pane (white, no modal backdrop). */
function page(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE} body { background: #fff; }</style></head><body>${body}</body></html>`;
}

const blocksOf = (v: Json) => (Array.isArray(v['blocks']) ? (v['blocks'] as Json[]) : []).map((b) => block(b)).join('\n');

/** An HTML page showing a Home tab `view` (views.publish) roughly as Slack would, in the app's Home. */
export function homeHtml(view: Json, app = 'Gatehouse'): string {
  return page(`<div class="pane"><div class="apphead"><span class="app"></span>${html(app)}</div>
<div class="tabs"><span class="active">Home</span><span>Messages</span><span>About</span></div><div class="body">${blocksOf(view)}</div></div>`);
}

/** An HTML page showing a message from the app (`ephemeral`: only visible to the reader). */
export function messageHtml(msg: Json, ephemeral = false, app = 'Gatehouse'): string {
  return page(`<div class="pane"><div class="msg"><span class="app"></span><div class="content">
${ephemeral ? '<div class="only">👁 Only visible to you</div>' : ''}<div><span class="who">${html(app)}</span><span class="tag">APP</span></div>
<div class="body">${blocksOf(msg)}</div></div></div></div>`);
}
