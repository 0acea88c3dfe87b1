// Who holds a claim on a delivery or a webhook endpoint: a stable instance name and this boot's nonce.
// A claim whose instance is ours but whose boot is not can only be our own dead predecessor's (a process
// that crashed or was killed), so a restart takes it over at once instead of waiting for it to lapse.
// The name is stable only where that is provable: one embedded database belongs to one process (its data
// folder is locked), and a REPLICA_ID is the operator's promise that no two live replicas share it.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';

import type { ClaimHolder } from './deliveries.js';

export type { ClaimHolder };

/** A holder no later process will ever recognise as its own: its claims are taken only after they lapse. */
export function transientHolder(): ClaimHolder {
  const boot = randomUUID();
  return { instance: `boot:${boot}`, boot };
}

export function processHolder(params: {
  replicaId?: string | undefined;
  /** Set when running on the embedded database (DATABASE_URL unset). */
  embeddedDataDir?: string | undefined;
}): ClaimHolder {
  if (params.replicaId) return { instance: `${hostname()}/${params.replicaId}`, boot: randomUUID() };
  if (params.embeddedDataDir)
    return { instance: `embedded:${path.resolve(params.embeddedDataDir)}`, boot: randomUUID() };
  // Several processes may share PostgreSQL from one host: nothing proves a claim is our predecessor's.
  return transientHolder();
}
