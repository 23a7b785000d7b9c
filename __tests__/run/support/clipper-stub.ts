// A tiny Clipper-like API on 127.0.0.1 (random port) serving the default scenario's routes
// with small JSON bodies, for tests that need a target but not the Go testbed.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ClipperStub {
  url: string
  requests: Map<string, number>
  close(): Promise<void>
}

const CLIPS = Array.from({ length: 30 }, (_, i) => ({
  id: String(1000 + i),
  title: `Amazing clutch play number ${i}`,
  tags: [['fps', 'clutch'], ['speedrun'], ['funny', 'fail']][i % 3],
}))

const ROUTES: [string, RegExp][] = [
  ['GET feed', /^\/api\/v1\/clips$/],
  ['GET clip', /^\/api\/v1\/clips\/[^/]+$/],
  ['GET related', /^\/api\/v1\/clips\/[^/]+\/related$/],
  ['GET comments', /^\/api\/v1\/clips\/[^/]+\/comments$/],
  ['POST comments', /^\/api\/v1\/clips\/[^/]+\/comments$/],
  ['POST vote', /^\/api\/v1\/clips\/[^/]+\/vote$/],
  ['GET tag', /^\/api\/v1\/tags\/[^/]+\/clips$/],
  ['GET search', /^\/api\/v1\/search$/],
]

export async function startClipperStub(): Promise<ClipperStub> {
  const requests = new Map<string, number>()
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!
    const route = ROUTES.find(([key, re]) => key.startsWith(req.method + ' ') && re.test(path))
    const key = route?.[0] ?? `${req.method} unmatched`
    requests.set(key, (requests.get(key) ?? 0) + 1)
    req.resume()
    req.on('end', () => {
      if (!route) return send(res, 404, { error: 'not_found' })
      if (req.method === 'POST' && !/^Bearer \S+/.test(req.headers.authorization ?? '')) {
        return send(res, 401, { error: 'unauthorized' })
      }
      if (key === 'GET clip') return send(res, 200, CLIPS[0])
      if (key === 'POST comments') return send(res, 201, { id: 1, content: 'ok' })
      if (key === 'POST vote') return send(res, 200, { vote: 1 })
      send(res, 200, { data: CLIPS.slice(0, 25) })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
