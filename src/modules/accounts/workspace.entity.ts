import { Entity, Property } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';

/** The tenant: a household or a team. Every tenant-owned row references one. */
@Entity({ tableName: 'workspaces' })
export class Workspace extends BaseEntity<'settings'> {
  @Property({ length: 200 })
  name!: string;

  /** Secret that lets a new user join as a member; rotated by admins. */
  @Property({ length: 64, unique: true })
  inviteToken!: string;

  @Property({ type: 'jsonb', default: '{}' })
  settings: Record<string, unknown> = {};
}
