import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { User } from '../accounts/user.entity';
import { Workspace } from '../accounts/workspace.entity';
import { IntegrationStatus, QuestProvider } from './quest.enums';

/**
 * A user's connection to GitHub or Fitbit (OAuth 2). Tokens and the webhook secret are stored
 * sealed (`SecretBox`, bound to the workspace, this row and the column) and never leave the server.
 */
@Entity({ tableName: 'integrations' })
@Unique({ properties: ['user', 'provider'] })
@Index({ properties: ['provider', 'status', 'nextSyncAt'] })
@Index({ properties: ['status', 'tokenExpiresAt'] })
export class Integration extends BaseEntity<'status' | 'scopes'> {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => User, { deleteRule: 'cascade' })
  user!: Rel<User>;

  @Enum({ items: () => QuestProvider, nativeEnumName: 'quest_provider' })
  provider!: QuestProvider;

  @Enum({ items: () => IntegrationStatus, nativeEnumName: 'integration_status', default: IntegrationStatus.PENDING })
  status: IntegrationStatus = IntegrationStatus.PENDING;

  /** The account at the provider: GitHub user id, Fitbit encoded user id. */
  @Property({ length: 100, nullable: true })
  accountId?: string | null;

  /** GitHub login, Fitbit display name. */
  @Property({ length: 255, nullable: true })
  accountName?: string | null;

  @Property({ type: 'text[]', defaultRaw: `'{}'` })
  scopes: string[] = [];

  @Property({ type: 'text', nullable: true, lazy: true })
  encryptedAccessToken?: string | null;

  @Property({ type: 'text', nullable: true, lazy: true })
  encryptedRefreshToken?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  tokenExpiresAt?: Date | null;

  /** GitHub: the secret deliveries are signed with (HMAC-SHA256). */
  @Property({ type: 'text', nullable: true, lazy: true })
  encryptedWebhookSecret?: string | null;

  /** SHA-256 of the nonce of the authorization in progress; cleared when its callback arrives. */
  @Property({ length: 64, nullable: true, lazy: true })
  oauthNonce?: string | null;

  /** The account's IANA time zone at the provider (Fitbit), for its days. */
  @Property({ length: 64, nullable: true })
  timeZone?: string | null;

  @Property({ type: 'timestamptz', nullable: true })
  connectedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  lastSyncedAt?: Date | null;

  @Property({ type: 'timestamptz', nullable: true })
  nextSyncAt?: Date | null;

  @Property({ type: 'text', nullable: true })
  lastError?: string | null;
}
