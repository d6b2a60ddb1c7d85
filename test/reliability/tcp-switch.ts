/**
 * A TCP front for a test server that can be switched between `up` (forwards to the server), `down`
 * (nothing listens: connections are refused) and `hang` (connections are accepted and never answered),
 * on one fixed port: an endpoint that goes away and comes back, as the reliability tests need.
 */
import {connect, createServer, type Server, type Socket} from 'node:net'
import type {AddressInfo} from 'node:net'

export type SwitchMode = 'up' | 'down' | 'hang'

export interface TcpSwitch {
  /** `http://127.0.0.1:<port>`, stable across modes. */
  url: string
  mode(next: SwitchMode): Promise<void>
  close(): Promise<void>
}

export async function startSwitch(targetPort: number): Promise<TcpSwitch> {
  let current: SwitchMode = 'up'
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const server: Server = createServer((client) => {
    track(client)
    if (current === 'hang') return
    const upstream = connect(targetPort, '127.0.0.1')
    track(upstream)
    client.pipe(upstream).pipe(client)
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  const listen = (port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      if (server.listening) server.close(() => resolve())
      else resolve()
    })
  await listen(0)
  const {port} = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    async mode(next) {
      if (next === current) return
      // Whatever was open belongs to the old mode.
      await stop()
      current = next
      if (next !== 'down') await listen(port)
    },
    close: stop,
  }
}
