// Notify settings, from the environment only, checked once at start.
import { BridgeError } from '../shared/errors.ts';

export interface NotifyConfig {
  /** Base URL of the web application, for links back to a child's record. */
  publicUrl: string;
  /** SMTP server for mail to people (smtp:// or smtps://); mail waits and retries while unset. */
  smtpUrl: string | undefined;
  mailFrom: string;
  webhookTimeoutMs: number;
  /** Hour (UTC) when the daily digest goes out. */
  digestHourUtc: number;
}

function intSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BridgeError(
      'CONFIG_INVALID',
      `${name} must be a whole number from ${min} to ${max}, got "${raw}"`,
    );
  }
  return n;
}

export function loadNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const smtpUrl = env.BRIDGE_SMTP_URL || undefined;
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    throw new BridgeError('CONFIG_INVALID', 'BRIDGE_SMTP_URL must start with smtp:// or smtps://');
  }
  const publicUrl = env.BRIDGE_PUBLIC_URL || `http://${env.HOST || '127.0.0.1'}:${env.PORT || '8080'}`;
  if (!/^https?:\/\//.test(publicUrl)) {
    throw new BridgeError('CONFIG_INVALID', 'BRIDGE_PUBLIC_URL must start with http:// or https://');
  }
  return {
    publicUrl,
    smtpUrl,
    mailFrom: env.BRIDGE_MAIL_FROM || 'UC Bridge <notify@uc-bridge.invalid>',
    webhookTimeoutMs: intSetting(env, 'BRIDGE_WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    digestHourUtc: intSetting(env, 'BRIDGE_DIGEST_HOUR_UTC', 13, 0, 23),
  };
}
