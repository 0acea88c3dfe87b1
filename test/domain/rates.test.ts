// Rates kept as a ledger quotes them the other way round ('1/0.92'), read as exact fractions, shown to people, and
// a converted total saying whose rates it used.
import { describe, expect, it } from 'vitest';
import { convertTotal, describeRate, normaliseRate, parseRate, ratesPhrase } from '../../src/domain/rates.js';

describe('a ledger’s inverted rate', () => {
  it('reads 1/0.92 as the exact fraction 100/92 and normalises its digits', () => {
    expect(parseRate('1/0.92')).toEqual({ numerator: 100n, denominator: 92n });
    expect(normaliseRate('1/0.920000')).toBe('1/0.92');
    expect(parseRate('1/0')).toBeUndefined();
    expect(parseRate('2/0.92')).toBeUndefined();
  });

  it('converts €1,000 at 1/0.92 into $1,086.96 (1000 × 100 / 92 = 1086.956…, rounded half to even)', () => {
    const total = convertTotal([{ currency: 'EUR', minor: 100_000n }], {
      currency: 'USD',
      rates: [{ currency: 'EUR', rate: '1/0.92', rateDate: '2026-12-01', source: 'xero' }],
    });
    expect(total).toEqual({
      currency: 'USD',
      minor: 108_696n,
      approximate: true,
      rateDate: '2026-12-01',
      missing: [],
      source: 'xero',
    });
    expect(ratesPhrase(total)).toBe("Xero's rates of 2026-12-01");
  });

  it('says "the rates" when the rates used came from Xero and from a finance admin', () => {
    const total = convertTotal(
      [
        { currency: 'EUR', minor: 100n },
        { currency: 'GBP', minor: 100n },
      ],
      {
        currency: 'USD',
        rates: [
          { currency: 'EUR', rate: '1/0.92', rateDate: '2026-12-01', source: 'xero' },
          { currency: 'GBP', rate: '1.27', rateDate: '2026-11-30' },
        ],
      },
    );
    expect(total.source).toBeUndefined();
    expect(ratesPhrase(total)).toBe('the rates of 2026-11-30');
  });

  it('shows each rate with where it came from', () => {
    expect(describeRate({ currency: 'EUR', rate: '1.08', rateDate: '2026-11-20' }, 'USD')).toBe(
      '1 EUR = 1.08 USD (rate of 2026-11-20)',
    );
    expect(describeRate({ currency: 'EUR', rate: '1.0842', rateDate: '2026-12-02', source: 'quickbooks' }, 'USD')).toBe(
      "1 EUR = 1.0842 USD (QuickBooks' rate of 2026-12-02)",
    );
    expect(describeRate({ currency: 'JPY', rate: '1/150.5', rateDate: '2026-12-01', source: 'xero' }, 'USD')).toBe(
      "1 JPY = 0.006645 USD (Xero's rate of 2026-12-01: 1 USD = 150.5 JPY)",
    );
  });
});
