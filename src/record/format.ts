// Number formatting shared by the comparison, the SLO rows and the gate's one-liners.
import type { Unit } from './compare.ts'

export function formatValue(value: number | undefined, unit: Unit): string {
  if (value === undefined || !Number.isFinite(value)) return 'n/a'
  switch (unit) {
    case 'ms':
      return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`
    case 'ratio':
      return `${(value * 100).toFixed(value < 0.1 ? 2 : 1)}%`
    case 'req/s':
      return `${value.toFixed(1)} req/s`
    case 'factor':
      return `×${value.toFixed(2)}`
    case 'count':
      return Number.isInteger(value) ? `${value}` : value.toFixed(value < 10 ? 2 : 1)
  }
}

/** `+32%`, `-15%`, `+0.4%`. */
export function formatPercentChange(rel: number): string {
  const pct = rel * 100
  const digits = Math.abs(pct) < 1 ? 1 : 0
  const text = pct.toFixed(digits)
  return pct >= 0 ? `+${text}%` : `${text}%`
}

/** `p=0.012`, `p<0.001`. */
export function formatP(p: number): string {
  return p < 0.001 ? 'p<0.001' : `p=${p.toFixed(3)}`
}
