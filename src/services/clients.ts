// Clients: who is billed, their contact and default terms. Names are unique per workspace, any case.
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type ClientRow, clients } from '../db/schema.js';
import type { LedgerContext, WriteOptions } from './context.js';
import { isUniqueViolation, LedgerError } from './errors.js';
import { actorOf, authorize, type Principal } from './policy.js';
import { idempotencyKey, optionalText, requiredText, termsDays, uuid, version } from './schemas.js';
import { appendEvent, loadWorkspace, parseInput, type Written, write } from './write.js';

const email = z
  .string()
  .trim()
  .transform((v) => (v === '' ? null : v))
  .pipe(z.email({ message: 'must be an email address like ap@acme.com' }).nullable())
  .nullish()
  .transform((v) => v ?? null);

const defaultTerms = z.object({
  kind: z.enum(['net', 'receipt', 'eom'], { message: 'must be net, receipt or eom' }),
  days: termsDays,
});

const createSchema = z.object({
  name: requiredText(200),
  contactName: optionalText(200),
  contactEmail: email,
  terms: defaultTerms.optional(),
  notes: optionalText(4000, { multiline: true }),
});

const updateSchema = z.object({
  clientId: uuid,
  expectedVersion: version.optional(),
  changes: createSchema.partial().extend({ archived: z.boolean().optional() }),
});

/** The same rules for the bulk import, which plans its new clients before writing them. */
export { createSchema as createClientSchema };

export type CreateClientInput = z.input<typeof createSchema>;
export type UpdateClientInput = z.input<typeof updateSchema>;

export async function createClient(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: CreateClientInput,
  options: WriteOptions = {},
): Promise<Written<ClientRow>> {
  authorize(principal, 'createClient', teamId);
  const data = parseInput(createSchema, input);
  const actor = actorOf(principal);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  try {
    return await write(ctx, { teamId, operation: 'createClient', idempotencyKey: key }, async (tx) => {
      await loadWorkspace(tx, teamId);
      await refuseDuplicateName(tx, teamId, data.name);
      const [client] = await tx
        .insert(clients)
        .values({
          teamId,
          name: data.name,
          contactName: data.contactName,
          contactEmail: data.contactEmail,
          termsKind: data.terms?.kind ?? 'net',
          termsDays: data.terms?.kind === 'receipt' ? 0 : (data.terms?.days ?? 30),
          notes: data.notes,
          createdAt: ctx.clock.now(),
        })
        .returning();
      if (!client) throw new Error('client insert returned no row');
      await appendEvent(tx, {
        teamId,
        clientId: client.id,
        kind: 'client_created',
        actor,
        at: ctx.clock.now(),
        details: { name: client.name, contactName: client.contactName, contactEmail: client.contactEmail },
      });
      return client;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'clients_team_name_key')) throw duplicateName(data.name);
    throw error;
  }
}

export async function updateClient(
  ctx: LedgerContext,
  teamId: string,
  principal: Principal,
  input: UpdateClientInput,
  options: WriteOptions = {},
): Promise<Written<ClientRow>> {
  authorize(principal, 'updateClient', teamId);
  const data = parseInput(updateSchema, input);
  const actor = actorOf(principal);
  const key = parseInput(idempotencyKey, options.idempotencyKey);
  try {
    return await write(ctx, { teamId, operation: 'updateClient', idempotencyKey: key }, async (tx) => {
      const [current] = await tx
        .select()
        .from(clients)
        .where(and(eq(clients.teamId, teamId), eq(clients.id, data.clientId)))
        .for('update');
      if (!current) throw new LedgerError('CLIENT_NOT_FOUND', 'That client does not exist in this workspace.');
      if (data.expectedVersion !== undefined && data.expectedVersion !== current.version) {
        throw new LedgerError(
          'CONFLICT',
          `${current.name} was changed by someone else meanwhile; reload and try again.`,
        );
      }
      const { terms, ...rest } = data.changes;
      const set: Partial<typeof clients.$inferInsert> = { ...rest };
      if (terms) {
        set.termsKind = terms.kind;
        set.termsDays = terms.kind === 'receipt' ? 0 : terms.days;
      }
      if (rest.name && rest.name.toLowerCase() !== current.name.toLowerCase()) {
        await refuseDuplicateName(tx, teamId, rest.name);
      }
      const changed = changedFields(current, set);
      if (Object.keys(changed).length === 0) return current;
      const [client] = await tx
        .update(clients)
        .set({ ...set, version: current.version + 1 })
        .where(and(eq(clients.teamId, teamId), eq(clients.id, current.id)))
        .returning();
      if (!client) throw new Error('client update returned no row');
      await appendEvent(tx, {
        teamId,
        clientId: client.id,
        kind: 'client_updated',
        actor,
        at: ctx.clock.now(),
        details: { changes: changed },
      });
      return client;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'clients_team_name_key')) throw duplicateName(String(data.changes.name));
    throw error;
  }
}

/** Finds a client by id or by name (any case), in this workspace only. */
export async function findClient(ctx: LedgerContext, teamId: string, idOrName: string): Promise<ClientRow | undefined> {
  const isId = uuid.safeParse(idOrName).success;
  const [row] = await ctx.db
    .select()
    .from(clients)
    .where(
      and(
        eq(clients.teamId, teamId),
        isId ? eq(clients.id, idOrName) : sql`lower(${clients.name}) = lower(${idOrName.trim()})`,
      ),
    );
  return row;
}

async function refuseDuplicateName(tx: Parameters<Parameters<typeof write>[2]>[0], teamId: string, name: string) {
  const [existing] = await tx
    .select({ id: clients.id, name: clients.name })
    .from(clients)
    .where(and(eq(clients.teamId, teamId), sql`lower(${clients.name}) = lower(${name})`));
  if (existing) throw duplicateName(existing.name);
}

function duplicateName(name: string) {
  return new LedgerError('DUPLICATE_CLIENT', `A client named "${name}" already exists; pick it instead of adding it.`, [
    { field: 'name', message: `a client named "${name}" already exists` },
  ]);
}

export function changedFields<T extends object>(
  current: T,
  next: Partial<T>,
): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(next)) {
    const from = (current as Record<string, unknown>)[field];
    if (to !== undefined && from !== to) changed[field] = { from, to };
  }
  return changed;
}
