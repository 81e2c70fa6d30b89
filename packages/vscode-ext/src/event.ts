/** The shape of `vscode.Disposable` and `vscode.Event`, so the model runs without the editor. */
export interface Disposable {
  dispose(): void;
}
export type Event<T> = (listener: (e: T) => unknown) => Disposable;

/** A minimal event emitter; a throwing listener does not stop the others. */
export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(e: T) => unknown>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        console.error('gatehouse: a change listener failed', err);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
