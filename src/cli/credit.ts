// `credit`: credit notes and credit on a client's account from the command line, as the machine's operator (a
// finance admin): issue a credit note (keeping what is more than due on the client's account only when told so),
// withdraw one, apply credit on account to an invoice, refund an overpayment or credit on account. Each needs a
// reason; the services decide, and a refusal changes nothing.
import { accountCreditBalances, getAccountCredits, getRefunds } from '../db/queries/account-credit.js';
import { getCreditNotes } from '../db/queries/corrections.js';
import { formatMoney } from '../domain/money.js';
import { applyAccountCredit, refundAccountCredit, refundOverpayment } from '../services/account-credit.js';
import { findClient } from '../services/clients.js';
import { issueCreditNote, withdrawCreditNote } from '../services/corrections.js';
import { LedgerError } from '../services/errors.js';
import { getInvoice } from '../services/invoices.js';
import { operatorPrincipal } from '../services/policy.js';
import type { Command, Out } from './commands.js';
import { parseOptions, text } from './options.js';

export const CREDIT_USAGE = [
  'credit note INVOICE NUMBER [AMOUNT] --reason WHY [--date YYYY-MM-DD] [--keep-on-account]',
  'credit withdraw INVOICE NOTE --reason WHY',
  'credit apply INVOICE [AMOUNT] --reason WHY [--date YYYY-MM-DD]',
  'credit refund INVOICE [AMOUNT] --reason WHY [--date …] [--method …] [--reference …]',
  'credit refund --client NAME --currency CODE [AMOUNT] --reason WHY [--date …] [--method …] [--reference …]',
  'credit show CLIENT',
].join('\n       npm run cli -- ');

export const creditCommand: Command = async (ctx, workspace, args, out) => {
  const parsed = parseOptions(args, {
    valued: ['reason', 'date', 'method', 'reference', 'client', 'currency'],
    bare: ['keep-on-account'],
  });
  if (typeof parsed === 'string') return usage(out, parsed);
  const [what, ...rest] = parsed.positional;
  const flag = (name: string) => text(parsed.flags, name);
  const reason = flag('reason') ?? '';
  const date = flag('date');
  const teamId = workspace.teamId;
  const principal = operatorPrincipal();
  try {
    switch (what) {
      case 'note': {
        const [invoice, number, amount, ...extra] = rest;
        if (!invoice || !number || extra.length > 0) return usage(out, 'Which invoice, and the credit note’s number?');
        const { result } = await issueCreditNote(ctx, teamId, principal, {
          invoice,
          number,
          ...(amount ? { amount } : {}),
          ...(date ? { issuedOn: date } : {}),
          reason,
          keepOnAccount: parsed.flags.get('keep-on-account') === true,
        });
        const currency = result.invoice.currency;
        out(`Credit note ${number}: ${formatMoney(result.amountMinor, currency)} off ${result.invoice.number}.`);
        if (result.onAccountMinor > 0n) {
          out(
            `${formatMoney(result.onAccountMinor, currency)} kept as credit on ${result.invoice.clientName}'s account.`,
          );
        }
        return 0;
      }
      case 'withdraw': {
        const [invoice, note, ...extra] = rest;
        if (!invoice || !note || extra.length > 0) return usage(out, 'Which invoice, and which of its credit notes?');
        const view = await getInvoice(ctx, teamId, invoice, workspace);
        const notes = await getCreditNotes(ctx.db, { teamId, invoiceIds: [view.id] });
        const found = notes.find((n) => n.number.toLowerCase() === note.toLowerCase() || n.id === note);
        if (!found) {
          const listed = notes.map((n) => n.number).join(', ');
          out(`${view.number} has no credit note ${note}${listed ? ` (it has ${listed})` : ''}.`);
          return 1;
        }
        const { result } = await withdrawCreditNote(ctx, teamId, principal, {
          invoice: view.id,
          creditNote: found.id,
          reason,
        });
        out(`Credit note ${found.number} withdrawn: ${formatMoney(result.amountMinor, view.currency)} due again.`);
        if (result.onAccountMinor > 0n) {
          out(`${formatMoney(result.onAccountMinor, view.currency)} taken back from the client's account.`);
        }
        return 0;
      }
      case 'apply': {
        const [invoice, amount, ...extra] = rest;
        if (!invoice || extra.length > 0) return usage(out, 'Apply credit on account to which invoice?');
        const { result } = await applyAccountCredit(ctx, teamId, principal, {
          invoice,
          ...(amount ? { amount } : {}),
          ...(date ? { appliedOn: date } : {}),
          reason,
        });
        const currency = result.invoice.currency;
        out(
          `${formatMoney(result.amountMinor, currency)} of credit on account applied to ${result.invoice.number}; ` +
            `${formatMoney(result.invoice.status.amountDueMinor, currency)} still due, ` +
            `${formatMoney(result.balanceAfterMinor, currency)} left on account.`,
        );
        return 0;
      }
      case 'refund': {
        const how = {
          ...(date ? { refundedOn: date } : {}),
          method: flag('method') ?? null,
          reference: flag('reference') ?? null,
          reason,
        };
        const client = flag('client');
        if (client !== undefined) {
          const [amount, ...extra] = rest;
          if (extra.length > 0) return usage(out, 'One amount at most.');
          const { result } = await refundAccountCredit(ctx, teamId, principal, {
            client,
            currency: (flag('currency') ?? '').toUpperCase(),
            ...(amount ? { amount } : {}),
            ...how,
          });
          out(
            `Refunded ${formatMoney(result.amountMinor, result.currency)} of ${result.clientName}'s credit on account; ` +
              `${formatMoney(result.balanceAfterMinor, result.currency)} left.`,
          );
          return 0;
        }
        const [invoice, amount, ...extra] = rest;
        if (!invoice || extra.length > 0) return usage(out, 'Refund the overpayment of which invoice?');
        const { result } = await refundOverpayment(ctx, teamId, principal, {
          invoice,
          ...(amount ? { amount } : {}),
          ...how,
        });
        out(
          `Refunded ${formatMoney(result.amountMinor, result.invoice.currency)} of ${result.invoice.number}'s overpayment.`,
        );
        return 0;
      }
      case 'show': {
        const name = rest.join(' ').trim();
        const found = name ? await findClient(ctx, teamId, name) : undefined;
        if (!found) {
          out(name ? `No client named ${name} in ${workspace.name}.` : 'Which client?');
          return name ? 1 : 2;
        }
        for (const line of await clientCreditText(ctx.db, teamId, found.id)) out(line);
        return 0;
      }
      default:
        return usage(out, 'Credit what: note, withdraw, apply, refund or show?');
    }
  } catch (error) {
    if (error instanceof LedgerError) {
      out(error.message);
      for (const issue of error.issues) out(`  ${issue.field}: ${issue.message}`);
      return 2;
    }
    throw error;
  }
};

/** A client's credit on account and refunds as lines, for `credit show` and the client record. */
export async function clientCreditText(
  db: Parameters<typeof accountCreditBalances>[0],
  teamId: string,
  clientId: string,
): Promise<string[]> {
  const balances = await accountCreditBalances(db, { teamId, clientId });
  const credits = await getAccountCredits(db, { teamId, clientId });
  const refunds = await getRefunds(db, { teamId, clientId });
  if (credits.length === 0 && refunds.length === 0) return ['Credit on account: none'];
  const held = [...balances].filter(([, m]) => m > 0n);
  const lines = [
    `Credit on account: ${held.length > 0 ? held.map(([c, m]) => formatMoney(m, c)).join(' + ') : 'none left'}`,
  ];
  const words = { kept: 'kept from', applied: 'applied to', withdrawn: 'taken back (credit note withdrawn) from' };
  const moves = [
    ...credits.map((c) => ({
      on: c.onDate,
      line: `${c.onDate}  ${formatMoney(c.amountMinor, c.currency)} ${words[c.kind]} ${c.invoiceNumber}`,
    })),
    ...refunds.map((r) => ({
      on: r.refundedOn,
      line: `${r.refundedOn}  ${formatMoney(r.amountMinor, r.currency)} refunded ${
        r.invoiceNumber ? `(overpaid on ${r.invoiceNumber})` : 'from the account'
      }${r.method ? ` · ${r.method}` : ''}${r.reference ? ` · ref ${r.reference}` : ''}`,
    })),
  ].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  for (const m of moves) lines.push(`  ${m.line}`);
  return lines;
}

function usage(out: Out, message: string): number {
  out(message);
  out(`Usage: npm run cli -- ${CREDIT_USAGE}`);
  return 2;
}
