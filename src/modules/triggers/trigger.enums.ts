import { registerEnumType } from 'type-graphql';

export enum TriggerType {
  TIME = 'TIME',
  LOCATION = 'LOCATION',
  PROGRESS = 'PROGRESS',
  NFC = 'NFC',
  /** An entity of a Home Assistant connection changes state. */
  HA_STATE = 'HA_STATE',
}

export enum TriggerExecutionStatus {
  SUCCESS = 'SUCCESS',
  FAILURE = 'FAILURE',
}

/** What to do with a time firing missed while no instance ran. */
export enum MissedFirePolicy {
  /** Fire once, late (the execution records how late). */
  FIRE_ONCE_LATE = 'FIRE_ONCE_LATE',
  /** Do not fire; wait for the next time. */
  SKIP = 'SKIP',
}

export enum GeofenceTransition {
  ENTER = 'ENTER',
  EXIT = 'EXIT',
}

export enum TriggerActionType {
  NOTIFY = 'NOTIFY',
  COMPLETE_ITEM = 'COMPLETE_ITEM',
  SET_STATUS = 'SET_STATUS',
  WEBHOOK = 'WEBHOOK',
  CALL_HA_SERVICE = 'CALL_HA_SERVICE',
}

registerEnumType(TriggerType, { name: 'TriggerType' });
registerEnumType(TriggerExecutionStatus, { name: 'TriggerExecutionStatus' });
registerEnumType(MissedFirePolicy, { name: 'MissedFirePolicy' });
registerEnumType(GeofenceTransition, { name: 'GeofenceTransition' });
registerEnumType(TriggerActionType, { name: 'TriggerActionType' });
