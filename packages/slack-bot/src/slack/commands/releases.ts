import type { Release } from '@gatehouse/core';
import { reply } from '../blocks/common.js';
import { releaseMessage, releasesMessage } from '../blocks/releases.js';
import { usageMessage } from '../blocks/replies.js';
import { esc, productName, versionName } from '../format.js';
import { joinTokens, wordAt } from '../parse.js';
import { requireProduct, requireRelease, requireVersion } from './resolve.js';
import type { Subcommand } from './types.js';
import { own } from '../../rest/lookup.js';

/** `releases [product]`, `release create|add|lock|unlock|archive|restore|delete`, `release <release>` (with Approve / Reject release). */

export const releases: Subcommand = (ctx, args) => {
  const { account, names } = ctx.session;
  if (args.length > 1) return Promise.resolve(usageMessage(ctx.cmd, 'releases', 'Name one product, or nothing for every release.'));
  const product = args.length ? requireProduct(account, wordAt(args, 0)) : null;
  const list = Object.values(account.view.releases).filter((r) => !product || r.productId === product.id);
  return Promise.resolve(releasesMessage(names, list, product?.id ?? null));
};

/** Lock, unlock, archive and restore: the core call, whether the release is that way already, and the words for it. */
const FLAGS = {
  lock: { call: 'lockRelease', already: (r: Release) => r.locked, icon: ':lock:', state: 'locked', more: ': no version joins or leaves it' },
  unlock: { call: 'unlockRelease', already: (r: Release) => !r.locked, icon: ':unlock:', state: 'unlocked', more: ': versions may join it again' },
  archive: { call: 'archiveRelease', already: (r: Release) => r.archived, icon: ':file_cabinet:', state: 'archived', more: ': nobody decides on it until it is restored' },
  restore: { call: 'restoreRelease', already: (r: Release) => !r.archived, icon: ':unlock:', state: 'restored', more: '' },
} as const;

export const release: Subcommand = async (ctx, args) => {
  const { account, actor, names } = ctx.session;
  const verb = wordAt(args, 0)?.toLowerCase();
  switch (verb) {
    case undefined:
      return usageMessage(ctx.cmd, 'releases', 'Name the release to show, or say what to do.');
    case 'create': {
      const p = wordAt(args, 1);
      if (!p || args.length < 3) return usageMessage(ctx.cmd, 'releases', 'Name the product, then the release, e.g. `release create checkout 2026.03`.');
      const product = requireProduct(account, p);
      const r = await account.createRelease(actor, { productId: product.id, name: joinTokens(args.slice(2)) });
      // Commands name it by its name when that is one word no other release has.
      const ref = /^\S+$/.test(r.name) && Object.values(account.view.releases).filter((x) => x.name === r.name).length === 1 ? r.name : r.id;
      return reply(`:package: Created release *${esc(r.name)}* of *${esc(product.name)}* (\`${r.id}\`). Add versions with \`${ctx.cmd} release add ${esc(ref)} <version>\`.`);
    }
    case 'add': {
      if (args.length < 3) return usageMessage(ctx.cmd, 'releases', 'Name the release, then the version (its id, or the product and version string).');
      const r = requireRelease(account, args, 1, 1);
      const { versionId, next } = requireVersion(account, args, 2);
      if (next !== args.length) return usageMessage(ctx.cmd, 'releases', 'Name one version after the release.');
      const v = own(account.view.versions, versionId);
      if (v && v.productId !== r.productId) return reply(`:memo: ${versionName(names, versionId)} is a version of *${esc(productName(names, v.productId))}*, and release *${esc(r.name)}* holds versions of *${esc(productName(names, r.productId))}* only.`);
      const before = v?.releaseId ?? null;
      await account.addToRelease(actor, { releaseId: r.id, versionId });
      if (before === r.id) return reply(`Nothing changed: ${versionName(names, versionId)} is already in release *${esc(r.name)}*.`);
      const moved = before ? ` (it left release *${esc(own(account.view.releases, before)?.name ?? before)}*)` : '';
      return reply(`:heavy_plus_sign: Added ${versionName(names, versionId)} to release *${esc(r.name)}*${moved}.`);
    }
    case 'lock':
    case 'unlock':
    case 'archive':
    case 'restore':
    case 'delete': {
      if (args.length < 2) return usageMessage(ctx.cmd, 'releases', `Name the release to ${verb}.`);
      const r = requireRelease(account, args, 1);
      if (verb === 'delete') {
        await account.deleteRelease(actor, { releaseId: r.id });
        return reply(`:wastebasket: Deleted release *${esc(r.name)}* of *${esc(productName(names, r.productId))}*; its versions are in no release now.`);
      }
      const flag = FLAGS[verb];
      const already = flag.already(r);
      // The core is asked either way: it checks the permission, and changes nothing when there is nothing to change.
      await account[flag.call](actor, { releaseId: r.id });
      return reply(already ? `Nothing changed: release *${esc(r.name)}* is already ${flag.state}.` : `${flag.icon} Release *${esc(r.name)}* is ${flag.state}${flag.more}.`);
    }
    default:
      return releaseMessage(names, requireRelease(account, args, 0));
  }
};
