import type { Evolvers } from '../../state/evolver.js';

/** Account settings, teams, products, environments and deployment rules. */
export const catalogEvolvers: Evolvers<
  'account.created' | 'account.settings_changed' | 'team.created' | 'team.updated' | 'product.created' | 'product.updated' | 'environment.created' | 'environment.updated' | 'rule.created' | 'rule.updated' | 'rule.deleted'
> = {
  'account.created': (state, e) => {
    state.name = e.data.name;
    state.createdAt = e.at;
    state.settings = e.data.settings;
    state.teams[e.data.defaultTeam.id] = e.data.defaultTeam;
  },
  'account.settings_changed': (state, e) => {
    state.settings = e.data.after;
  },
  'team.created': (state, e) => {
    state.teams[e.data.team.id] = e.data.team;
  },
  'team.updated': (state, e) => {
    state.teams[e.data.after.id] = e.data.after;
  },
  'product.created': (state, e) => {
    state.products[e.data.product.id] = e.data.product;
  },
  'product.updated': (state, e) => {
    state.products[e.data.after.id] = e.data.after;
  },
  'environment.created': (state, e) => {
    state.environments[e.data.environment.id] = e.data.environment;
  },
  'environment.updated': (state, e) => {
    state.environments[e.data.after.id] = e.data.after;
  },
  'rule.created': (state, e) => {
    state.rules[e.data.rule.id] = e.data.rule;
  },
  'rule.updated': (state, e) => {
    state.rules[e.data.after.id] = e.data.after;
  },
  'rule.deleted': (state, e) => {
    delete state.rules[e.data.rule.id];
  },
};
