import { describe, expect, it } from 'vitest';
import { computeNumbers, type NumbersData } from '../../../src/domain/numbers.js';
import { homeView } from '../../../src/slack/ui/home.js';
import { convertedNote, numbersLines, ratesMessage } from '../../../src/slack/ui/numbers.js';
import { makeOverview, NOW, TODAY, ZONE } from './fixtures.js';

const data = (o: Partial<NumbersData> = {}): NumbersData => ({
  today: TODAY,
  receivables: [{ currency: 'USD', minor: 150_000n }],
  creditSales: [{ currency: 'USD', minor: 450_000n }],
  payments: [{ currency: 'USD', receivedOn: TODAY, minor: 20_000n, count: 2 }],
  open: [
    {
      invoiceId: 'a',
      currency: 'USD',
      amountDueMinor: 150_000n,
      dueDate: TODAY,
      promisedDate: null,
      scheduledDate: null,
      inDispute: false,
    },
  ],
  reporting: null,
  ...o,
});

describe('the numbers as people read them', () => {
  it('says DSO, collected and expected in, one line each, then how they are worked out', () => {
    const { lines, method } = numbersLines(computeNumbers(data()));
    expect(lines).toEqual([
      '*DSO:* 30 days (USD)',
      '*Collected this week:* $200.00 (2 payments) · last week nothing · 4-week average nothing',
      '*Expected in, next 4 weeks:* $1,500.00',
      `By week from ${TODAY}: $1,500.00 · from 2026-11-21: — · from 2026-11-28: — · from 2026-12-05: —`,
    ]);
    expect(method).toContain('DSO = receivables ÷ credit sales of the last 90 days × 90');
  });

  it('marks a converted total approximate with its rate’s date, and names a currency without a rate', () => {
    expect(
      convertedNote({ currency: 'USD', minor: 12_345n, approximate: true, rateDate: '2026-11-20', missing: ['GBP'] }),
    ).toBe(' (≈ $123.45 at the rates of 2026-11-20; no rate for GBP)');
    expect(convertedNote({ currency: 'USD', minor: 5n, approximate: false, rateDate: null, missing: [] })).toBe('');
  });

  it('shows the numbers on the App Home under what needs action, only when given', () => {
    const base = { today: TODAY, timeZone: ZONE, now: NOW, canHandleMoney: true, financeChannel: 'C0FINANCE' };
    const overview = makeOverview(3);
    const without = homeView({ ...base, overview, isEmpty: false });
    const withNumbers = homeView({ ...base, overview, isEmpty: false, numbers: computeNumbers(data()) });
    expect(withNumbers.blocks.length).toBe(without.blocks.length + 3);
    const text = JSON.stringify(withNumbers.blocks);
    expect(text).toContain('*The numbers*\\n*DSO:* 30 days (USD)');
    expect(withNumbers.blocks.length).toBeLessThanOrEqual(100);
  });

  it('/invoice rates says there is no reporting currency, or lists each rate with its date', () => {
    expect(ratesMessage({ reporting: null, changed: null }).text).toBe(
      'No reporting currency yet: totals stay per currency. A finance admin names one with `/invoice rates currency USD`.',
    );
    const listed = ratesMessage({
      reporting: { currency: 'USD', rates: [{ currency: 'EUR', rate: '1.08', rateDate: '2026-11-20' }] },
      changed: 'Set: 1 EUR = 1.08 USD, the rate of 2026-11-20.',
    });
    expect(listed.text.split('\n').slice(0, 3)).toEqual([
      '✅ Set: 1 EUR = 1.08 USD, the rate of 2026-11-20.',
      '*Reporting currency:* USD',
      '• 1 EUR = 1.08 USD (rate of 2026-11-20)',
    ]);
  });
});
