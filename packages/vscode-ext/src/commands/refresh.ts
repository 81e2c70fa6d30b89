import type { CommandContext, Outcome } from './command-base.js';
import { COMMANDS, GatehouseCommand } from './command-base.js';

/** Reloads access and pending approvals now; signed out, it does nothing. */
export class RefreshCommand extends GatehouseCommand<void> {
  constructor(context: CommandContext) {
    super(COMMANDS.refresh, context);
  }

  async execute(): Promise<Outcome<void>> {
    const { model } = this.context;
    if (!model.signedIn) return { ok: true, value: undefined };
    this.context.beforeManualRefresh();
    await model.refresh();
    // A failure is shown by the model listener (with the stale data note); only report it here.
    const err = model.snapshot.error;
    return err ? { ok: false, cancelled: false, kind: err.kind, message: err.message } : { ok: true, value: undefined };
  }
}
