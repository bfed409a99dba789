const dollars = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Money is integer cents everywhere (contract §4); only the screen shows dollars. */
export function formatCents(cents: number): string {
  return dollars.format(cents / 100);
}

/** "12", "12.5", "12.50", "$1,200.00" → cents; anything else → an explanation for the user. */
export function parseDollars(input: string): { cents: number } | { error: string } {
  const text = input.trim().replace(/^\$/, '').replace(/,/g, '');
  if (text === '') return { error: 'Enter an amount.' };
  if (!/^\d+(\.\d{1,2})?$/.test(text))
    return { error: 'Enter an amount in dollars, with at most two decimals (e.g. 25.50).' };
  const [whole, fraction = ''] = text.split('.');
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(cents)) return { error: 'That amount is too large.' };
  if (cents <= 0) return { error: 'The amount must be more than $0.00.' };
  return { cents };
}

/** Cents → the plain text an amount input expects ("12.50"). */
export function centsToInput(cents: number): string {
  return (cents / 100).toFixed(2);
}
