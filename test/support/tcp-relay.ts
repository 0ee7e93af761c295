/**
 * Test support: a TCP relay on a loopback port that forwards a limited number of connections
 * to a target, then stops listening (later connections are refused). It stands for a network
 * path that works for a while and then no longer does (a firewall, an address that changed).
 */
import net from 'node:net';

export interface TcpRelay {
  port: number;
  /** Connections relayed so far. */
  relayed(): number;
  close(): Promise<void>;
}

export async function startTcpRelay(target: { host: string; port: number }, o: { maxConnections: number }): Promise<TcpRelay> {
  let relayed = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    relayed++;
    if (relayed >= o.maxConnections) server.close();
    const outbound = net.connect(target);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('close', () => outbound.destroy());
    outbound.on('close', () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    relayed: () => relayed,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
    },
  };
}
