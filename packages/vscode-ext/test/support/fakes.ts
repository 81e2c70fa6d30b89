import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { SecretStore, ServerUrlSetting } from '../../src/model.js';

/** SecretStorage in memory, with a log of writes to assert on. */
export class MemorySecrets implements SecretStore {
  readonly values = new Map<string, string>();
  readonly writes: string[] = [];

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.values.get(key));
  }
  store(key: string, value: string): Promise<void> {
    this.writes.push(`store ${key}`);
    this.values.set(key, value);
    return Promise.resolve();
  }
  delete(key: string): Promise<void> {
    this.writes.push(`delete ${key}`);
    this.values.delete(key);
    return Promise.resolve();
  }
}

export class MemorySetting implements ServerUrlSetting {
  constructor(public value = '') {}
  get(): string {
    return this.value;
  }
  set(url: string): Promise<void> {
    this.value = url;
    return Promise.resolve();
  }
}

/**
 * A TCP proxy in front of a real server that can be switched off (open connections are cut and
 * new ones refused), to see what the extension does when the server goes away and comes back.
 */
export class SwitchableProxy {
  url = '';
  /** Connections passed through to the server. */
  connections = 0;
  private on = true;
  private readonly sockets = new Set<Socket>();
  private readonly server = createTcpServer((client) => this.accept(client));

  private constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  static async start(target: string): Promise<SwitchableProxy> {
    const { hostname, port } = new URL(target);
    const p = new SwitchableProxy(hostname, Number(port));
    await new Promise<void>((r) => p.server.listen(0, '127.0.0.1', r));
    p.url = `http://127.0.0.1:${(p.server.address() as AddressInfo).port}`;
    return p;
  }

  down(): void {
    this.on = false;
    for (const s of this.sockets) s.destroy();
  }

  up(): void {
    this.on = true;
  }

  close(): Promise<void> {
    this.down();
    return new Promise<void>((r) => this.server.close(() => r()));
  }

  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }

  private accept(client: Socket): void {
    this.track(client);
    if (!this.on) {
      client.destroy();
      return;
    }
    this.connections++;
    const upstream = connect(this.port, this.host);
    this.track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }
}
