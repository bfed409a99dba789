/**
 * The one place a Lambda reads its environment. Called at module scope (cold start), so a missing
 * variable fails the first invocation loudly instead of every request obscurely.
 */
export function requireEnv<const TName extends string>(...names: TName[]): Record<TName, string> {
  const values = {} as Record<TName, string>;
  for (const name of names) {
    const value = process.env[name];
    if (value === undefined || value === '') throw new Error(`Missing environment variable ${name}`);
    values[name] = value;
  }
  return values;
}
