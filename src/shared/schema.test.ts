import { describe, expect, it } from 'vitest';
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import { Nullable } from './schema.ts';

describe('Nullable', () => {
  it('serializes both the value and null, dates included, and keeps an enum admitting null', async () => {
    const Row = Type.Object({
      at: Nullable(Type.String({ format: 'date-time' })),
      state: Nullable(Type.String({ enum: ['open', 'closed'] })),
      n: Nullable(Type.Integer()),
      list: Nullable(Type.Array(Type.String())),
    });
    expect(Row.properties.state).toMatchObject({ type: ['string', 'null'], enum: ['open', 'closed', null] });
    const app = Fastify();
    app.get('/', { schema: { response: { 200: Type.Array(Row) } } }, async () => [
      { at: new Date('2026-01-02T03:04:05Z'), state: 'open', n: 3, list: ['a'] },
      { at: null, state: null, n: null, list: null },
    ]);
    const res = await app.inject('/');
    expect(res.json()).toEqual([
      { at: '2026-01-02T03:04:05.000Z', state: 'open', n: 3, list: ['a'] },
      { at: null, state: null, n: null, list: null },
    ]);
    await app.close();
  });

  it('refuses a schema without one type', () => {
    expect(() => Nullable(Type.Union([Type.String(), Type.Integer()]))).toThrow(/one type/);
  });
});
