import { registerEnumType } from 'type-graphql';
import type { SortDirection } from './pagination';

export enum OrderDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}

registerEnumType(OrderDirection, { name: 'OrderDirection' });

export function toSortDirection(direction: OrderDirection): SortDirection {
  return direction === OrderDirection.DESC ? 'desc' : 'asc';
}
