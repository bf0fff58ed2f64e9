import { deflateSync } from 'node:zlib';
import { inspectImage } from '../../src/modules/workflows/image-check';
import {
  canTransition,
  DEFAULT_HEALTH_SETTINGS,
  parseHealthSettings,
  statusAfterRun,
} from '../../src/modules/workflows/workflow-lifecycle';
import { WorkflowStatus } from '../../src/modules/workflows/workflow.enums';
import { png } from '../support/workflows';

const { DRAFT, PROCESSING, ACTIVE, NEEDS_REVIEW, BROKEN, ARCHIVED } = WorkflowStatus;
const settings = { brokenAfterFailures: 3, reviewWindowRuns: 4, reviewBelowSuccessRate: 0.5 };

describe('the workflow lifecycle', () => {
  const cases: Array<[WorkflowStatus, WorkflowStatus, boolean]> = [
    [DRAFT, PROCESSING, true],
    [DRAFT, ACTIVE, false],
    [DRAFT, BROKEN, false],
    [PROCESSING, ACTIVE, true],
    [PROCESSING, NEEDS_REVIEW, false],
    [ACTIVE, NEEDS_REVIEW, true],
    [NEEDS_REVIEW, ACTIVE, true],
    [NEEDS_REVIEW, BROKEN, true],
    [BROKEN, ACTIVE, true],
    [BROKEN, DRAFT, false],
    [ACTIVE, DRAFT, false],
    [ARCHIVED, ACTIVE, false],
    [ARCHIVED, DRAFT, true],
    ...Object.values(WorkflowStatus).map((s): [WorkflowStatus, WorkflowStatus, boolean] => [s, ARCHIVED, true]),
  ];
  it.each(cases)('%s → %s allowed: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('breaks after N failures in a row, and needs review below the rate over a full window', () => {
    expect(statusAfterRun(ACTIVE, 3, { runs: 3, successes: 0 }, settings)).toBe(BROKEN);
    expect(statusAfterRun(NEEDS_REVIEW, 3, { runs: 4, successes: 1 }, settings)).toBe(BROKEN);
    expect(statusAfterRun(ACTIVE, 2, { runs: 3, successes: 1 }, settings)).toBe(ACTIVE); // window not full
    expect(statusAfterRun(ACTIVE, 1, { runs: 4, successes: 1 }, settings)).toBe(NEEDS_REVIEW);
    expect(statusAfterRun(ACTIVE, 0, { runs: 4, successes: 2 }, settings)).toBe(ACTIVE); // 50 % is not below 50 %
    expect(statusAfterRun(NEEDS_REVIEW, 0, { runs: 4, successes: 4 }, settings)).toBe(NEEDS_REVIEW); // a person decides
    for (const status of [DRAFT, PROCESSING, BROKEN, ARCHIVED]) {
      expect(statusAfterRun(status, 10, { runs: 10, successes: 0 }, settings)).toBe(status);
    }
  });

  it('reads the settings a workspace keeps, falling back to the defaults', () => {
    expect(parseHealthSettings(undefined)).toEqual(DEFAULT_HEALTH_SETTINGS);
    expect(parseHealthSettings({ brokenAfterFailures: 5 })).toEqual({
      ...DEFAULT_HEALTH_SETTINGS,
      brokenAfterFailures: 5,
    });
    expect(parseHealthSettings({ brokenAfterFailures: 0.5, reviewWindowRuns: 'x', reviewBelowSuccessRate: 3 })).toEqual(
      DEFAULT_HEALTH_SETTINGS,
    );
  });
});

describe('image detection', () => {
  it('knows PNG, GIF, JPEG and WebP by their bytes and reads their size', () => {
    expect(inspectImage(png(1, 7, 2))).toEqual({ format: 'png', contentType: 'image/png', width: 7, height: 2 });
    const gif = Buffer.concat([Buffer.from('GIF89a'), Buffer.from([5, 0, 3, 0]), Buffer.alloc(20)]);
    expect(inspectImage(gif)).toMatchObject({ format: 'gif', width: 5, height: 3 });
    // a JPEG's header: SOI, a JFIF segment, then a SOF0 segment with height 9 and width 11
    const jfif = [0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    const jpeg = Buffer.from([0xff, 0xd8, ...jfif, 0xff, 0xc0, 0, 11, 8, 0, 9, 0, 11, 3, 1, 0x22, 0, 0xff, 0xd9]);
    expect(inspectImage(jpeg)).toMatchObject({ format: 'jpeg', width: 11, height: 9 });
    // a lossless WebP header (VP8L) of 3 × 2
    const vp8l = Buffer.concat([Buffer.from('VP8L'), Buffer.from([5, 0, 0, 0, 0x2f, 0x02, 0x40, 0x00, 0x00, 0])]);
    const webp = Buffer.concat([
      Buffer.from('RIFF'),
      Buffer.from([4 + vp8l.length, 0, 0, 0]),
      Buffer.from('WEBP'),
      vp8l,
    ]);
    expect(inspectImage(webp)).toEqual({ format: 'webp', contentType: 'image/webp', width: 3, height: 2 });
  });

  it('refuses what only looks like an image', () => {
    expect(inspectImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'))).toBeNull();
    expect(inspectImage(Buffer.from('%PDF-1.7'))).toBeNull();
    expect(inspectImage(deflateSync(png(1)))).toBeNull();
    expect(inspectImage(Buffer.from('GIF8'))).toBeNull();
    expect(inspectImage(Buffer.alloc(0))).toBeNull();
  });
});
