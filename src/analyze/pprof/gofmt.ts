// Go's number formatting, as `go tool pprof` prints it: fmt's %.2f and %5.2g round the
// exact binary value half-to-even, which JavaScript's toFixed/toPrecision do not.

/** Exact decimal digits of a finite non-negative number: digits (no leading zeros) and decimal point position. */
function exactDigits(x: number): { digits: string; point: number } {
  if (x === 0) return { digits: '', point: 0 }
  // toPrecision rounds on the exact value; 100 digits holds every tie that matters here.
  const [mantissa, exponent] = x.toExponential(99).split('e') as [string, string]
  const digits = mantissa.replace('.', '').replace(/0+$/, '')
  return { digits, point: Number(exponent) + 1 }
}

/** Rounds a digit string to `n` digits (half to even on exact ties), as strconv's decimal does. */
function roundDigits(digits: string, point: number, n: number): { digits: string; point: number } {
  if (n < 0) return { digits: '', point }
  if (digits.length <= n) return { digits, point }
  const next = digits.charCodeAt(n) - 48
  const tie = next === 5 && n + 1 === digits.length
  const previousOdd = n > 0 && (digits.charCodeAt(n - 1) - 48) % 2 === 1
  const up = next > 5 || (next === 5 && !tie) || (tie && previousOdd)
  let kept = digits.slice(0, n)
  if (!up) return { digits: kept.replace(/0+$/, ''), point }
  let i = kept.length - 1
  while (i >= 0 && kept[i] === '9') i--
  if (i < 0) return { digits: '1', point: point + 1 }
  kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1)
  return { digits: kept, point }
}

function fixedFromDigits(digits: string, point: number, decimals: number): string {
  let intPart = ''
  for (let i = 0; i < point; i++) intPart += digits[i] ?? '0'
  if (intPart === '') intPart = '0'
  let frac = ''
  for (let i = 0; i < decimals; i++) {
    const at = point + i
    frac += at >= 0 ? (digits[at] ?? '0') : '0'
  }
  return decimals > 0 ? `${intPart}.${frac}` : intPart
}

/** Go's `fmt.Sprintf("%.<decimals>f", x)`. */
export function goFixed(x: number, decimals: number): string {
  const negative = x < 0 || Object.is(x, -0)
  const { digits, point } = exactDigits(Math.abs(x))
  const rounded = roundDigits(digits, point, point + decimals)
  return (negative ? '-' : '') + fixedFromDigits(rounded.digits, rounded.point, decimals)
}

/** Go's `fmt.Sprintf("%.<precision>g", x)` for finite x (precision >= 1). */
export function goG(x: number, precision: number): string {
  const negative = x < 0
  const { digits, point } = roundDigits(...spread(exactDigits(Math.abs(x))), precision)
  let prec = precision
  const nd = digits.length
  let eprec = prec
  if (eprec > nd && nd >= point) eprec = nd
  const exp = point - 1
  const sign = negative ? '-' : ''
  if (nd > 0 && (exp < -4 || exp >= eprec)) {
    if (prec > nd) prec = nd
    const first = digits[0]!
    const rest = digits.slice(1, prec).padEnd(prec - 1, '0')
    const e = Math.abs(exp)
    return `${sign}${first}${rest ? '.' + rest : ''}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' + e : e}`
  }
  if (prec > point) prec = nd
  return sign + fixedFromDigits(digits, point, Math.max(prec - point, 0))
}

function spread(d: { digits: string; point: number }): [string, number] {
  return [d.digits, d.point]
}

/** Go's `%<width>s`: pads on the left to `width` characters. */
export function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s
}
