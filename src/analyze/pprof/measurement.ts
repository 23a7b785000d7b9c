// pprof's measurement package: unit sniffing, scaling and value labels
// (github.com/google/pprof/internal/measurement), so values print as `go tool pprof` prints them.
import { goFixed, goG, padLeft } from './gofmt.ts'

interface Unit {
  name: string
  aliases: string[]
  factor: number
}

interface UnitType {
  defaultUnit: Unit
  units: Unit[]
}

const UNIT_TYPES: UnitType[] = [
  {
    units: [
      { name: 'B', aliases: ['b', 'byte'], factor: 1 },
      { name: 'kB', aliases: ['kb', 'kbyte', 'kilobyte'], factor: 2 ** 10 },
      { name: 'MB', aliases: ['mb', 'mbyte', 'megabyte'], factor: 2 ** 20 },
      { name: 'GB', aliases: ['gb', 'gbyte', 'gigabyte'], factor: 2 ** 30 },
      { name: 'TB', aliases: ['tb', 'tbyte', 'terabyte'], factor: 2 ** 40 },
      { name: 'PB', aliases: ['pb', 'pbyte', 'petabyte'], factor: 2 ** 50 },
    ],
    defaultUnit: { name: 'B', aliases: ['b', 'byte'], factor: 1 },
  },
  {
    units: [
      { name: 'ns', aliases: ['ns', 'nanosecond'], factor: 1 },
      { name: 'us', aliases: ['μs', 'us', 'microsecond'], factor: 1e3 },
      { name: 'ms', aliases: ['ms', 'millisecond'], factor: 1e6 },
      { name: 's', aliases: ['s', 'sec', 'second'], factor: 1e9 },
      { name: 'hrs', aliases: ['hour', 'hr'], factor: 3600e9 },
    ],
    defaultUnit: { name: 's', aliases: [], factor: 1e9 },
  },
  {
    units: [
      { name: 'n*GCU', aliases: ['nanogcu'], factor: 1e-9 },
      { name: 'u*GCU', aliases: ['microgcu'], factor: 1e-6 },
      { name: 'm*GCU', aliases: ['milligcu'], factor: 1e-3 },
      { name: 'GCU', aliases: ['gcu'], factor: 1 },
      { name: 'k*GCU', aliases: ['kilogcu'], factor: 1e3 },
      { name: 'M*GCU', aliases: ['megagcu'], factor: 1e6 },
      { name: 'G*GCU', aliases: ['gigagcu'], factor: 1e9 },
      { name: 'T*GCU', aliases: ['teragcu'], factor: 1e12 },
      { name: 'P*GCU', aliases: ['petagcu'], factor: 1e15 },
    ],
    defaultUnit: { name: 'GCU', aliases: [], factor: 1 },
  },
]

function sniffUnit(type: UnitType, unit: string): Unit | undefined {
  let u = unit.toLowerCase()
  // pprof trims a plural "s" ("bytes", "nanoseconds") but keeps "ms", "ns".
  if (u.length > 2 && u.endsWith('s')) u = u.slice(0, -1)
  return type.units.find((candidate) => candidate.aliases.includes(u))
}

function autoScale(type: UnitType, value: number): [number, string] | undefined {
  let factor = 0
  let name = ''
  for (const u of type.units) {
    if (u.factor >= factor && value / u.factor >= 1) {
      factor = u.factor
      name = u.name
    }
  }
  return factor === 0 ? undefined : [value / factor, name]
}

/**
 * scale converts `value` from `fromUnit` to `toUnit` ("minimum"/"auto" pick the largest unit
 * that keeps the value >= 1) and returns the scaled value and its unit name, like pprof's
 * measurement.Scale. Unknown units pass through; counts get an empty unit.
 */
export function scale(value: number, fromUnit: string, toUnit: string): [number, string] {
  if (value < 0) {
    const [v, u] = scale(-value, fromUnit, toUnit)
    return [-v, u]
  }
  for (const type of UNIT_TYPES) {
    const from = sniffUnit(type, fromUnit)
    if (!from) continue
    const v = value * from.factor
    if (toUnit === 'minimum' || toUnit === 'auto') {
      return autoScale(type, v) ?? [v / type.defaultUnit.factor, type.defaultUnit.name]
    }
    const to = sniffUnit(type, toUnit)
    if (!to) return [v / type.defaultUnit.factor, type.defaultUnit.name]
    return [v / to.factor, to.name]
  }
  if (['count', 'sample', 'unit', 'minimum', 'auto'].includes(toUnit)) return [value, '']
  return [value, toUnit]
}

/** scaledLabel formats a value in `toUnit` with two decimals, trimming `.00` (pprof's ScaledLabel). */
export function scaledLabel(value: number, fromUnit: string, toUnit: string): string {
  const [v, u] = scale(value, fromUnit, toUnit)
  const text = goFixed(v, 2).replace(/\.00$/, '')
  if (text === '0' || text === '-0') return '0'
  return text + u
}

/** percentage formats value/total the way pprof's text report does, e.g. `52.48%`, ` 0.99%`, `  100%`. */
export function percentage(value: number, total: number): string {
  const ratio = total !== 0 ? Math.abs(value / total) * 100 : 0
  if (ratio >= 99.95 && ratio <= 100.05) return '  100%'
  if (ratio >= 1) return padLeft(goFixed(ratio, 2), 5) + '%'
  return padLeft(goG(ratio, 2), 5) + '%'
}
