// The retainer edit form and its answer, on their whole payloads: prefilled with what the retainer bills now (terms
// the menu lacks kept on offer), and the answer naming each change before → after with the next invoice's date.
import { describe, expect, it } from 'vitest';
import type { RetainerView } from '../../../src/services/retainers.js';
import { retainerEditedMessage, retainerEditModal } from '../../../src/slack/ui/retainer-edit.js';

const retainer: RetainerView = {
  id: '6f1c2a3b-0000-4000-8000-000000000001',
  clientId: 'c1',
  clientName: 'Acme <Corp>',
  currency: 'EUR',
  amountMinor: 450_000n,
  terms: { kind: 'eom', days: 15 },
  description: 'Design & support',
  ownerUserId: 'U0ALICE',
  schedule: { cadence: 'quarterly', dayOfMonth: null, startDate: '2026-11-20', endDate: '2027-12-31', maxCount: 8 },
  createAs: 'sent',
  numberPrefix: 'ACME-RET',
  status: 'paused',
  made: 2,
  lastOccurrence: '2027-02-26',
  next: '2027-05-31',
  createdBy: 'U0ALICE',
  version: 3,
};

describe('the retainer edit form', () => {
  it('is prefilled with what the retainer bills now', () => {
    const view = retainerEditModal({ retainer, metadata: { key: 'k1', retainerId: retainer.id, version: 3 } });
    expect(view).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "*Acme &lt;Corp&gt;* · \`6f1c2a3b\` · ⏸ paused
      Changes apply to the invoices not made yet; the 2 invoices it made stay as they are. A new day or cadence applies from today and never bills a month (a quarter, for a quarterly one) twice; what was due before the change is made first.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
          {
            "block_id": "r.amount",
            "element": {
              "action_id": "r.amount",
              "initial_value": "4500.00",
              "type": "plain_text_input",
            },
            "hint": {
              "text": "In the currency below.",
              "type": "plain_text",
            },
            "label": {
              "text": "Amount of each invoice",
              "type": "plain_text",
            },
            "type": "input",
          },
          {
            "block_id": "r.currency",
            "element": {
              "action_id": "r.currency",
              "initial_option": {
                "text": {
                  "text": "EUR",
                  "type": "plain_text",
                },
                "value": "EUR",
              },
              "options": [
                {
                  "text": {
                    "text": "EUR",
                    "type": "plain_text",
                  },
                  "value": "EUR",
                },
                {
                  "text": {
                    "text": "USD",
                    "type": "plain_text",
                  },
                  "value": "USD",
                },
                {
                  "text": {
                    "text": "GBP",
                    "type": "plain_text",
                  },
                  "value": "GBP",
                },
                {
                  "text": {
                    "text": "CAD",
                    "type": "plain_text",
                  },
                  "value": "CAD",
                },
                {
                  "text": {
                    "text": "AUD",
                    "type": "plain_text",
                  },
                  "value": "AUD",
                },
                {
                  "text": {
                    "text": "JPY",
                    "type": "plain_text",
                  },
                  "value": "JPY",
                },
                {
                  "text": {
                    "text": "CHF",
                    "type": "plain_text",
                  },
                  "value": "CHF",
                },
                {
                  "text": {
                    "text": "NZD",
                    "type": "plain_text",
                  },
                  "value": "NZD",
                },
                {
                  "text": {
                    "text": "SGD",
                    "type": "plain_text",
                  },
                  "value": "SGD",
                },
                {
                  "text": {
                    "text": "HKD",
                    "type": "plain_text",
                  },
                  "value": "HKD",
                },
                {
                  "text": {
                    "text": "SEK",
                    "type": "plain_text",
                  },
                  "value": "SEK",
                },
                {
                  "text": {
                    "text": "NOK",
                    "type": "plain_text",
                  },
                  "value": "NOK",
                },
                {
                  "text": {
                    "text": "DKK",
                    "type": "plain_text",
                  },
                  "value": "DKK",
                },
                {
                  "text": {
                    "text": "PLN",
                    "type": "plain_text",
                  },
                  "value": "PLN",
                },
                {
                  "text": {
                    "text": "CZK",
                    "type": "plain_text",
                  },
                  "value": "CZK",
                },
                {
                  "text": {
                    "text": "HUF",
                    "type": "plain_text",
                  },
                  "value": "HUF",
                },
                {
                  "text": {
                    "text": "INR",
                    "type": "plain_text",
                  },
                  "value": "INR",
                },
                {
                  "text": {
                    "text": "CNY",
                    "type": "plain_text",
                  },
                  "value": "CNY",
                },
                {
                  "text": {
                    "text": "ZAR",
                    "type": "plain_text",
                  },
                  "value": "ZAR",
                },
                {
                  "text": {
                    "text": "BRL",
                    "type": "plain_text",
                  },
                  "value": "BRL",
                },
                {
                  "text": {
                    "text": "MXN",
                    "type": "plain_text",
                  },
                  "value": "MXN",
                },
                {
                  "text": {
                    "text": "AED",
                    "type": "plain_text",
                  },
                  "value": "AED",
                },
                {
                  "text": {
                    "text": "SAR",
                    "type": "plain_text",
                  },
                  "value": "SAR",
                },
                {
                  "text": {
                    "text": "ILS",
                    "type": "plain_text",
                  },
                  "value": "ILS",
                },
                {
                  "text": {
                    "text": "KRW",
                    "type": "plain_text",
                  },
                  "value": "KRW",
                },
                {
                  "text": {
                    "text": "TWD",
                    "type": "plain_text",
                  },
                  "value": "TWD",
                },
                {
                  "text": {
                    "text": "THB",
                    "type": "plain_text",
                  },
                  "value": "THB",
                },
                {
                  "text": {
                    "text": "MYR",
                    "type": "plain_text",
                  },
                  "value": "MYR",
                },
                {
                  "text": {
                    "text": "PHP",
                    "type": "plain_text",
                  },
                  "value": "PHP",
                },
                {
                  "text": {
                    "text": "IDR",
                    "type": "plain_text",
                  },
                  "value": "IDR",
                },
                {
                  "text": {
                    "text": "TRY",
                    "type": "plain_text",
                  },
                  "value": "TRY",
                },
              ],
              "type": "static_select",
            },
            "label": {
              "text": "Currency",
              "type": "plain_text",
            },
            "type": "input",
          },
          {
            "block_id": "r.terms",
            "element": {
              "action_id": "r.terms",
              "initial_option": {
                "text": {
                  "text": "end of month + 15",
                  "type": "plain_text",
                },
                "value": "end of month + 15",
              },
              "options": [
                {
                  "text": {
                    "text": "end of month + 15",
                    "type": "plain_text",
                  },
                  "value": "end of month + 15",
                },
                {
                  "text": {
                    "text": "Net 7",
                    "type": "plain_text",
                  },
                  "value": "Net 7",
                },
                {
                  "text": {
                    "text": "Net 15",
                    "type": "plain_text",
                  },
                  "value": "Net 15",
                },
                {
                  "text": {
                    "text": "Net 30",
                    "type": "plain_text",
                  },
                  "value": "Net 30",
                },
                {
                  "text": {
                    "text": "Net 45",
                    "type": "plain_text",
                  },
                  "value": "Net 45",
                },
                {
                  "text": {
                    "text": "Net 60",
                    "type": "plain_text",
                  },
                  "value": "Net 60",
                },
                {
                  "text": {
                    "text": "Net 90",
                    "type": "plain_text",
                  },
                  "value": "Net 90",
                },
                {
                  "text": {
                    "text": "Due on receipt",
                    "type": "plain_text",
                  },
                  "value": "Due on receipt",
                },
                {
                  "text": {
                    "text": "End of month",
                    "type": "plain_text",
                  },
                  "value": "End of month",
                },
              ],
              "type": "static_select",
            },
            "hint": {
              "text": "Each invoice is due this long after its own date.",
              "type": "plain_text",
            },
            "label": {
              "text": "Payment terms",
              "type": "plain_text",
            },
            "type": "input",
          },
          {
            "block_id": "r.description",
            "element": {
              "action_id": "r.description",
              "initial_value": "Design & support",
              "max_length": 2000,
              "multiline": true,
              "type": "plain_text_input",
            },
            "label": {
              "text": "Description",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "r.owner",
            "element": {
              "action_id": "r.owner",
              "initial_user": "U0ALICE",
              "type": "users_select",
            },
            "hint": {
              "text": "Hears of each invoice in a DM; with no owner, the finance channel hears.",
              "type": "plain_text",
            },
            "label": {
              "text": "Owner",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "r.cadence",
            "element": {
              "action_id": "r.cadence",
              "initial_option": {
                "text": {
                  "text": "Quarter (every third month from the start)",
                  "type": "plain_text",
                },
                "value": "quarterly",
              },
              "options": [
                {
                  "text": {
                    "text": "Month",
                    "type": "plain_text",
                  },
                  "value": "monthly",
                },
                {
                  "text": {
                    "text": "Quarter (every third month from the start)",
                    "type": "plain_text",
                  },
                  "value": "quarterly",
                },
              ],
              "type": "static_select",
            },
            "label": {
              "text": "Every",
              "type": "plain_text",
            },
            "type": "input",
          },
          {
            "block_id": "r.day",
            "element": {
              "action_id": "r.day",
              "initial_option": {
                "text": {
                  "text": "The last working day",
                  "type": "plain_text",
                },
                "value": "last_working_day",
              },
              "options": [
                {
                  "text": {
                    "text": "1",
                    "type": "plain_text",
                  },
                  "value": "1",
                },
                {
                  "text": {
                    "text": "2",
                    "type": "plain_text",
                  },
                  "value": "2",
                },
                {
                  "text": {
                    "text": "3",
                    "type": "plain_text",
                  },
                  "value": "3",
                },
                {
                  "text": {
                    "text": "4",
                    "type": "plain_text",
                  },
                  "value": "4",
                },
                {
                  "text": {
                    "text": "5",
                    "type": "plain_text",
                  },
                  "value": "5",
                },
                {
                  "text": {
                    "text": "6",
                    "type": "plain_text",
                  },
                  "value": "6",
                },
                {
                  "text": {
                    "text": "7",
                    "type": "plain_text",
                  },
                  "value": "7",
                },
                {
                  "text": {
                    "text": "8",
                    "type": "plain_text",
                  },
                  "value": "8",
                },
                {
                  "text": {
                    "text": "9",
                    "type": "plain_text",
                  },
                  "value": "9",
                },
                {
                  "text": {
                    "text": "10",
                    "type": "plain_text",
                  },
                  "value": "10",
                },
                {
                  "text": {
                    "text": "11",
                    "type": "plain_text",
                  },
                  "value": "11",
                },
                {
                  "text": {
                    "text": "12",
                    "type": "plain_text",
                  },
                  "value": "12",
                },
                {
                  "text": {
                    "text": "13",
                    "type": "plain_text",
                  },
                  "value": "13",
                },
                {
                  "text": {
                    "text": "14",
                    "type": "plain_text",
                  },
                  "value": "14",
                },
                {
                  "text": {
                    "text": "15",
                    "type": "plain_text",
                  },
                  "value": "15",
                },
                {
                  "text": {
                    "text": "16",
                    "type": "plain_text",
                  },
                  "value": "16",
                },
                {
                  "text": {
                    "text": "17",
                    "type": "plain_text",
                  },
                  "value": "17",
                },
                {
                  "text": {
                    "text": "18",
                    "type": "plain_text",
                  },
                  "value": "18",
                },
                {
                  "text": {
                    "text": "19",
                    "type": "plain_text",
                  },
                  "value": "19",
                },
                {
                  "text": {
                    "text": "20",
                    "type": "plain_text",
                  },
                  "value": "20",
                },
                {
                  "text": {
                    "text": "21",
                    "type": "plain_text",
                  },
                  "value": "21",
                },
                {
                  "text": {
                    "text": "22",
                    "type": "plain_text",
                  },
                  "value": "22",
                },
                {
                  "text": {
                    "text": "23",
                    "type": "plain_text",
                  },
                  "value": "23",
                },
                {
                  "text": {
                    "text": "24",
                    "type": "plain_text",
                  },
                  "value": "24",
                },
                {
                  "text": {
                    "text": "25",
                    "type": "plain_text",
                  },
                  "value": "25",
                },
                {
                  "text": {
                    "text": "26",
                    "type": "plain_text",
                  },
                  "value": "26",
                },
                {
                  "text": {
                    "text": "27",
                    "type": "plain_text",
                  },
                  "value": "27",
                },
                {
                  "text": {
                    "text": "28",
                    "type": "plain_text",
                  },
                  "value": "28",
                },
                {
                  "text": {
                    "text": "29, or the last day of a shorter month",
                    "type": "plain_text",
                  },
                  "value": "29",
                },
                {
                  "text": {
                    "text": "30, or the last day of a shorter month",
                    "type": "plain_text",
                  },
                  "value": "30",
                },
                {
                  "text": {
                    "text": "31, or the last day of a shorter month",
                    "type": "plain_text",
                  },
                  "value": "31",
                },
                {
                  "text": {
                    "text": "The last working day",
                    "type": "plain_text",
                  },
                  "value": "last_working_day",
                },
              ],
              "type": "static_select",
            },
            "hint": {
              "text": "Started 2026-11-20; quarters count from that month.",
              "type": "plain_text",
            },
            "label": {
              "text": "On day",
              "type": "plain_text",
            },
            "type": "input",
          },
          {
            "block_id": "r.end_date",
            "element": {
              "action_id": "r.end_date",
              "initial_date": "2027-12-31",
              "type": "datepicker",
            },
            "hint": {
              "text": "No invoice after it.",
              "type": "plain_text",
            },
            "label": {
              "text": "Ending",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "r.count",
            "element": {
              "action_id": "r.count",
              "initial_value": "8",
              "max_length": 4,
              "type": "plain_text_input",
            },
            "hint": {
              "text": "It has made 2.",
              "type": "plain_text",
            },
            "label": {
              "text": "Or after this many invoices in all",
              "type": "plain_text",
            },
            "optional": true,
            "type": "input",
          },
          {
            "block_id": "r.create_as",
            "element": {
              "action_id": "r.create_as",
              "initial_option": {
                "text": {
                  "text": "As sent (the client gets it another way)",
                  "type": "plain_text",
                },
                "value": "sent",
              },
              "options": [
                {
                  "text": {
                    "text": "As a draft, for someone to send",
                    "type": "plain_text",
                  },
                  "value": "draft",
                },
                {
                  "text": {
                    "text": "As sent (the client gets it another way)",
                    "type": "plain_text",
                  },
                  "value": "sent",
                },
              ],
              "type": "radio_buttons",
            },
            "label": {
              "text": "Each invoice is made",
              "type": "plain_text",
            },
            "type": "input",
          },
        ],
        "callback_id": "view.retainer_edit",
        "close": {
          "text": "Cancel",
          "type": "plain_text",
        },
        "private_metadata": "{"key":"k1","retainerId":"6f1c2a3b-0000-4000-8000-000000000001","version":3}",
        "submit": {
          "text": "Save",
          "type": "plain_text",
        },
        "title": {
          "text": "Edit retainer",
          "type": "plain_text",
        },
        "type": "modal",
      }
    `);
  });

  it('answers with each change, before and after, and when the next invoice comes', () => {
    const message = retainerEditedMessage({
      retainer: { ...retainer, status: 'active' },
      changes: [
        { field: 'amount', from: '€4,000.00', to: '€4,500.00' },
        { field: 'owner', from: null, to: 'U0ALICE' },
        { field: 'dayOfMonth', from: '15th', to: 'the last working day' },
      ],
      made: [
        {
          retainerId: retainer.id,
          occurrenceDate: '2027-02-15',
          invoiceId: 'i1',
          number: 'ACME-RET-2027-02-15',
          caughtUp: true,
        },
      ],
    });
    expect(message).toMatchInlineSnapshot(`
      {
        "blocks": [
          {
            "text": {
              "text": "✏️ Retainer edited — amount €4,000.00 → €4,500.00 · owner none → <@U0ALICE> · day 15th → the last working day
      *Acme &lt;Corp&gt;* · €4,500.00 quarterly on the last working day · end of month + 15 · made as sent · until 2027-12-31 or 8 invoices · Design &amp; support
      next 2027-05-31 · 2 made · owner <@U0ALICE> · \`6f1c2a3b\`
      Made first, as due before the change: *ACME-RET-2027-02-15*.
      The next invoice is made on 2027-05-31.",
              "type": "mrkdwn",
            },
            "type": "section",
          },
        ],
        "text": "✏️ Retainer edited — amount €4,000.00 → €4,500.00 · owner none → <@U0ALICE> · day 15th → the last working day
      *Acme &lt;Corp&gt;* · €4,500.00 quarterly on the last working day · end of month + 15 · made as sent · until 2027-12-31 or 8 invoices · Design &amp; support
      next 2027-05-31 · 2 made · owner <@U0ALICE> · \`6f1c2a3b\`
      Made first, as due before the change: *ACME-RET-2027-02-15*.
      The next invoice is made on 2027-05-31.",
      }
    `);
  });
});
