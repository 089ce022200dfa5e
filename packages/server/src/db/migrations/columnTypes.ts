import { sql, type ColumnDataType, type CreateTableBuilder, type Expression } from 'kysely';

/** A column type as Kysely's schema builder takes it. */
type DataTypeExpression = ColumnDataType | Expression<unknown>;
import type { DialectName } from '../dialect.js';

/** Column types that differ between engines. */
export interface ColumnTypes {
  /** Up to a few MB (message content with attachments). MySQL TEXT stops at 64 KB. */
  largeText: DataTypeExpression;
  /** Up to ~100 000 characters (system prompts). */
  mediumText: DataTypeExpression;
  /** Short free text (descriptions). */
  text: DataTypeExpression;
  /** Table options appended to CREATE TABLE. */
  finishTable<TB extends string, C extends string>(table: CreateTableBuilder<TB, C>): CreateTableBuilder<TB, C>;
}

const portable: ColumnTypes = {
  largeText: 'text',
  mediumText: 'text',
  text: 'text',
  finishTable: (table) => table,
};

/**
 * MySQL/MariaDB: InnoDB, utf8mb4, and a binary collation so that comparisons, uniqueness and
 * ordering behave as on SQLite and PostgreSQL (case-sensitive, byte order).
 */
const mysql: ColumnTypes = {
  largeText: sql`longtext`,
  mediumText: sql`mediumtext`,
  text: 'text',
  finishTable: (table) => table.modifyEnd(sql`engine = InnoDB default character set utf8mb4 collate utf8mb4_bin`),
};

export function columnTypesFor(dialect: DialectName): ColumnTypes {
  return dialect === 'mysql' ? mysql : portable;
}
