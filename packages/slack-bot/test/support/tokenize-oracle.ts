import type { Token } from '../../src/slack/parse.js';

/** The tokenizer as it was (a regex), to check the linear one splits text the same way. */
export function regexTokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const quoted = m[1] ?? m[2];
    if (quoted !== undefined) {
      out.push({ kind: 'word', text: quoted });
      continue;
    }
    const raw = m[3] ?? '';
    const mention = /^<@([A-Z0-9][A-Z0-9_]*)(?:\|([^>]*))?>$/i.exec(raw);
    const channel = /^<#([CG][A-Z0-9]+)(?:\|([^>]*))?>$/i.exec(raw);
    if (mention?.[1]) out.push({ kind: 'user', id: mention[1], name: mention[2] || null });
    else if (channel?.[1]) out.push({ kind: 'channel', id: channel[1], name: channel[2] || null });
    else out.push({ kind: 'word', text: raw });
  }
  return out;
}
