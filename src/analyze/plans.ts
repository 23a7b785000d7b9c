// Reading EXPLAIN (FORMAT JSON) plans for missing indexes: Seq Scan nodes with a Filter, the
// columns their filter compares, and a CREATE INDEX statement that would serve it.

export interface SeqScanFilter {
  table: string
  alias?: string
  filter: string
  /** Estimated rows the scan returns and the rows the table has (plan estimates). */
  planRows?: number
  totalCost?: number
}

export interface ParsedFilter {
  /** Columns compared by equality or range, in the order they appear. */
  equality: string[]
  range: string[]
  /** Columns matched with LIKE/ILIKE/~~ with a leading wildcard or ILIKE: a trigram index. */
  pattern: string[]
  /** Columns wrapped in lower(): an expression index. */
  lower: string[]
}

interface PlanNode {
  'Node Type'?: unknown
  'Relation Name'?: unknown
  Alias?: unknown
  Filter?: unknown
  'Plan Rows'?: unknown
  'Total Cost'?: unknown
  Plans?: unknown
}

/**
 * seqScanFilters lists the Seq Scan nodes that have a Filter in an EXPLAIN (FORMAT JSON) answer.
 * A plan of an unknown shape gives `{ reason }`, never an exception.
 */
export function seqScanFilters(plan: unknown): { scans: SeqScanFilter[] } | { reason: string } {
  const root = Array.isArray(plan)
    ? (plan[0] as { Plan?: unknown } | undefined)?.Plan
    : (plan as { Plan?: unknown } | null)?.Plan
  if (!root || typeof root !== 'object')
    return { reason: 'not an EXPLAIN (FORMAT JSON) plan: no "Plan" node' }
  const scans: SeqScanFilter[] = []
  const walk = (node: PlanNode, depth: number) => {
    if (depth > 100) return
    if (
      node['Node Type'] === 'Seq Scan' &&
      typeof node['Relation Name'] === 'string' &&
      typeof node.Filter === 'string'
    ) {
      scans.push({
        table: node['Relation Name'],
        ...(typeof node.Alias === 'string' ? { alias: node.Alias } : {}),
        filter: node.Filter,
        ...(typeof node['Plan Rows'] === 'number' ? { planRows: node['Plan Rows'] } : {}),
        ...(typeof node['Total Cost'] === 'number' ? { totalCost: node['Total Cost'] } : {}),
      })
    }
    if (Array.isArray(node.Plans))
      for (const child of node.Plans)
        if (child && typeof child === 'object') walk(child as PlanNode, depth + 1)
  }
  walk(root as PlanNode, 0)
  return { scans }
}

const IDENT = String.raw`(?:"[^"]+"|[a-z_][a-z0-9_$]*)`
/** A column reference as PostgreSQL prints it in a filter: `col`, `t.col`, `(col)::text`, `((t.col)::text)`. */
const COLUMN = String.raw`\(*(?:${IDENT}\.)?(${IDENT})\)*(?:::[a-z ]+(?:\[\])?\)*)*`

function unquote(id: string): string {
  return id.startsWith('"') ? id : id.toLowerCase()
}

/**
 * parseFilter reads the columns a plan's Filter compares, e.g. `(term = $1)` → equality
 * `term`; `((name)::text = $1)`; `(lower(username) = $1)`; `(title ~~* $1)` (ILIKE);
 * `((a = $1) AND (b > $2))`. Comparisons between two columns (join filters) are skipped.
 */
export function parseFilter(filter: string): ParsedFilter {
  const out: ParsedFilter = { equality: [], range: [], pattern: [], lower: [] }
  const add = (list: string[], col: string) => {
    const c = unquote(col)
    if (!list.includes(c)) list.push(c)
  }
  const value = String.raw`(?:\$\d+|'[^']*'(?:::[a-z ]+)?|-?\d+(?:\.\d+)?|true|false|null|ANY\s*\(\$\d+\))`
  const f = filter
  const lower = new RegExp(
    String.raw`lower\(\(*(?:${IDENT}\.)?(${IDENT})\)*(?:::[a-z ]+)*\)\s*(=|~~\*?|~~)\s*${value}`,
    'gi',
  )
  for (const m of f.matchAll(lower)) add(m[2]!.startsWith('~~') ? out.pattern : out.lower, m[1]!)
  const cmp = new RegExp(
    String.raw`(?<![\w.])${COLUMN}\s*(=|<>|<=|>=|<|>|~~\*|~~|!~~\*?|IS NOT NULL|IS NULL)\s*(${value})?`,
    'gi',
  )
  for (const m of f.matchAll(cmp)) {
    const col = m[1]!
    const op = m[2]!.toUpperCase()
    const rhs = m[3]
    if (/^(lower|upper|and|or|not|any|true|false|null)$/i.test(col)) continue
    if (!rhs && !op.startsWith('IS')) continue
    if (op === '=' || op.startsWith('IS')) add(out.equality, col)
    else if (op.includes('~~')) add(out.pattern, col)
    else if (op !== '<>') add(out.range, col)
  }
  const inList = new RegExp(String.raw`${COLUMN}\s*=\s*ANY\s*\(`, 'gi')
  for (const m of f.matchAll(inList)) add(out.equality, m[1]!)
  // A column that is inside lower() is not also a plain equality column.
  out.equality = out.equality.filter((c) => !out.lower.includes(c) && !out.pattern.includes(c))
  return out
}

export interface IndexStatement {
  columns: string[]
  statement: string
  note?: string
}

function indexName(table: string, columns: string[], suffix = ''): string {
  const clean = (s: string) =>
    s
      .replace(/"/g, '')
      .replace(/[^a-zA-Z0-9_]/g, '_')
      .toLowerCase()
  const name = `idx_${clean(table)}_${columns.map(clean).join('_')}${suffix}`
  return name.length > 63 ? name.slice(0, 63) : name
}

/**
 * indexFor turns a parsed filter into the CREATE INDEX CONCURRENTLY statement that serves it:
 * equality columns first, then one range column (a B-tree); lower(col) as an expression index;
 * LIKE/ILIKE as a pg_trgm GIN index. Undefined when the filter compares no column.
 */
export function indexFor(table: string, parsed: ParsedFilter): IndexStatement | undefined {
  const tbl = table.includes('.') || table.startsWith('"') ? table : table
  const btree = [...parsed.equality, ...parsed.range.slice(0, 1)]
  if (btree.length > 0) {
    const cols = btree.slice(0, 3)
    return {
      columns: cols,
      statement: `CREATE INDEX CONCURRENTLY ${indexName(table, cols)} ON ${tbl} (${cols.join(', ')})`,
    }
  }
  if (parsed.lower.length > 0) {
    const col = parsed.lower[0]!
    return {
      columns: [col],
      statement: `CREATE INDEX CONCURRENTLY ${indexName(table, [col], '_lower')} ON ${tbl} (lower(${col}))`,
      note: 'an expression index: the query must keep comparing lower(' + col + ')',
    }
  }
  if (parsed.pattern.length > 0) {
    const col = parsed.pattern[0]!
    return {
      columns: [col],
      statement: `CREATE INDEX CONCURRENTLY ${indexName(table, [col], '_trgm')} ON ${tbl} USING gin (${col} gin_trgm_ops)`,
      note: 'LIKE/ILIKE with a leading wildcard cannot use a B-tree: this needs the pg_trgm extension (CREATE EXTENSION IF NOT EXISTS pg_trgm)',
    }
  }
  return undefined
}
