import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { Integration } from './integration.entity';
import { QuestProvider, RawEventStatus } from './quest.enums';

/**
 * A payload as received: a GitHub webhook delivery (one row per `X-GitHub-Delivery`) or a day of a
 * Fitbit sync (one row per day, replaced when the day is synced again). Kept whatever became of
 * it, with the error when it could not be normalised.
 */
@Entity({ tableName: 'raw_events' })
@Unique({ properties: ['integration', 'deliveryId'] })
@Index({ properties: ['user', 'receivedAt', 'id'] })
export class RawEvent extends BaseEntity<'eventCount'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @ManyToOne(() => Integration, { deleteRule: 'cascade' })
  integration!: Rel<Integration>;

  @Enum({ items: () => QuestProvider, nativeEnumName: 'quest_provider' })
  provider!: QuestProvider;

  /** GitHub's `X-GitHub-Event` (`push`, `pull_request`, …) or `daily_summary` for Fitbit. */
  @Property({ length: 100 })
  eventType!: string;

  /** GitHub's `X-GitHub-Delivery`, or `daily:<date>` for Fitbit. */
  @Property({ length: 100 })
  deliveryId!: string;

  @Property({ type: 'jsonb', lazy: true })
  payload!: Record<string, unknown>;

  @Enum({ items: () => RawEventStatus, nativeEnumName: 'raw_event_status' })
  @Index()
  status!: RawEventStatus;

  @Property({ type: 'text', nullable: true })
  error?: string | null;

  /** What was left out, e.g. commits by other people. */
  @Property({ length: 300, nullable: true })
  note?: string | null;

  /** Quest events it produced. */
  @Property({ type: 'integer', default: 0 })
  eventCount = 0;

  @Property({ type: 'timestamptz' })
  receivedAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  processedAt?: Date | null;
}
