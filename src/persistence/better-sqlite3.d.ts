/**
 * The part of better-sqlite3 12's API that midge uses. The package ships
 * no types and @types/better-sqlite3 is not a dependency, so this small
 * declaration stands in for it.
 */
declare module 'better-sqlite3' {
  namespace Database {
    type Value = number | bigint | string | Buffer | null;

    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }

    interface Statement<Row = Record<string, Value>> {
      /** Values in order; an array argument stands for its elements. */
      run(...params: Array<Value | Value[]>): RunResult;
      get(...params: Value[]): Row | undefined;
      all(...params: Value[]): Row[];
      /** Rows as arrays of values rather than objects. */
      raw(on?: boolean): Statement<Value[]>;
    }

    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }

    interface Database {
      readonly open: boolean;
      readonly inTransaction: boolean;
      prepare<Row = Record<string, Value>>(sql: string): Statement<Row>;
      exec(sql: string): Database;
      pragma(source: string, options: { simple: true }): Value;
      pragma(source: string): unknown[];
      /** Wraps `fn` in BEGIN/COMMIT (ROLLBACK if it throws). */
      transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
      close(): Database;
    }
  }

  interface DatabaseConstructor {
    new (filename: string, options?: Database.Options): Database.Database;
  }

  const Database: DatabaseConstructor;
  export default Database;
}
