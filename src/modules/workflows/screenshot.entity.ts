import type { Rel } from '@mikro-orm/core';
import { Entity, ManyToOne, Property, Unique } from '@mikro-orm/decorators/legacy';
import { BaseEntity } from '../../db/base.entity';
import { Workspace } from '../accounts/workspace.entity';
import { Workflow } from './workflow.entity';

/**
 * An image uploaded for a workflow, stored once per workspace however often it is uploaded (its
 * SHA-256 is unique within the workspace). `storageKey` names the bytes in the screenshot storage;
 * `storageUrl` is where an object storage serves them, when it does.
 */
@Entity({ tableName: 'screenshots' })
@Unique({ properties: ['workspace', 'sha256'] })
export class Screenshot extends BaseEntity {
  @ManyToOne(() => Workspace, { deleteRule: 'cascade' })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => Workflow, { deleteRule: 'cascade', index: true })
  workflow!: Rel<Workflow>;

  /** Hex SHA-256 of the bytes. */
  @Property({ length: 64 })
  sha256!: string;

  @Property({ length: 300 })
  storageKey!: string;

  @Property({ type: 'text', nullable: true })
  storageUrl?: string | null;

  @Property({ type: 'integer' })
  fileSize!: number;

  @Property({ type: 'integer', nullable: true })
  width?: number | null;

  @Property({ type: 'integer', nullable: true })
  height?: number | null;

  /** `png`, `jpeg`, `webp` or `gif`. */
  @Property({ length: 10 })
  format!: string;
}
