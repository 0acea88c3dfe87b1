// A big Xero ledger in the contract fake, for the sync's scale tests and the books bench: customers, open invoices
// (some part paid) and invoices paid in the last 90 days, deterministic for a given size.
import type { FakeXero } from './fake-xero.js';

export interface SeededLedger {
  contacts: number;
  /** Open (AUTHORISED) invoices, part paid or not. */
  open: number;
  /** Invoices paid in full within the last 90 days. */
  paid: number;
  /** Payments on them all. */
  payments: number;
}

const DAY_MS = 86_400_000;
const dayBefore = (today: string, days: number) =>
  new Date(Date.parse(`${today}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
const dayAfter = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** `invoices` sales invoices over a quarter as many customers: 70% open (every fifth part paid), 30% paid lately. */
export function seedLedger(xero: FakeXero, options: { invoices: number; today: string }): SeededLedger {
  const contactCount = Math.ceil(options.invoices / 4);
  const contacts: string[] = [];
  for (let c = 1; c <= contactCount; c++) {
    const n = String(c).padStart(5, '0');
    contacts.push(xero.addContact({ name: `Customer ${n} Ltd`, email: `ap${n}@customers.test` }));
  }
  let open = 0;
  let paid = 0;
  let payments = 0;
  for (let i = 1; i <= options.invoices; i++) {
    const total = `${100 + (i % 900)}.${String(i % 100).padStart(2, '0')}`;
    const isPaid = i % 10 < 3;
    const issued = dayBefore(options.today, isPaid ? 20 + (i % 60) : i % 120);
    const id = xero.addInvoice({
      InvoiceNumber: `INV-${String(i).padStart(5, '0')}`,
      ContactID: contacts[i % contactCount] as string,
      Total: total,
      Date: issued,
      DueDate: dayAfter(issued, 30),
    });
    if (isPaid) {
      xero.pay(id, { amount: total, date: dayAfter(issued, 10), reference: `BACS ${i}` });
      paid += 1;
      payments += 1;
    } else {
      if (i % 5 === 0) {
        xero.pay(id, { amount: '50.00', date: issued, reference: `Part ${i}` });
        payments += 1;
      }
      open += 1;
    }
  }
  return { contacts: contactCount, open, paid, payments };
}
