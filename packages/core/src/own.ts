/**
 * The value a record holds under its own property `id`, or undefined — never a prototype member,
 * so an id named like a built-in (`constructor`, `toString`) is simply not there. Every lookup by
 * an id that came from outside goes through this (or a Map).
 */
export function own<T>(table: Readonly<Record<string, T>> | null | undefined, id: string): T | undefined {
  return table != null && Object.hasOwn(table, id) ? table[id] : undefined;
}
