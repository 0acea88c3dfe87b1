// Hostile text in every field, through every message, card, modal, App Home and DM the app can produce: by
// calling each pure builder, and end to end through the Bolt app and the fake Slack, walking every string
// Slack received. What a person typed may show, escaped; it may never mention anyone, link anywhere, or
// carry control and bidi characters. (test/slack/ui/safety.test.ts holds the limits; this file the text.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { View } from '@slack/types';
import { describe, expect, it } from 'vitest';
import type { InvoiceView } from '../../src/db/queries/invoices.js';
import type { HistoryEvent } from '../../src/db/queries/views.js';
import { type DigestData, summariseDigest } from '../../src/domain/digest.js';
import { deliverDue } from '../../src/jobs/post.js';
import { createClient } from '../../src/services/clients.js';
import type { ImportReport } from '../../src/services/import.js';
import { createInvoice, logChase, placeHold, recordPayment } from '../../src/services/invoices.js';
import { answerAsClient, openClientLink, shareClient } from '../../src/services/sharing.js';
import { withLead } from '../../src/slack/live.js';
import {
  alertLead,
  channelPromptMessage,
  clientAnswerLead,
  notYetMessage,
  paidCheckMessage,
  summaryMessage,
} from '../../src/slack/ui/alerts.js';
import { invoiceCard } from '../../src/slack/ui/card.js';
import { digestMessages, digestPreview } from '../../src/slack/ui/digest.js';
import { homeView } from '../../src/slack/ui/home.js';
import { ACTION, FIELD, VIEW } from '../../src/slack/ui/ids.js';
import {
  exportComment,
  exportSentMessage,
  importCheckingView,
  importDeniedView,
  importDoneMessage,
  importFailedView,
  importModal,
  importReportView,
  importResultView,
  importWorkingView,
} from '../../src/slack/ui/io.js';
import {
  clientMessage,
  deniedMessage,
  errorMessage,
  helpMessage,
  listMessage,
  notFoundMessage,
} from '../../src/slack/ui/messages.js';
import {
  chaseModal,
  editInvoiceModal,
  historyModal,
  holdModal,
  newInvoiceModal,
  paymentModal,
  settingsModal,
  voidModal,
} from '../../src/slack/ui/modals/index.js';
import { linkExistsMessage, linkRevokedMessage, linkSharedMessage } from '../../src/slack/ui/share.js';
import { escapeText, type SlackMessage } from '../../src/slack/ui/text.js';
import {
  webhookAddedMessage,
  webhookAmbiguousMessage,
  webhookListMessage,
  webhookNotFoundMessage,
  webhookRemovedMessage,
  webhookUrlRefusedMessage,
} from '../../src/slack/ui/webhooks.js';
import { useTestBot } from '../helpers/bot.js';
import type { Args, Call } from '../helpers/fake-slack.js';
import { newInvoiceValues as sharedNewInvoiceValues } from '../helpers/forms.js';
import { posterEnv } from '../helpers/jobs.js';
import { asAdmin, asMember } from '../helpers/ledger.js';
import { stateValue } from '../helpers/signed.js';
import {
  ALICE,
  BOB,
  CLIENT_ID,
  INVOICE_ID,
  makeClientRecord,
  makeEvent,
  makeInvoice,
  makeOverview,
  makeWorkspace,
  NOW,
  TODAY,
  ZONE,
} from '../slack/ui/fixtures.js';

// ---------------------------------------------------------------------------------------------------------
// What hostile text is, and what may reach Slack

const RTL = 'שלום \u202Egnp.exe\u202C عالم \u2067x\u2069';
/** Each is put into every field a person can type; `mark` is what must show (escaped) where the field shows. */
const HOSTILE: readonly { name: string; text: string; mark: string }[] = [
  { name: 'here', text: 'Acme <!here> Ltd', mark: '&lt;!here&gt;' },
  { name: 'channel', text: '<!channel> pay now', mark: '&lt;!channel&gt;' },
  { name: 'user mention', text: 'ask <@U123>', mark: '&lt;@U123&gt;' },
  { name: 'group mention', text: '<!subteam^S1|@finance> hi', mark: '&lt;!subteam^S1|@finance&gt;' },
  {
    name: 'disguised link',
    text: '<https://evil.example|click here>',
    mark: '&lt;https://evil.example|click here&gt;',
  },
  { name: 'already escaped', text: '&lt;!here&gt; &amp; co', mark: '&amp;lt;!here&amp;gt; &amp;amp; co' },
  { name: 'bold and code', text: '*bold* _it_ ~s~ `code` > quote', mark: '*bold* _it_ ~s~ `code` &gt; quote' },
  { name: 'date token', text: '<!date^1^{date}|soon> <#C999>', mark: '&lt;!date^1^{date}|soon&gt; &lt;#C999&gt;' },
  { name: 'emoji', text: '💸🔥 Ünïcødé 請求書', mark: '💸🔥 Ünïcødé 請求書' },
  { name: 'right to left', text: RTL, mark: 'gnp.exe' },
  { name: 'very long', text: `${'<b>&'.repeat(3000)}<!here>`, mark: '&lt;b&gt;&amp;' },
  { name: 'brackets only', text: '<<>>&&<', mark: '&lt;&lt;&gt;&gt;&amp;&amp;&lt;' },
];

/** The markup the app itself writes: mentions of the people in these tests, channels, dates, its own links. */
const KNOWN_USERS = [ALICE, BOB, 'U0ADMIN', 'U0MEMBER'];
const APP_MARKUP = new RegExp(
  [
    `<@(?:${KNOWN_USERS.join('|')})>`,
    '<#C0[A-Z0-9]+>',
    '<!date\\^\\d+\\^\\{[a-z_]+\\}(?: at \\{time\\})?\\|[^<>]*>',
    '<https?://(?:status\\.example|localhost:\\d+|127\\.0\\.0\\.1:\\d+)/c/[A-Za-z0-9_-]+>',
  ].join('|'),
  'g',
);
// biome-ignore lint/suspicious/noControlCharactersInRegex: what must never reach Slack is control characters
const UNSHOWABLE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

interface Text {
  path: string;
  text: string;
  kind: 'mrkdwn' | 'plain' | 'other';
}

/** Every string in a payload, with how Slack reads it: mrkdwn (parsed for mentions and links), plain_text, or data. */
function texts(value: unknown, path = '', kind: Text['kind'] = 'other', out: Text[] = []): Text[] {
  if (typeof value === 'string') {
    out.push({ path, text: value, kind });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      texts(v, `${path}[${i}]`, 'other', out);
    });
  } else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    for (const [key, v] of Object.entries(o)) {
      let k: Text['kind'] = 'other';
      if (key === 'text' && o.type === 'mrkdwn') k = 'mrkdwn';
      else if (key === 'text' && o.type === 'plain_text') k = 'plain';
      // A message's own text (and a file's comment) is mrkdwn: the notification and screen readers read it.
      else if ((key === 'text' && o.type === undefined) || key === 'initial_comment') k = 'mrkdwn';
      texts(v, path ? `${path}.${key}` : key, k, out);
    }
  }
  return out;
}

/** What in `payload` breaks the rules; empty when nothing does. */
function violations(payload: unknown): string[] {
  const found: string[] = [];
  for (const t of texts(payload)) {
    if (UNSHOWABLE.test(t.text) && t.kind !== 'other') found.push(`${t.path}: a control or bidi character`);
    if (t.kind !== 'mrkdwn') continue;
    const rest = t.text.replace(APP_MARKUP, '');
    for (const raw of ['<!here', '<!channel', '<!everyone', '<@U123', '<!subteam', '<https://evil', '<#C999']) {
      if (t.text.includes(raw)) found.push(`${t.path}: ${raw} reached Slack unescaped`);
    }
    if (/[<>]/.test(rest)) found.push(`${t.path}: an unescaped < or > in ${JSON.stringify(rest.slice(0, 200))}`);
  }
  return found;
}

function mrkdwnOf(payload: unknown): string {
  return texts(payload)
    .filter((t) => t.kind === 'mrkdwn')
    .map((t) => t.text)
    .join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Every pure builder, fed hostile text in every field

interface Built {
  name: string;
  /** False for a builder that takes no user text (its output is still checked). */
  showsText: boolean;
  build: (h: string) => SlackMessage | View | { text: string } | string;
}

function hostileInvoice(h: string, o: Parameters<typeof makeInvoice>[0] = {}): InvoiceView {
  return makeInvoice({
    number: h,
    clientName: h,
    description: h,
    basisDate: '2026-11-05',
    basisLabel: h,
    promisedDate: '2026-11-06',
    nextFollowUp: '2026-11-20',
    ownerUserId: h,
    hold: { kind: 'dispute', reason: h, since: NOW, by: h },
    lastAction: { kind: 'chased', at: new Date('2026-11-11T15:00:00Z'), by: h },
    ...o,
  });
}

function hostileEvents(h: string): HistoryEvent[] {
  const o = { invoiceNumber: h, clientName: h };
  return [
    makeEvent(1, 'chased', { method: h, note: h, response: h, promisedDate: h, nextFollowUp: h }, o),
    makeEvent(2, 'part_paid', { amountMinor: 100n, currency: 'USD', reference: h, method: h, receivedOn: h }, o),
    makeEvent(3, 'held', { reason: h }, { ...o, actorId: h }),
    makeEvent(4, 'disputed', { reason: h }, o),
    makeEvent(5, 'released', { note: h, was: 'dispute' }, o),
    makeEvent(6, 'voided', { reason: h }, o),
    makeEvent(7, 'edited', { changes: { [h]: { from: h, to: h } } }, o),
    makeEvent(8, 'client_approved', { name: h }, { ...o, actorType: 'contact', actorId: h }),
    makeEvent(9, 'client_scheduled', { date: h, reference: h, name: h }, { ...o, actorType: 'contact', actorId: h }),
    makeEvent(10, 'client_question', { reason: h, name: h }, { ...o, actorType: 'contact', actorId: h }),
    makeEvent(11, 'client_disputed', { reason: h, name: h }, { ...o, actorType: 'contact', actorId: h }),
    makeEvent(12, h, { [h]: h }, o),
  ];
}

function hostileDigest(h: string): DigestData {
  const invoice = (id: string, state: 'overdue' | 'due' | 'sent' | 'draft') => ({
    id,
    number: h,
    clientName: h,
    currency: 'USD',
    amountDueMinor: 100_000n,
    dueDate: '2026-11-10',
    state,
    daysOverdue: state === 'overdue' ? 13 : 0,
    ownerUserId: h,
    lastAction: { kind: h, at: new Date('2026-11-18T15:00:00Z') },
    hold: { kind: 'dispute' as const, reason: h },
    promisedDate: '2026-11-20',
    promiseBroken: true,
    stale: true,
  });
  const changed = {
    invoiceId: 'i1',
    number: h,
    clientName: h,
    currency: 'USD',
    amountMinor: 5n,
    date: h,
    ownerUserId: h,
  };
  return {
    today: '2026-11-23',
    since: new Date('2026-11-16T14:00:00Z'),
    sinceDate: '2026-11-16',
    invoices: [invoice('i1', 'overdue'), invoice('i2', 'due'), invoice('i3', 'sent'), invoice('i4', 'draft')],
    totals: [
      {
        currency: 'USD',
        outstandingCount: 3,
        outstandingMinor: 300_000n,
        overdueCount: 1,
        overdueMinor: 100_000n,
        dueTodayCount: 1,
        dueTodayMinor: 100_000n,
        draftCount: 1,
        draftMinor: 100_000n,
      },
    ],
    aging: [{ currency: 'USD', bucket: '1-30', count: 1, dueMinor: 100_000n }],
    changes: {
      newInvoices: [changed],
      received: [{ currency: 'USD', count: 1, amountMinor: 5n }],
      newlyOverdue: [changed],
      promisesMade: [changed],
      promisesBroken: [changed],
      disputesOpened: [changed],
      disputesClosed: [changed],
    },
    payments: [
      {
        paymentId: 'p1',
        invoiceId: 'i1',
        number: h,
        clientName: h,
        currency: 'USD',
        amountMinor: 5n,
        receivedOn: h,
        recordedBy: h,
        recordedAt: new Date('2026-11-20T10:00:00Z'),
      },
    ],
    owners: [{ ownerUserId: h, overdue: 1, due: 1, promisesBroken: 1, stale: 1, needsAction: 4 }],
  };
}

function hostileReport(h: string, written: boolean): ImportReport {
  return {
    format: 'ledger',
    formatName: h,
    dryRun: !written,
    written,
    rows: 3,
    invoices: 3,
    created: 1,
    updated: 1,
    unchanged: 1,
    payments: 1,
    voided: 0,
    clientsCreated: 1,
    skipped: [{ line: 2, reason: h }],
    errors: written ? [] : [{ line: 3, number: h, field: h, message: h }],
    notes: [{ line: 4, number: h, message: h }],
  };
}

const META = { invoiceId: INVOICE_ID, key: 'k', version: 1, channelId: 'C0FINANCE' };
const OPTS = { now: NOW, timeZone: ZONE };
const link = (h: string) => ({
  id: 'l1',
  teamId: 'T0TEAM',
  clientId: CLIENT_ID,
  tokenHash: 'x',
  formSecret: 'y',
  createdBy: h,
  createdAt: NOW,
  lastSeenAt: NOW,
  revokedAt: null,
  revokedBy: null,
});
const endpoint = (h: string, i: number) => ({
  id: `${h}-${i}`,
  url: `https://erp.example/${encodeURIComponent(h)}`,
  active: i !== 2,
  lastEventId: 1n,
  pending: 3,
  pendingCapped: i === 1,
  waitingSince: NOW,
  nextAttemptAt: new Date(NOW.getTime() + 60_000),
  lastSuccessAt: NOW,
  lastFailureAt: NOW,
  lastError: h,
  consecutiveFailures: i,
  createdAt: NOW,
});
const failing = (h: string) => ({
  id: h,
  displayUrl: h,
  consecutiveFailures: 3,
  lastFailureAt: NOW,
  waitingSince: NOW,
  lastError: h,
  nextAttemptAt: new Date(NOW.getTime() + 60_000),
  pending: 4,
  pendingCapped: false,
});

/** Every builder in src/slack/ui that makes something a person sees, with hostile text in every field it takes. */
const BUILDERS: readonly Built[] = [
  // card.ts
  { name: 'invoiceCard (disputed)', showsText: true, build: (h) => invoiceCard(hostileInvoice(h), OPTS) },
  {
    name: 'invoiceCard (void)',
    showsText: true,
    build: (h) => invoiceCard(hostileInvoice(h, { voidedAt: NOW, voidReason: h, hold: null }), OPTS),
  },
  {
    name: 'invoiceCard (paid)',
    showsText: true,
    build: (h) => invoiceCard(hostileInvoice(h, { paidMinor: 1_000_000n, paidOn: '2026-11-10', hold: null }), OPTS),
  },
  // home.ts
  {
    name: 'homeView',
    showsText: true,
    build: (h) =>
      homeView({
        overview: makeOverview(3, () => ({ clientName: h, number: h, ownerUserId: h, promisedDate: '2026-11-01' })),
        today: TODAY,
        timeZone: ZONE,
        now: NOW,
        isEmpty: false,
        canHandleMoney: false,
        financeChannel: h,
        failingWebhooks: [failing(h), failing(`${h}2`)],
      }),
  },
  {
    name: 'homeView (one failing webhook, empty book)',
    showsText: true,
    build: (h) =>
      homeView({
        overview: makeOverview(0),
        today: TODAY,
        timeZone: ZONE,
        now: NOW,
        isEmpty: true,
        canHandleMoney: true,
        financeChannel: null,
        failingWebhooks: [failing(h)],
      }),
  },
  // messages.ts
  { name: 'helpMessage', showsText: false, build: () => helpMessage({ isEmpty: true }) },
  {
    name: 'listMessage',
    showsText: true,
    build: (h) =>
      listMessage({ overview: makeOverview(2, () => ({ clientName: h, number: h })), filterLabel: h, ...OPTS }),
  },
  {
    name: 'listMessage (nothing matches)',
    showsText: true,
    build: (h) => listMessage({ overview: makeOverview(0), filterLabel: h, ...OPTS }),
  },
  {
    name: 'clientMessage',
    showsText: true,
    build: (h) =>
      clientMessage({
        record: makeClientRecord({
          client: { id: CLIENT_ID, name: h, contactName: h, contactEmail: h, terms: h, notes: h, archived: true },
          invoices: [hostileInvoice(h)],
          history: hostileEvents(h),
        }),
        ...OPTS,
        statusLink: link(h),
      }),
  },
  { name: 'notFoundMessage (invoice)', showsText: true, build: (h) => notFoundMessage('invoice', h, h) },
  { name: 'notFoundMessage (client)', showsText: true, build: (h) => notFoundMessage('client', h) },
  { name: 'notFoundMessage (command)', showsText: true, build: (h) => notFoundMessage('command', h, h) },
  { name: 'errorMessage', showsText: true, build: (h) => errorMessage(h) },
  { name: 'deniedMessage', showsText: true, build: (h) => deniedMessage(h) },
  // modals.ts
  {
    name: 'newInvoiceModal',
    showsText: false,
    build: (h) =>
      newInvoiceModal({
        metadata: META,
        suggestedNumber: h,
        today: TODAY,
        ownerUserId: h,
        defaultCurrency: 'USD',
        initial: { clientId: CLIENT_ID, clientName: h, description: h },
      } as Parameters<typeof newInvoiceModal>[0]),
  },
  {
    name: 'paymentModal',
    showsText: true,
    build: (h) => paymentModal({ invoice: hostileInvoice(h), today: TODAY, metadata: META }),
  },
  {
    name: 'chaseModal',
    showsText: true,
    build: (h) =>
      chaseModal({
        invoice: hostileInvoice(h),
        today: TODAY,
        metadata: META,
        lastChase: hostileEvents(h)[0],
        timeZone: ZONE,
      }),
  },
  { name: 'holdModal', showsText: true, build: (h) => holdModal({ invoice: hostileInvoice(h), metadata: META }) },
  { name: 'voidModal', showsText: true, build: (h) => voidModal({ invoice: hostileInvoice(h), metadata: META }) },
  {
    name: 'editInvoiceModal',
    showsText: true,
    build: (h) => editInvoiceModal({ invoice: hostileInvoice(h), metadata: META, today: TODAY }),
  },
  {
    name: 'historyModal',
    showsText: true,
    build: (h) => historyModal({ invoice: hostileInvoice(h), events: hostileEvents(h), timeZone: ZONE }),
  },
  {
    name: 'settingsModal',
    showsText: false,
    build: (h) =>
      settingsModal({
        workspace: makeWorkspace({ name: h, financeAdmins: [h, ALICE], financeAdminGroup: h, financeChannel: h }),
        metadata: META,
        now: new Date('2026-11-23T15:00:00Z'),
      }),
  },
  // alerts.ts
  ...(['became_due', 'became_overdue', 'promise_broken', 'stale_chase'] as const).map((kind) => ({
    name: `alertLead (${kind}) above the card`,
    showsText: true,
    build: (h: string) => {
      const inv = hostileInvoice(h, { hold: null });
      const lead = alertLead(kind, inv, { averageDaysLate: 12, lastChase: hostileEvents(h)[0], timeZone: ZONE });
      return withLead(lead, invoiceCard(inv, OPTS));
    },
  })),
  ...(['approved', 'scheduled', 'question', 'dispute'] as const).map((kind) => ({
    name: `clientAnswerLead (${kind})`,
    showsText: true,
    build: (h: string) => ({
      text: clientAnswerLead(hostileInvoice(h), { kind, contact: h, name: h, reason: h, reference: h, date: h }),
    }),
  })),
  { name: 'paidCheckMessage (the owner’s DM)', showsText: true, build: (h) => paidCheckMessage(hostileInvoice(h)) },
  { name: 'notYetMessage', showsText: true, build: (h) => notYetMessage(hostileInvoice(h)) },
  {
    name: 'summaryMessage',
    showsText: false,
    build: () => summaryMessage({ became_due: 1, became_overdue: 2, promise_broken: 3, stale_chase: 4 }, TODAY),
  },
  { name: 'channelPromptMessage', showsText: false, build: () => channelPromptMessage() },
  // digest.ts
  {
    name: 'digestMessages (parent and thread)',
    showsText: true,
    build: (h) => {
      const d = digestMessages(summariseDigest(hostileDigest(h), { today: TODAY, timeZone: ZONE }), {
        today: TODAY,
        timeZone: ZONE,
        weekLabel: h,
      });
      return { text: d.parent.text, blocks: [...d.parent.blocks, ...d.replies.flatMap((r) => [r.text, r.blocks])] };
    },
  },
  {
    name: 'digestPreview',
    showsText: true,
    build: (h) => {
      const messages = digestPreview(summariseDigest(hostileDigest(h), { today: TODAY, timeZone: ZONE }), {
        today: TODAY,
        timeZone: ZONE,
        weekLabel: h,
        maxMessages: 2,
      });
      return { text: messages.map((m) => m.text).join('\n'), blocks: messages.flatMap((m) => m.blocks) };
    },
  },
  // share.ts
  {
    name: 'linkSharedMessage',
    showsText: true,
    build: (h) =>
      linkSharedMessage({
        clientName: h,
        url: 'https://status.example/c/abc_DEF-123',
        replaced: link(h),
        timeZone: ZONE,
      }),
  },
  {
    name: 'linkSharedMessage (a forged address)',
    showsText: true,
    build: (h) =>
      linkSharedMessage({ clientName: h, url: `https://status.example/c/x|${h}`, replaced: null, timeZone: ZONE }),
  },
  {
    name: 'linkExistsMessage',
    showsText: true,
    build: (h) => linkExistsMessage({ clientName: h, link: link(h), timeZone: ZONE }),
  },
  {
    name: 'linkRevokedMessage',
    showsText: true,
    build: (h) => linkRevokedMessage({ clientName: h, revoked: link(h) }),
  },
  {
    name: 'linkRevokedMessage (none)',
    showsText: true,
    build: (h) => linkRevokedMessage({ clientName: h, revoked: null }),
  },
  // webhooks.ts
  {
    name: 'webhookListMessage',
    showsText: true,
    build: (h) => webhookListMessage({ endpoints: [0, 1, 2, 3].map((i) => endpoint(h, i)), ...OPTS }),
  },
  {
    name: 'webhookAddedMessage',
    showsText: false,
    build: (h) => webhookAddedMessage({ added: { id: h, url: `https://erp.example/${h}`, secret: h }, replay: true }),
  },
  { name: 'webhookUrlRefusedMessage', showsText: true, build: (h) => webhookUrlRefusedMessage(h) },
  { name: 'webhookRemovedMessage', showsText: true, build: (h) => webhookRemovedMessage({ id: h, url: h }) },
  { name: 'webhookNotFoundMessage', showsText: true, build: (h) => webhookNotFoundMessage(h, 'malformed') },
  {
    name: 'webhookAmbiguousMessage',
    showsText: true,
    build: (h) =>
      webhookAmbiguousMessage(h, [
        { id: h, url: h },
        { id: `${h}2`, url: `https://x.example/${h}` },
      ]),
  },
  // io.ts
  { name: 'importModal', showsText: false, build: () => importModal() },
  { name: 'importCheckingView', showsText: true, build: (h) => importCheckingView(h) },
  { name: 'importWorkingView', showsText: true, build: (h) => importWorkingView(h) },
  { name: 'importFailedView', showsText: true, build: (h) => importFailedView(h, h) },
  { name: 'importDeniedView', showsText: true, build: (h) => importDeniedView(h) },
  {
    name: 'importReportView (errors)',
    showsText: true,
    build: (h) =>
      importReportView({ report: hostileReport(h, false), metadata: { key: 'k', fileId: 'F1', fileName: h } }),
  },
  {
    name: 'importReportView (ready)',
    showsText: true,
    build: (h) =>
      importReportView({
        report: { ...hostileReport(h, false), errors: [] },
        metadata: { key: 'k', fileId: 'F1', fileName: h },
      }),
  },
  {
    name: 'importResultView',
    showsText: true,
    build: (h) => importResultView({ report: hostileReport(h, true), fileName: h }),
  },
  {
    name: 'importResultView (book changed)',
    showsText: true,
    build: (h) => importResultView({ report: { ...hostileReport(h, false), written: false }, fileName: h }),
  },
  {
    name: 'importDoneMessage',
    showsText: true,
    build: (h) => importDoneMessage({ report: hostileReport(h, true), fileName: h }),
  },
  {
    name: 'exportComment',
    showsText: false,
    build: (h) => ({ text: exportComment({ what: 'history', from: h, to: h, today: TODAY, timeZone: h }) }),
  },
  { name: 'exportSentMessage', showsText: true, build: (h) => exportSentMessage(h) },
];

describe('every builder, fed hostile text in every field', () => {
  for (const builder of BUILDERS) {
    describe(builder.name, () => {
      for (const hostile of HOSTILE) {
        it(`escapes ${hostile.name}`, () => {
          const built = builder.build(hostile.text);
          const payload = typeof built === 'string' ? { text: built } : built;
          expect(violations(payload)).toEqual([]);
          // What was typed shows, escaped (its start: a field may be cut, and code spans turn ` into ').
          if (builder.showsText) expect(mrkdwnOf(payload)).toContain(hostile.mark.slice(0, 14));
        });
      }
    });
  }

  it('the check itself finds what it must: raw mentions, links and bidi controls', () => {
    expect(violations({ text: 'hi <!here>' })).not.toEqual([]);
    expect(
      violations({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '<https://evil.example|x>' } }] }),
    ).not.toEqual([]);
    expect(violations({ type: 'plain_text', text: 'a\u202Eb' })).not.toEqual([]);
    expect(violations({ text: `${escapeText('<!here>')} <@${ALICE}> <#C0FIN>` })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The code: one way in

const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('the code has one way to put text into a message', () => {
  it("writes `type: 'mrkdwn'` only in ui/blocks.ts, so every mrkdwn text goes through mrkdwn(), section() or context()", () => {
    const writers = sourceFiles(SRC).filter((f) => /type:\s*'mrkdwn'/.test(readFileSync(f, 'utf8')));
    expect(writers.map((f) => f.slice(SRC.length))).toEqual(['slack/ui/blocks.ts']);
  });

  it('makes Mrkdwn from a plain string only where the string is the app’s own rendered text, each with its reason', () => {
    const casts = sourceFiles(SRC).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((line) => /as (unknown as )?Mrkdwn\b/.test(line))
        .map(() => f.slice(SRC.length)),
    );
    // text.ts makes Mrkdwn (escaping, md, literal); live.ts reads back a lead it stored as it sent it.
    expect([...new Set(casts)].sort()).toEqual(['slack/live.ts', 'slack/ui/text.ts']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// End to end: the Bolt app and the fake Slack

const TEAM = 'T0TEAM';
const ADMIN = 'U0ADMIN';
const MEMBER = 'U0MEMBER';
const FIN = 'C0FIN';

const t = useTestBot({
  workspace: { teamId: TEAM, name: 'Acme', timeZone: 'America/New_York' },
  settings: { financeAdmins: [ADMIN], financeChannel: FIN },
});

/** Every string of every Web API call and response_url post the fake Slack received, with what breaks the rules. */
function everythingSlackReceived(calls: readonly Call[]): { violations: string[]; mrkdwn: string } {
  const out: string[] = [];
  for (const call of calls) for (const v of violations(call.args)) out.push(`${call.method} ${v}`);
  return { violations: out, mrkdwn: calls.map((c) => mrkdwnOf(c.args)).join('\n') };
}

/** A ledger whose every field a person can type holds hostile text. */
async function hostileLedger(h: (field: string, max?: number) => string) {
  const actor = asAdmin({ type: 'user', id: ADMIN }, TEAM);
  const { result: client } = await createClient(t.ledger, TEAM, actor, {
    name: h('client'),
    contactName: h('contact'),
    contactEmail: 'ap@acme.example',
    notes: h('notes'),
  });
  const make = (number: string, over: Record<string, unknown> = {}) =>
    createInvoice(t.ledger, TEAM, asMember({ type: 'user', id: MEMBER }, TEAM), {
      number,
      clientId: client.id,
      currency: 'USD',
      total: '1,000.00',
      issueDate: '2026-10-01',
      terms: 'net 30',
      basisLabel: h('basis', 40),
      description: h('description'),
      status: 'sent',
      ...over,
    });
  const { result: overdue } = await make('INV-1');
  const { result: due } = await make('INV-2', { issueDate: '2026-10-24' });
  const { result: held } = await make('INV-3', { issueDate: '2026-11-01' });
  await recordPayment(t.ledger, TEAM, actor, {
    invoice: overdue.id,
    amount: '100',
    reference: h('reference'),
    method: h('method', 60),
  });
  await logChase(t.ledger, TEAM, actor, {
    invoice: overdue.id,
    method: 'call',
    note: h('note'),
    response: h('response'),
    promisedDate: '2026-11-23',
  });
  await placeHold(t.ledger, TEAM, actor, { invoice: held.id, kind: 'dispute', reason: h('reason') });
  return { client, overdue, due, held };
}

/** Drives every surface a person (or the jobs) can make the app speak on. */
async function driveEverything(
  ledger: Awaited<ReturnType<typeof hostileLedger>>,
  h: (field: string, max?: number) => string,
) {
  const { client, overdue, due } = ledger;
  const admin = t.as(ADMIN);
  const member = t.as(MEMBER);
  const command = async (who: typeof admin, text: string, wait = 'response_url') => {
    const before = t.fake.calls(wait).length;
    await who.slashCommand({ text });
    await t.fake.waitForCount(wait, before + 1);
  };
  for (const text of ['help', 'list', `list overdue ${client.name}`, `client ${client.name}`, `show ${h('missing')}`])
    await command(member, text);
  await command(member, `client ${h('nobody')}`);
  await command(member, h('command'));
  await command(member, 'show INV-1', 'chat.postMessage');
  await command(admin, 'digest');
  await command(admin, `share ${client.name}`);
  await command(admin, `share ${client.name}`);
  await command(admin, 'webhooks');
  await command(admin, `webhooks remove ${h('id')}`);
  await command(admin, `webhooks add https://erp.example/${encodeURIComponent(h('url'))}`);
  await command(admin, 'export', 'files.completeUploadExternal');
  await command(admin, `paid INV-1 ${h('amount')}`, 'views.open');
  await command(member, `chase INV-1 ${h('chase')}`, 'views.open');
  await command(admin, 'import', 'views.open');
  await command(admin, 'settings', 'views.open');
  await command(member, 'new', 'views.open');

  const card = t.fake.last('chat.postMessage')?.response as Args;
  const action = async (action_id: string, value: string, wait = 'views.open') => {
    const before = t.fake.calls(wait).length;
    await admin.blockAction({ action_id, value, message_ts: card?.ts, channel_id: card?.channel });
    await t.fake.waitForCount(wait, before + 1);
  };
  await action(ACTION.markPaid, overdue.id);
  await action(ACTION.logChase, overdue.id);
  await action(ACTION.hold, due.id);
  for (const what of ['edit', 'void', 'history']) await action(ACTION.more, `${what}:${overdue.id}`);

  // Forms submitted with hostile text: the card is updated in place.
  const updates = t.fake.calls('chat.update').length;
  await member.viewSubmission({
    callback_id: VIEW.chase,
    private_metadata: JSON.stringify({ key: 'e2e-chase', invoiceId: overdue.id }),
    values: {
      [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.select('email') },
      [FIELD.chaseNote]: { [FIELD.chaseNote]: h('form note') },
      [FIELD.chaseResponse]: { [FIELD.chaseResponse]: h('form response') },
    },
  });
  await t.fake.waitForCount('chat.update', updates + 1);

  // The App Home.
  const publishes = t.fake.calls('views.publish').length;
  await member.eventCallback({
    event: { type: 'app_home_opened', user: MEMBER, channel: 'D0HOME', tab: 'home', event_ts: '1.000100' },
  });
  await t.fake.waitForCount('views.publish', publishes + 1);

  // The client answers on the status page; the jobs post every kind of message they have.
  const shared = await shareClient(t.ledger, TEAM, asAdmin({ type: 'user', id: ADMIN }, TEAM), { client: client.id });
  const opened = await openClientLink(t.ledger, shared.token);
  if (!opened) throw new Error('the link did not open');
  await answerAsClient(t.ledger, opened, {
    kind: 'question',
    invoiceId: due.id,
    name: h('answer name'),
    reason: h('question'),
  });
  const today = '2026-11-23';
  const delivery = (kind: string, invoiceId: string | null, channel: string) =>
    t.handle.raw(
      `insert into deliveries (team_id, key, kind, invoice_id, local_date, channel_id, next_attempt_at)
       values ($1, $2, $3, $4::uuid, $5::date, $6, '2026-11-23T00:00:00Z')`,
      [TEAM, `${kind}:${invoiceId}:${today}`, kind, invoiceId, today, channel],
    );
  await delivery('paid_check', due.id, MEMBER);
  await delivery('became_due', due.id, FIN);
  await delivery('became_overdue', overdue.id, FIN);
  await delivery('promise_broken', overdue.id, FIN);
  await delivery('stale_chase', overdue.id, FIN);
  await delivery('summary', null, FIN);
  await deliverDue(posterEnv(t.ledger, t.fake));
}

describe('end to end, what the fake Slack received', () => {
  const FIELDS_PER_RUN = 3;
  for (let run = 0; run < Math.ceil(HOSTILE.length / FIELDS_PER_RUN); run++) {
    const batch = HOSTILE.slice(run * FIELDS_PER_RUN, run * FIELDS_PER_RUN + FIELDS_PER_RUN);
    it(`holds every rule with ${batch.map((b) => b.name).join(', ')} in every field`, async () => {
      // Each field gets one of the batch's texts (a client name is unique, so each is made distinct).
      let i = 0;
      const assigned = new Map<string, string>();
      const h = (field: string, max = 150) => {
        const base = batch[i++ % batch.length]?.text ?? '';
        const text = `${base.slice(0, max - field.length - 1)} ${field}`;
        assigned.set(field, text);
        return text;
      };
      const ledger = await hostileLedger(h);
      await driveEverything(ledger, h);
      const received = everythingSlackReceived(t.fake.calls());
      expect(received.violations).toEqual([]);
      // What was typed is there to read, escaped: the client's name on its card, in the DM and the alerts.
      const client = escapeText(assigned.get('client') ?? '∅');
      expect(received.mrkdwn).toContain(client);
      // Every kind of surface was reached: replies, cards and their updates, modals, the Home tab, a file, DMs.
      const methods = new Set(t.fake.calls().map((c) => c.method));
      for (const method of ['response_url', 'chat.postMessage', 'chat.update', 'views.open', 'views.publish']) {
        expect(methods).toContain(method);
      }
      expect(methods).toContain('files.completeUploadExternal');
      // The owner's "Did … pay?" DM: its notification text names the client escaped, as its blocks do.
      const dm = t.fake.calls('chat.postMessage').find((c) => String(c.args.text).startsWith('Did '));
      expect(dm?.args.text).toContain(client.slice(0, 60));
      // The finance channel heard of the alerts and of the client's question.
      const channel = t.fake.calls('chat.postMessage').filter((c) => c.args.channel === FIN);
      expect(channel.length).toBeGreaterThanOrEqual(4);
      expect(mrkdwnOf(channel.map((c) => c.args))).toContain(escapeText(assigned.get('question') ?? '∅').slice(0, 40));
    });
  }
});

describe('odd bytes and far dates in a form get an answer on their field, and nothing is written', () => {
  function newInvoiceValues(over: Record<string, unknown> = {}) {
    return sharedNewInvoiceValues(ADMIN, over);
  }

  async function rows() {
    return t.handle.raw(
      'select (select count(*) from invoices)::int as invoices, (select count(*) from clients)::int as clients, (select count(*) from events)::int as events',
      [],
    );
  }

  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'a NUL byte in the description',
      { [FIELD.description]: { [FIELD.description]: 'Web\u0000site' } },
      FIELD.description,
      /control character \(U\+0000\)/,
    ],
    [
      'a NUL byte in the new client’s name',
      { [FIELD.newClient]: { [FIELD.newClient]: 'Init\u0000ech' } },
      FIELD.newClient,
      /control character/,
    ],
    [
      'an escape sequence in the number',
      { [FIELD.number]: { [FIELD.number]: 'INV\u001b[2J' } },
      FIELD.number,
      /control character|one word/,
    ],
    ['a NUL byte in the amount', { [FIELD.amount]: { [FIELD.amount]: '2500\u0000' } }, FIELD.amount, /U\+0000/],
    [
      'an invoice dated 9999-12-31',
      { [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('9999-12-31') } },
      FIELD.issueDate,
      /between 1900 and 2199/,
    ],
    [
      'an invoice dated 1970-01-01',
      { [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('1970-01-01') } },
      FIELD.issueDate,
      /too early/,
    ],
    [
      'an invoice dated 0001-01-01',
      { [FIELD.issueDate]: { [FIELD.issueDate]: stateValue.date('0001-01-01') } },
      FIELD.issueDate,
      /between 1900 and 2199/,
    ],
    [
      'a client name of zero-width spaces',
      { [FIELD.newClient]: { [FIELD.newClient]: '\u200B\u200B\u200D' } },
      FIELD.newClient,
      /required/,
    ],
  ];
  for (const [what, values, field, message] of cases) {
    it(`answers ${what} on its field, not "Something went wrong"`, async () => {
      const before = await rows();
      const response = await t.as(ADMIN).viewSubmission({
        callback_id: VIEW.newInvoice,
        private_metadata: JSON.stringify({ key: `odd-${field}` }),
        values: newInvoiceValues(values),
      });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ response_action: 'errors' });
      const errors = (response.body as { errors: Record<string, string> }).errors;
      expect(Object.keys(errors)).toEqual([field]);
      expect(errors[field]).toMatch(message);
      expect(errors[field]).not.toMatch(/Something went wrong/);
      expect(violations({ type: 'plain_text', text: errors[field] })).toEqual([]);
      expect(await rows()).toEqual(before);
    });
  }

  it('answers a promise in year 9999 on the chase form’s field', async () => {
    const { result: inv } = await createInvoice(t.ledger, TEAM, asAdmin({ type: 'user', id: ADMIN }, TEAM), {
      number: 'INV-9',
      clientName: 'Initech',
      currency: 'USD',
      total: '100',
      issueDate: '2026-11-01',
      status: 'sent',
    });
    const before = await rows();
    const response = await t.as(MEMBER).viewSubmission({
      callback_id: VIEW.chase,
      private_metadata: JSON.stringify({ key: 'odd-chase', invoiceId: inv.id }),
      values: {
        [FIELD.chaseMethod]: { [FIELD.chaseMethod]: stateValue.select('email') },
        [FIELD.chaseNote]: { [FIELD.chaseNote]: 'called \u0000' },
        [FIELD.promisedDate]: { [FIELD.promisedDate]: stateValue.date('9999-12-31') },
      },
    });
    const errors = (response.body as { errors: Record<string, string> }).errors;
    expect(Object.keys(errors).sort()).toEqual([FIELD.chaseNote, FIELD.promisedDate].sort());
    expect(await rows()).toEqual(before);
  });

  it('answers "/invoice client Acme<NUL>" as a name not found, not "Something went wrong"', async () => {
    await t.as(MEMBER).slashCommand({ text: 'client Acme\u0000' });
    const reply = await t.fake.waitFor('response_url');
    expect(String(reply.args.text)).toContain('There is no client Acme');
    expect(violations(reply.args)).toEqual([]);
  });
});
