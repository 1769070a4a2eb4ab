/**
 * Persistence: a Store interface with an in-memory and a SQLite store, the
 * journal that saves the broker's state changes in one batch per turn of
 * the event loop, and the import of Mosquitto's mosquitto.db.
 */
export { PersistenceError, type PersistenceErrorCode } from './errors.js';
export { Journal, type JournalEvents, type RestoreCounts } from './journal.js';
export {
  isMosquittoFile,
  MIDGE_DEFAULT_FILE,
  type PersistencePaths,
  persistencePaths,
} from './location.js';
export { MemoryStore } from './memory-store.js';
export { type MosquittoDb, readMosquittoDb } from './mosquitto-db.js';
export { importInto, openPersistence, type Persistence } from './open.js';
export type { Durability } from './sqlite-open.js';
export { SqliteStore } from './sqlite-store.js';
export {
  type Batch,
  emptyBatch,
  emptyContents,
  type IncomingRow,
  type OutgoingRow,
  type SavedMessage,
  type SessionRow,
  type Store,
  type StoreContents,
  type SubscriptionRow,
} from './store.js';
