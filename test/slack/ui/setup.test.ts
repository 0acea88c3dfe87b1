// The first minute's builders on their whole payload: the App Home's "still to set up", the refusal naming who can,
// and the setup message's steps as the workspace fills in.
import { describe, expect, it } from 'vitest';
import { homeSetupBlocks, SETUP, setupDenied, setupMessage } from '../../../src/slack/ui/setup.js';
import { ALICE, makeWorkspace, NOW } from './fixtures.js';

const ALL_MISSING = { timeZone: true, financeChannel: true, financeAdmins: true };
const NONE_MISSING = { timeZone: false, financeChannel: false, financeAdmins: false };

describe('homeSetupBlocks', () => {
  it('lists what is still not set with a button to finish, and nothing once it is set up', () => {
    expect(homeSetupBlocks({ gaps: ALL_MISSING, timeZone: 'UTC' })).toEqual([
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: '⚙️ *Finish setting up*\n• *Time zone:* not set yet — still UTC\n• *Finance channel:* not set\n• *Finance admins:* nobody yet',
        },
        accessory: {
          type: 'button',
          text: { type: 'plain_text', text: 'Finish setup' },
          action_id: SETUP.homeFinish,
          value: SETUP.homeFinish,
          style: 'primary',
        },
      },
    ]);
    expect(homeSetupBlocks({ gaps: NONE_MISSING, timeZone: 'Europe/Paris' })).toEqual([]);
  });
});

describe('setupDenied', () => {
  it('names the finance admins and the group who can change the settings, never a stored non-id', () => {
    expect(setupDenied({ financeAdmins: [ALICE, 'not-an-id'], financeAdminGroup: 'S0FIN' })).toEqual({
      text: `🔒 Only the finance admins can change these settings: <@${ALICE}>, the members of <!subteam^S0FIN>. Ask one of them to do it, or to add you.`,
      blocks: [
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `🔒 Only the finance admins can change these settings: <@${ALICE}>, the members of <!subteam^S0FIN>. Ask one of them to do it, or to add you.`,
          },
        },
      ],
    });
  });
});

describe('setupMessage', () => {
  const fresh = makeWorkspace({ name: 'Acme <!channel>', timeZone: 'UTC', financeChannel: null, financeAdmins: [] });

  it('proposes the profile zone while none is chosen, and never shows a silent UTC', () => {
    const m = setupMessage({
      workspace: fresh,
      gaps: ALL_MISSING,
      now: NOW,
      proposedZone: 'Asia/Kathmandu',
      membership: 'unknown',
    });
    expect(m.text).toBe(
      'Set up Receivables for Acme &lt;!channel&gt;: still to choose the finance channel, the time zone, the finance admins.',
    );
    const zone = m.blocks.find((b) => (b as { block_id?: string }).block_id === SETUP.zone);
    expect(zone).toEqual({
      type: 'actions',
      block_id: SETUP.zone,
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Use Asia/Kathmandu (UTC+05:45)' },
          action_id: SETUP.useZone,
          value: 'Asia/Kathmandu',
          style: 'primary',
        },
        {
          type: 'external_select',
          action_id: SETUP.zone,
          min_query_length: 0,
          placeholder: { type: 'plain_text', text: 'Or type another city or offset' },
        },
      ],
    });
  });

  it('offers to join a public channel it is not in, and says to invite it to a private one', () => {
    const ws = makeWorkspace({ financeChannel: 'C0FIN' });
    const join = setupMessage({ workspace: ws, gaps: NONE_MISSING, now: NOW, membership: 'public' });
    expect(join.blocks).toContainEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: "I'm not in <#C0FIN> yet, so I cannot post there." },
      accessory: {
        type: 'button',
        text: { type: 'plain_text', text: 'Add me to the channel' },
        action_id: SETUP.join,
        value: 'C0FIN',
        style: 'primary',
      },
    });
    const invite = setupMessage({ workspace: ws, gaps: NONE_MISSING, now: NOW, membership: 'private' });
    expect(JSON.stringify(invite.blocks)).toContain('<#C0FIN> is private: invite me there with `/invite @Receivables`');
    expect(JSON.stringify(invite.blocks)).not.toContain(SETUP.join);
  });
});
