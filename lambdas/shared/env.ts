/**
 * The one place a Lambda reads its own environment. Called at module scope (cold start), so a missing
 * variable fails the first invocation loudly, naming the variable, instead of every request obscurely.
 */
export function requireEnv<const TName extends string>(...names: TName[]): Record<TName, string> {
  const values = {} as Record<TName, string>;
  const missing: string[] = [];
  for (const name of names) {
    const value = process.env[name];
    if (value === undefined || value === '') missing.push(name);
    else values[name] = value;
  }
  if (missing.length > 0) throw new Error(`Missing environment variable ${missing.join(', ')}`);
  return values;
}

export function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === '' ? undefined : value;
}
