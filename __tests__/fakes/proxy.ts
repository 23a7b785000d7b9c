// A local HTTP proxy as corporate networks run them: absolute-URI requests for http:// targets
// (forwarding) and CONNECT tunnels for https:// ones. Host names under `.test` (unresolvable by
// design, RFC 2606) are mapped to 127.0.0.1 here, so a client can only reach them through this
// proxy: a request that reaches the target proves the proxy was used.
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'

export interface ProxiedRequest {
  /** 'forward' for an absolute-URI request, 'connect' for a tunnel. */
  kind: 'forward' | 'connect'
  method: string
  /** The URL asked for (forward) or host:port (connect), as the client wrote it. */
  target: string
}

export interface FakeProxy {
  /** http://127.0.0.1:PORT, for HTTPS_PROXY / HTTP_PROXY. */
  url: string
  requests: ProxiedRequest[]
  close(): Promise<void>
}

/** Where the proxy connects for a host the client named: `.test` names are local. */
function resolveHost(host: string): string {
  return host.endsWith('.test') ? '127.0.0.1' : host
}

export async function startFakeProxy(): Promise<FakeProxy> {
  const requests: ProxiedRequest[] = []
  const sockets = new Set<Socket>()

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    let target: URL
    try {
      target = new URL(req.url ?? '')
    } catch {
      res.writeHead(400).end('a proxy request needs an absolute URI')
      return
    }
    requests.push({ kind: 'forward', method: req.method ?? 'GET', target: target.href })
    const upstream = httpRequest(
      {
        host: resolveHost(target.hostname),
        port: target.port || 80,
        method: req.method,
        path: `${target.pathname}${target.search}`,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', (error) => res.writeHead(502).end(`proxy: ${error.message}`))
    req.pipe(upstream)
  }

  const server = createServer(forward)
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':')
    requests.push({ kind: 'connect', method: 'CONNECT', target: req.url ?? '' })
    const upstream = connect(Number(port) || 443, resolveHost(host ?? ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('close', () => sockets.delete(upstream))
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
