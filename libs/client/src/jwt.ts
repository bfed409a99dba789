const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The `exp` of a JWT in epoch milliseconds, or undefined when the token has none or is not a JWT. Decoded by
 * hand: `atob` is missing on older React Native engines, and the payload is only read, never trusted.
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(decodeBase64Url(payload));
    const exp = (claims as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes as Latin-1 characters: enough for JSON.parse to read the ASCII `exp` claim. */
function decodeBase64Url(text: string): string {
  let value = 0;
  let bits = 0;
  let out = '';
  for (const char of text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')) {
    const digit = BASE64URL.indexOf(char);
    if (digit < 0) throw new Error('not base64url');
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((value >> bits) & 0xff);
    }
  }
  return out;
}
