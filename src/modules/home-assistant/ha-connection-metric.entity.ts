import type { Rel } from '@mikro-orm/core';
import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { uuidv7 } from 'uuidv7';
import { Workspace } from '../accounts/workspace.entity';
import { HaConnection } from './ha-connection.entity';
import { HaMetricType } from './ha.enums';

/** One health sample of a connection, written by its holder every metrics interval. */
@Entity({ tableName: 'ha_connection_metrics' })
@Index({ properties: ['connection', 'metricType', 'timestamp'] })
@Index({ properties: ['timestamp'] })
export class HaConnectionMetric {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { deleteRule: 'cascade', index: true })
  workspace!: Rel<Workspace>;

  @ManyToOne(() => HaConnection, { deleteRule: 'cascade' })
  connection!: Rel<HaConnection>;

  @Enum({ items: () => HaMetricType, nativeEnumName: 'ha_metric_type' })
  metricType!: HaMetricType;

  @Property({ type: 'decimal', precision: 10, scale: 4 })
  metricValue!: string;

  @Property({ type: 'timestamptz' })
  timestamp!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
