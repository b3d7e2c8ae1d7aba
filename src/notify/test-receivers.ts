// Real receivers on loopback for tests and the benchmark: an HTTP endpoint that verifies Standard
// Webhooks signatures with the reference library and drops duplicates by webhook-id, and an SMTP
// server that keeps the mail it accepts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { SMTPServer } from 'smtp-server';

export interface ReceivedWebhook {
  id: string;
  body: string;
  verified: boolean;
  /** false when this webhook-id had already been processed (the receiver's idempotency). */
  firstTime: boolean;
  status: number;
  at: number;
}

export type Responder = (req: { id: string; n: number }) => { status: number; delayMs?: number };

export interface WebhookReceiver {
  readonly url: string;
  readonly port: number;
  received: ReceivedWebhook[];
  /** webhook-ids processed once each (duplicates ignored). */
  processed: Set<string>;
  setSecret(secret: string): void;
  respond: Responder;
  onReceive?: (w: ReceivedWebhook) => void;
  /** Stops listening (the receiver is "down"); `up()` listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(port = 0): Promise<WebhookReceiver> {
  let verifier: Webhook | null = null;
  let n = 0;
  const sockets = new Set<import('node:net').Socket>();
  const receiver: WebhookReceiver = {
    url: '',
    port: 0,
    received: [],
    processed: new Set(),
    respond: () => ({ status: 200 }),
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    down: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
    up: () => listen(receiver.port),
    close: () => receiver.down(),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id'] ?? '');
      let verified = false;
      try {
        verifier?.verify(body, req.headers as Record<string, string>);
        verified = verifier !== null;
      } catch {
        verified = false;
      }
      const answer = receiver.respond({ id, n: ++n });
      const ok = verified && answer.status >= 200 && answer.status < 300;
      const firstTime = ok && !receiver.processed.has(id);
      // A receiver processes a message when it accepts it; a repeat of an id already processed is
      // acknowledged and ignored.
      if (ok) receiver.processed.add(id);
      const w: ReceivedWebhook = {
        id,
        body,
        verified,
        firstTime,
        status: answer.status,
        at: performance.now(),
      };
      receiver.received.push(w);
      receiver.onReceive?.(w);
      const reply = () => {
        res.statusCode = verified ? answer.status : 401;
        res.end();
      };
      if (answer.delayMs) setTimeout(reply, answer.delayMs);
      else reply();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(p, '127.0.0.1', () => {
        server.off('error', reject);
        const port = (server.address() as AddressInfo).port;
        Object.assign(receiver, { port, url: `http://127.0.0.1:${port}/hooks/bridge` });
        resolve();
      });
    });
  await listen(port);
  return receiver;
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface MailReceiver {
  readonly url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<MailReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
