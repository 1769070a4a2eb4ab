/**
 * Why a store cannot be used. Start-up stops with this message: a store
 * that is corrupt, from a newer midge, someone else's or not writable is
 * never replaced or emptied behind the user's back.
 */
export type PersistenceErrorCode =
  | 'CANNOT_OPEN'
  | 'NOT_WRITABLE'
  | 'IN_USE'
  | 'NOT_MIDGE'
  | 'MOSQUITTO_FILE'
  | 'CORRUPT'
  | 'NEWER_VERSION'
  | 'BAD_MOSQUITTO_FILE';

export class PersistenceError extends Error {
  readonly code: PersistenceErrorCode;

  constructor(code: PersistenceErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PersistenceError';
    this.code = code;
  }
}
