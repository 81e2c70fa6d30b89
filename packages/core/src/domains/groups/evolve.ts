import { own } from '../../own.js';
import type { Evolvers } from '../../state/evolver.js';

export const groupEvolvers: Evolvers<'group.created' | 'group.renamed' | 'group.member_added' | 'group.member_removed' | 'group.deleted'> = {
  'group.created': (state, e) => {
    state.groups[e.data.group.id] = e.data.group;
  },
  'group.renamed': (state, e) => {
    const g = own(state.groups, e.data.groupId);
    if (g) g.name = e.data.after;
  },
  'group.member_added': (state, e) => {
    const g = own(state.groups, e.data.groupId);
    if (g && !g.members.includes(e.data.userId)) g.members.push(e.data.userId);
  },
  'group.member_removed': (state, e) => {
    const g = own(state.groups, e.data.groupId);
    if (g) g.members = g.members.filter((m) => m !== e.data.userId);
  },
  'group.deleted': (state, e) => {
    delete state.groups[e.data.group.id];
    // The group's grants go with it.
    for (const [id, grant] of Object.entries(state.grants)) {
      if (grant.subject.type === 'group' && grant.subject.id === e.data.group.id) delete state.grants[id];
    }
  },
};
