import type { Rel } from '@mikro-orm/core';
import { Check, Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { Integration } from './integration.entity';
import { RawEvent } from './raw-event.entity';
import { QuestEventKind, QuestProvider } from './quest.enums';

/**
 * A normalised activity: one commit, one merged pull request, one closed issue, or one day's
 * steps, active minutes or sleep. Unique per integration, kind and the provider's id (commit SHA,
 * pull request or issue id, date), so a commit pushed twice or a day synced again counts once.
 */
@Entity({ tableName: 'quest_events' })
@Unique({ name: 'quest_events_identity_unique', properties: ['integration', 'kind', 'externalId'] })
@Index({ properties: ['user', 'occurredAt', 'id'] })
@Index({ properties: ['user', 'kind', 'occurredAt'] })
@Check({ name: 'quest_events_value_check', expression: 'value >= 0 and xp >= 0' })
export class QuestEvent extends BaseEntity<'xp' | 'data'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @ManyToOne(() => Integration, { deleteRule: 'cascade' })
  integration!: Rel<Integration>;

  /** The delivery or sync it came from (last one, for a day synced again). */
  @ManyToOne(() => RawEvent, { deleteRule: 'set null', nullable: true, index: true })
  rawEvent?: Rel<RawEvent> | null;

  @Enum({ items: () => QuestProvider, nativeEnumName: 'quest_provider' })
  provider!: QuestProvider;

  @Enum({ items: () => QuestEventKind, nativeEnumName: 'quest_event_kind' })
  kind!: QuestEventKind;

  @Property({ length: 200 })
  externalId!: string;

  /** 1 for a commit, pull request or issue; steps, active minutes or minutes asleep for a day. */
  @Property({ type: 'integer' })
  value!: number;

  @Property({ length: 500, nullable: true })
  title?: string | null;

  @Property({ type: 'text', nullable: true })
  url?: string | null;

  /** `owner/name` of the GitHub repository. */
  @Property({ length: 255, nullable: true })
  repository?: string | null;

  /** When it happened; a day's totals are placed at noon UTC of their date. */
  @Property({ type: 'timestamptz' })
  occurredAt!: Date;

  /** XP it gave the owner's pets. */
  @Property({ type: 'integer', default: 0 })
  xp = 0;

  @Property({ type: 'jsonb', default: '{}' })
  data: Record<string, unknown> = {};
}
