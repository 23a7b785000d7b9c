// The report model: everything the renderers need, as rows, verdicts and sections of structured
// blocks. Built once by buildReportModel() (build.ts); renderers (comment, summary, report.md,
// report.html) differ only in the last step. Text that came from the target stays plain text here
// and is escaped by the renderer, never before.
import type {
  Comparison,
  GateOutcome,
  GateVerdict,
  MetricVerdict,
  SloResult,
  SloStatus,
} from '../record/compare.ts'
import type { RunRecord } from '../record/index.ts'
import type { ProfileKind } from '../record/collectors.ts'
import type { Profile } from '../pprof/model.ts'
import type { WhatChanged } from './what-changed.ts'

export interface ReportLinks {
  runUrl?: string
  artifactUrl?: string
}

export interface ReportInput {
  record: RunRecord
  baseline?: RunRecord
  comparison?: Comparison
  slos: SloResult[]
  gate: GateVerdict
  links?: ReportLinks
  reportName: string
  /**
   * Decoded profiles of the run (the `.pb.gz` files of record.profiles): only the CPU one is read,
   * for the flame graph, which the record cannot carry. The top tables, goroutine and contention
   * figures come from record.analysis.
   */
  profiles?: Partial<Record<ProfileKind, Profile>>
  /** EXPLAIN output by queryid (the files of record.postgres.explains), for the appendix. */
  explainPlans?: Record<string, string>
}

/** A piece of inline text: plain, code, bold or a link. Plain strings are escaped when rendered. */
export interface Span {
  text: string
  code?: boolean
  strong?: boolean
  em?: boolean
  href?: string
}

export type Text = string | Span[]

export interface ListItem {
  text: Text
  /** A task-list box: `- [x]` when true, `- [ ]` when false. */
  checked?: boolean
  children?: ListItem[]
}

export type Block =
  | { kind: 'paragraph'; text: Text }
  /** One line saying why something is not there: rendered in italics. */
  | { kind: 'note'; text: Text }
  | { kind: 'list'; items: ListItem[]; ordered?: boolean }
  | { kind: 'table'; header: string[]; rows: Text[][]; align?: ('l' | 'r' | 'c')[]; total?: number }
  | { kind: 'code'; text: string; language?: string }
  | { kind: 'chart'; chart: BarChart }

export interface Section {
  id: string
  title: string
  blocks: Block[]
  children: Section[]
}

/** p95 per endpoint against its target and the baseline (mermaid in markdown, SVG in HTML). */
export interface BarChart {
  title: string
  unit: string
  labels: string[]
  current: number[]
  /** Target per label; NaN where the endpoint has none. */
  target: number[]
  baseline?: number[]
  /** Labels left out to keep the chart readable. */
  omitted: number
}

export interface EndpointRow {
  name: string
  method?: string
  route?: string
  count: number
  rps: number
  errorRate: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  /** The p95 target as the user wrote it. */
  target?: string
  targetMs?: number
  status: SloStatus | 'none'
  /** All SLO rows of the endpoint (p50/p95/p99/error rate/rps). */
  slos: SloResult[]
  baseline?: { p50Ms?: number; p95Ms?: number; p99Ms?: number }
  p95RelDelta?: number
  p95Verdict?: MetricVerdict
  p95Message?: string
  /** A paired run: the interval of the paired p95 change. */
  p95Interval?: [number, number]
}

/** One series of the latency-over-time chart. */
export interface TimeSeries {
  name: string
  points: { tS: number; p95Ms: number }[]
}

/** A node of the CPU flame graph: a function on a call path, its value in the profile's unit. */
export interface FlameNode {
  name: string
  value: number
  children: FlameNode[]
}

export interface Verdict {
  outcome: GateOutcome
  emoji: string
  /** `perfgate: fail`, etc. */
  label: string
  /** One line: the verdict and why. */
  line: string
  reasons: string[]
  regressions: string[]
}

export interface ReportModel {
  reportName: string
  title: string
  date: string
  commit: string
  targetUrl: string
  /** `Mixed behavior (100 VUs, 3 minutes)`. */
  loadTest: string
  toolVersion: string
  hasBaseline: boolean
  /** `abc1234 (main)`. */
  baselineRef?: string
  /**
   * A paired run (baseline-url): the design line, the rows still open and how long they would take,
   * the stopping rule's line, and the gated p50 rows with their intervals.
   */
  paired?: { line: string; open?: string; stopping?: string; p50?: string }
  links: ReportLinks
  verdict: Verdict
  endpoints: EndpointRow[]
  overall?: EndpointRow
  /** Regression lines, then improvements, as the comment lists them. */
  changes: { regressions: string[]; improvements: string[] }
  /** 401/403/429 storms named as the target refusing the load generator (report/failures.ts). */
  storms: string[]
  /** The profile diff against the baseline's profiles; absent when there are none. */
  whatChanged?: WhatChanged
  /** The endpoints with a regression row, for the movers on their code paths. */
  regressedEndpoints: string[]
  /** The few findings the comment shows up front (tier 1 and 2 first). */
  topFindings: { tier: number; title: string; detail: string; location?: string; isNew?: boolean }[]
  /** What the findings were looked for in: k6's numbers and each collector that gathered data. */
  findingSources: string[]
  /** `New since the baseline: 2 of 5 findings …`; absent without a baseline that carries findings. */
  newFindings?: string
  p95Chart?: BarChart
  latencySeries: TimeSeries[]
  /** Seconds each point of `latencySeries` covers. */
  latencySeriesStepS: number
  flame?: { unit: string; root: FlameNode }
  /** The template's sections, in order. */
  sections: Section[]
  footer: { label: string; value: string }[]
  /** Raw data the appendix names, written as files beside report.md. */
  dataFiles: { name: string; text: string }[]
}
