import { describe, expect, it } from '@jest/globals';
import { formatRequestTime } from './aws-time.js';
import { newAwsId } from './ids.js';

describe(formatRequestTime.name, () => {
  it("writes API Gateway's requestTime format, in UTC", () => {
    expect(formatRequestTime(Date.UTC(2024, 0, 20, 11, 55, 0))).toBe('20/Jan/2024:11:55:00 +0000');
    expect(formatRequestTime(Date.UTC(2019, 10, 5, 3, 4, 9, 574))).toBe('05/Nov/2019:03:04:09 +0000');
  });
});

describe(newAwsId.name, () => {
  it('makes 16-character base64 ids ending in "=", unique across pool refills', () => {
    const ids = Array.from({ length: 2000 }, () => newAwsId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
