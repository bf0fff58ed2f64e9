import { registerEnumType } from 'type-graphql';

export enum NotificationSeverity {
  INFO = 'INFO',
  WARNING = 'WARNING',
  ERROR = 'ERROR',
}

/** Who sees a notification: its recipient, or every admin of the workspace. */
export enum NotificationAudience {
  USER = 'USER',
  ADMINS = 'ADMINS',
}

/** State of the push delivery (ntfy); in-app delivery is immediate. */
export enum DeliveryStatus {
  NOT_REQUIRED = 'NOT_REQUIRED',
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}

registerEnumType(NotificationSeverity, { name: 'NotificationSeverity' });
registerEnumType(NotificationAudience, { name: 'NotificationAudience' });
registerEnumType(DeliveryStatus, { name: 'DeliveryStatus' });
