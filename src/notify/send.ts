// The network edge of delivery: one signed webhook POST, or one mail through SMTP. Never called
// inside a database transaction.
import nodemailer, { type Transporter } from 'nodemailer';
import { toError } from '../shared/errors.ts';
import type { SendResult } from './retry.ts';
import { webhookHeaders } from './signing.ts';

export async function postWebhook(
  url: string,
  secret: string,
  messageId: string,
  body: string,
  options: { timeoutMs: number; now: Date },
): Promise<SendResult> {
  const headers = {
    'content-type': 'application/cloudevents+json; charset=utf-8',
    ...webhookHeaders(secret, messageId, Math.floor(options.now.getTime() / 1000), body),
  };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers,
      body,
      // A redirect could carry a child's data to a host nobody subscribed: treat it as a failure.
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, gone: res.status === 410, statusCode: res.status, error: ok ? null : `HTTP ${res.status}` };
  } catch (thrown) {
    const err = toError(thrown);
    const timedOut = err.name === 'TimeoutError' || err.name === 'AbortError';
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      gone: false,
      statusCode: null,
      error: timedOut ? `no answer within ${options.timeoutMs} ms` : (cause ?? err.message),
    };
  }
}

export interface Mailer {
  send(mail: { to: string; subject: string; text: string; messageId: string }): Promise<SendResult>;
  close(): void;
}

export function smtpMailer(smtpUrl: string | undefined, from: string): Mailer {
  const transport: Transporter | null = smtpUrl ? nodemailer.createTransport(smtpUrl) : null;
  return {
    async send(mail) {
      if (!transport) return { ok: false, gone: false, statusCode: null, error: 'no SMTP server configured' };
      try {
        const info = (await transport.sendMail({
          from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          // The same Message-ID on every retry lets mail systems drop duplicates.
          messageId: `<${mail.messageId}@uc-bridge>`,
        })) as { response?: string };
        const code = Number(/^(\d{3})/.exec(info.response ?? '')?.[1] ?? 250);
        return { ok: true, gone: false, statusCode: code, error: null };
      } catch (thrown) {
        const err = toError(thrown) as Error & { responseCode?: number; code?: string };
        return {
          ok: false,
          gone: false,
          statusCode: err.responseCode ?? null,
          error: err.responseCode ? `SMTP ${err.responseCode}` : `${err.code ?? 'SMTP'}: ${err.message}`,
        };
      }
    },
    close() {
      transport?.close();
    },
  };
}
