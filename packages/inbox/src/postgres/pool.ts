/** The part of a `pg` query result the store reads. */
export interface PgQueryResult {
  readonly rows: Record<string, unknown>[];
  readonly rowCount: number | null;
}

/** The part of a `pg.PoolClient` the store uses (a transaction for migrations). */
export interface PgClient {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  release(error?: Error | boolean): void;
}

/**
 * The part of a `pg.Pool` the store uses. A `pg.Pool` fits it as it is; typing it structurally
 * keeps `@types/pg` out of this package's public types.
 */
export interface PgPool {
  query(text: string, values?: unknown[]): Promise<PgQueryResult>;
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}
