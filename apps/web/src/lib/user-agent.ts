// Tried in order: Edge and Opera also say "Chrome", Chrome also says "Safari".
const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+).*Safari\//, 'Safari'],
];

const SYSTEMS: [RegExp, string][] = [
  [/Windows/, 'Windows'],
  [/Android/, 'Android'],
  [/iPhone/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Mac OS X/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Mozilla/5.0 (X11; Linux x86_64) … Chrome/156.0 …" → "Chrome 156 · Linux": enough for an admin to tell tabs apart. */
export function shortAgent(ua: string | null | undefined): string {
  if (!ua) return '—';
  let name: string | undefined;
  for (const [pattern, browser] of BROWSERS) {
    const match = pattern.exec(ua);
    if (match) {
      name = `${browser} ${match[1]}`;
      break;
    }
  }
  const tool = /^([\w.-]+)\/(\d+)/.exec(ua); // curl/8.5, gavel-tests/1.0, node …
  name ??= tool ? `${tool[1]} ${tool[2]}` : ua.slice(0, 32);
  const system = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1];
  return system ? `${name} · ${system}` : name;
}
