// JSON Schema helpers shared by the HTTP routes.
import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox';

/**
 * `t` or null, written as one schema with a list of types (`type: ['string', 'null']`, as OpenAPI
 * 3.1 has it) instead of `anyOf`. The response serializer picks a branch of `anyOf` by running the
 * validator on the value, for every such field of every row; a list of types it picks by the
 * value's own type. An `enum` gets null added, so that the schema still admits it.
 */
export function Nullable<T extends TSchema>(t: T): TUnsafe<Static<T> | null> {
  const { type, enum: values, ...rest } = t as { type?: unknown; enum?: unknown[] };
  if (typeof type !== 'string') throw new Error('Nullable takes a schema of one type');
  return Type.Unsafe<Static<T> | null>({
    ...rest,
    type: [type, 'null'],
    ...(values ? { enum: [...values, null] } : {}),
  });
}
