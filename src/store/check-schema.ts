// A leak-track DB's schema objects must be the ones our migrations made, before a single row is read.
// The file may come from another user: a VIEW named `samples` over an endless recursive CTE hangs
// every reader; a TRIGGER planted on `samples` deletes rows as a tracker writes them; a generated
// column computes whatever its author liked. The expected list is derived from MIGRATIONS themselves
// (replayed into an in-memory DB), so a table a new migration adds is covered without a word here.
import Database from 'better-sqlite3';
import { inputError } from '../errors.js';
import { MIGRATIONS } from './schema.js';
// better-sqlite3's own type, not open-db's alias: open-db imports this module (no import cycle).
type Db = Database.Database;

interface SchemaObject {
  type: string;
  name: string;
  tbl_name: string;
}

/** Per table: its columns as `name type notnull pk hidden` (hidden ≠ 0: a generated or virtual column). */
type Columns = Map<string, string[]>;

interface Schema {
  objects: Map<string, SchemaObject>;
  columns: Columns;
}

/** SQLite's own statistics tables (ANALYZE) are harmless and may be present. */
const SQLITE_STATS = /^sqlite_stat\d$/;

const expected = new Map<number, Schema>();

/** The schema MIGRATIONS[0..version) produce, replayed once per version. */
function expectedSchema(version: number): Schema {
  let s = expected.get(version);
  if (!s) {
    const mem = new Database(':memory:');
    try {
      for (const m of MIGRATIONS.slice(0, version)) mem.exec(m);
      s = schemaOf(mem);
    } finally {
      mem.close();
    }
    expected.set(version, s);
  }
  return s;
}

function schemaOf(db: Db): Schema {
  const rows = db.prepare(`SELECT type, name, tbl_name FROM sqlite_master`).all() as SchemaObject[];
  const objects = new Map(rows.map((r) => [r.name, r]));
  const columns: Columns = new Map();
  for (const r of rows) {
    if (r.type !== 'table' || SQLITE_STATS.test(r.name)) continue;
    const cols = db.prepare(`SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo(?)`).raw().all(r.name) as unknown[][];
    columns.set(r.name, cols.map((c) => c.map(String).join(' ')));
  }
  return { objects, columns };
}

/**
 * Throw an input error (exit 2) unless every object in `db` is one MIGRATIONS[0..version) creates, of
 * the same type (a table is a table, never a view), with the same columns, and no table is missing.
 * Reads sqlite_master and table_xinfo only: nothing a planted object defines is run.
 */
export function checkSchemaObjects(db: Db, file: string, version: number): void {
  const want = expectedSchema(version);
  const have = schemaOf(db);
  const refuse = (why: string) =>
    inputError(`${file}: ${why}; a leak-track database holds only the tables and indexes its migrations create, so it was not read; record a new one with leak-track`);
  for (const o of have.objects.values()) {
    if (o.type === 'table' && SQLITE_STATS.test(o.name)) continue;
    const w = want.objects.get(o.name);
    if (!w) throw refuse(`it holds a ${o.type} \`${o.name}\` that leak-track never creates`);
    if (w.type !== o.type || w.tbl_name !== o.tbl_name) throw refuse(`\`${o.name}\` is a ${o.type} on ${o.tbl_name}, where leak-track makes a ${w.type} on ${w.tbl_name}`);
  }
  for (const [name, w] of want.objects) {
    if (!have.objects.has(name)) throw refuse(`its ${w.type} \`${name}\` is missing`);
  }
  for (const [name, cols] of want.columns) {
    const got = have.columns.get(name) ?? [];
    if (got.join(',') !== cols.join(',')) throw refuse(`table \`${name}\` does not have the columns leak-track gives it (${got.map((c) => c.split(' ')[0]).join(', ')})`);
  }
}
