/**
 * Thrown from the `default` branch of a switch that handles every member of a union. The `never`
 * parameter makes the compiler reject the switch when a member is left out; at runtime it only fires
 * when a value outside the declared type arrives (an unchecked cast, a newer upstream word).
 */
export class UnreachableCaseError extends Error {
  /** @param what names the value in the message, e.g. `state` gives "Unknown state RUNNING". */
  constructor(value: never, what: string) {
    super(`Unknown ${what} ${describe(value)}`);
    this.name = 'UnreachableCaseError';
  }
}

const describe = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
