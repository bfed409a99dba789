/**
 * Docker Compose's variable interpolation, the subset docker-compose.yml uses: `${VAR}`, `${VAR:-default}`,
 * `${VAR:?message}` and `$$` (a literal `$`). There is no Docker engine here, so the tests resolve the
 * file the way `docker compose config` would, then check the result against the API's own env schema.
 */
const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

export class MissingComposeVariableError extends Error {
  override readonly name = 'MissingComposeVariableError';
}

export function interpolate(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    VARIABLE,
    (match, name: string | undefined, operator: string | undefined, argument: string | undefined) => {
      if (match === '$$') return '$';
      const value = env[name!];
      // `:-` / `:?` treat an empty value like an unset one; `-` / `?` only an unset one.
      const missing = operator?.startsWith(':') ? value === undefined || value === '' : value === undefined;
      if (operator?.endsWith('?') && missing) throw new MissingComposeVariableError(`${name}: ${argument}`);
      if (operator?.endsWith('-') && missing) return argument ?? '';
      return value ?? '';
    },
  );
}

/** Every `${NAME…}` the text mentions, with whether compose requires it (`:?`). */
export function referencedVariables(text: string): Map<string, { required: boolean }> {
  const found = new Map<string, { required: boolean }>();
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1];
    if (!name) continue;
    const required = match[2] === ':?' || match[2] === '?';
    found.set(name, { required: required || (found.get(name)?.required ?? false) });
  }
  return found;
}
