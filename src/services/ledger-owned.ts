// Once a workspace is connected to its books, the ledger owns an invoice's number, client, currency, total,
// dates and terms, its payments and its void: an invoice that came from (or was matched to) the ledger refuses
// those changes from anyone but the ledger's own sync, with words that say where to change them. What we own
// (owner, description, chases, promises, holds, disputes, the client's answers) stays editable.
import { and, eq, inArray } from 'drizzle-orm';
import type { Transaction } from '../db/client.js';
import { type InvoiceRow, ledgerConnections, ledgerLinks } from '../db/schema.js';
import { LedgerError } from './errors.js';
import type { Principal } from './policy.js';

/** How each provider is named to people. */
const LABEL: Readonly<Record<string, string>> = { xero: 'Xero', quickbooks: 'QuickBooks' };

/** What a refusal calls each form field the ledger owns. */
const WORDS: Readonly<Record<string, string>> = {
  number: 'number',
  clientId: 'client',
  currency: 'currency',
  total: 'total',
  issueDate: 'issue date',
  terms: 'terms and due date',
  basisDate: 'terms basis date',
  basisLabel: 'terms basis',
  amount: 'payments',
  reason: 'void',
};

/**
 * The provider whose ledger owns this invoice: linked to one of its invoices while the workspace's connection to
 * it is ok or broken (a disconnected ledger owns nothing any more). Undefined for an invoice typed here.
 */
export async function ledgerOwnerOf(tx: Transaction, teamId: string, invoiceId: string): Promise<string | undefined> {
  const [owner] = await tx
    .select({ provider: ledgerLinks.provider })
    .from(ledgerLinks)
    .innerJoin(
      ledgerConnections,
      and(eq(ledgerConnections.teamId, ledgerLinks.teamId), eq(ledgerConnections.provider, ledgerLinks.provider)),
    )
    .where(
      and(
        eq(ledgerLinks.teamId, teamId),
        eq(ledgerLinks.kind, 'invoice'),
        eq(ledgerLinks.localId, invoiceId),
        inArray(ledgerConnections.status, ['ok', 'broken']),
      ),
    )
    .limit(1);
  return owner?.provider;
}

/**
 * Throws LEDGER_OWNED, naming each field, when the invoice belongs to a connected ledger and the principal is not
 * that ledger's sync. `fields` are the form fields the change touches (none: nothing to refuse).
 * `what` says the change in words ("change its total", "record a payment"), defaulting to the fields'.
 */
export async function refuseLedgerOwned(
  tx: Transaction,
  teamId: string,
  principal: Principal,
  row: Pick<InvoiceRow, 'id' | 'number'>,
  fields: readonly string[],
  what?: string,
): Promise<void> {
  if (fields.length === 0) return;
  const provider = await ledgerOwnerOf(tx, teamId, row.id);
  if (provider === undefined) return;
  // The sync acts as the ledger itself (operatorPrincipal(provider)): it is how the ledger's facts arrive.
  if (principal.type === 'system' && principal.id === provider) return;
  const label = LABEL[provider] ?? provider;
  const unique = [...new Set(fields)];
  const change = what ?? `change its ${joinWords(unique.map((f) => WORDS[f] ?? f))}`;
  const message = `${row.number} comes from ${label}: ${change} in ${label}; the change reaches here at the next sync.`;
  // On a form: the whole sentence on the one field a payment or a void is about; on an edit, each field says it.
  const onField = what ? message : `comes from ${label}: change it in ${label}, and it changes here at the next sync`;
  throw new LedgerError(
    'LEDGER_OWNED',
    message,
    unique.map((field) => ({ field, message: onField })),
  );
}

function joinWords(words: readonly string[]): string {
  const unique = [...new Set(words)];
  if (unique.length <= 1) return unique.join('');
  return `${unique.slice(0, -1).join(', ')} and ${unique.at(-1)}`;
}
