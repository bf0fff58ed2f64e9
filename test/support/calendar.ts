import { gql } from './client';
import type { TestServer } from './server';

export const ITEM_FIELDS =
  'id type title startTime endTime progressPercent recurrenceRule timeZone status completedAt location';

/** Creates a calendar item for the signed-in user and returns it. */
export async function buildItem(
  server: TestServer,
  token: string,
  input: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await gql(
    server.url,
    `mutation($input: CreateCalendarItemInput!) { createCalendarItem(input: $input) { ${ITEM_FIELDS} } }`,
    { input: { type: 'EVENT', title: 'Dentist', startTime: '2026-12-01T09:00:00Z', ...input } },
    token,
  );
  if (!res.data?.createCalendarItem) throw new Error(`createCalendarItem failed: ${JSON.stringify(res.errors)}`);
  return res.data.createCalendarItem;
}

export const TRIGGER_FIELDS = `id triggerType isActive nextFireAt lastFiredAt missedPolicy
  condition { time { at cron timeZone minutesBefore } location { latitude longitude radiusMeters on }
    progress { thresholdPercent once } nfc { tagId } haState { connectionId entityId from to forSeconds } }
  action { type title message status url timeoutMs connectionId domain service serviceData target }`;

/** Adds a trigger to an item and returns it. */
export async function buildTrigger(
  server: TestServer,
  token: string,
  calendarItemId: string,
  condition: Record<string, unknown>,
  action: Record<string, unknown> = { type: 'NOTIFY' },
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await gql(
    server.url,
    `mutation($input: CreateTriggerInput!) { createTrigger(input: $input) { ${TRIGGER_FIELDS} } }`,
    { input: { calendarItemId, condition, action, ...extra } },
    token,
  );
  if (!res.data?.createTrigger) throw new Error(`createTrigger failed: ${JSON.stringify(res.errors)}`);
  return res.data.createTrigger;
}
