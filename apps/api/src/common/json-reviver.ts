/** A UTF-16 surrogate half without its partner: valid in JSON text (`"\udfff"`), but not Unicode. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * JSON.parse reviver for every request body: strings with lone surrogates are refused at parse time
 * (400) instead of reaching validators that throw on them (validator's isEmail → URIError → 500) or
 * being silently turned into U+FFFD by the database driver.
 */
export function rejectLoneSurrogates(this: unknown, key: string, value: unknown): unknown {
  if ((typeof value === 'string' && LONE_SURROGATE.test(value)) || LONE_SURROGATE.test(key)) {
    throw new SyntaxError('Request body contains a string that is not valid Unicode (lone surrogate)');
  }
  return value;
}
